"""``cfit tender build`` makes a complete contract notice without a database record: the buyer's notice
details and the tender's notice terms come from a JSON file (named and coded as the API's), checked by
the same rules as the pages and the API, with each problem named by file, part and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cfit.criteria.models import FrameworkVersion

from .test_buyer_details import FORM as BUYER
from .test_notice_terms import ANSWERED, FORM

#: The terms as an integrator writes them in JSON: yes/no as booleans, numbers as numbers.
TERMS: dict[str, Any] = {
    name: (value == "true") if value in ("true", "false") else value
    for name, value in FORM.items()
    if value != ""
}
TERMS["offer_validity_days"], TERMS["contract_months"] = 90, 48


def build(tmp_path: Path, notice: dict[str, Any] | None, *extra: str) -> bytes:
    args = ["tender", "build", "--product-group", "notebooks", "--lang", "nl", "--format", "eforms",
            "--buyer", "Rijkswaterstaat", "--buyer-country", "NL", "-o", str(tmp_path / "notice.xml"), *extra]  # fmt: skip
    if notice is not None:
        (tmp_path / "notice.json").write_text(json.dumps(notice), encoding="utf-8")
        args += ["--notice", str(tmp_path / "notice.json")]
    call_command(*args)
    return (tmp_path / "notice.xml").read_bytes()


def test_the_command_line_writes_the_notice_details_and_terms_it_is_given(
    framework: FrameworkVersion, tmp_path: Path
) -> None:
    xml = build(tmp_path, {"buyer": BUYER, "terms": TERMS}, "--buyer-email", "inkoop@example.nl",
                "--offers-deadline", "2027-03-01T12:00+01:00").decode()  # fmt: skip
    for written in (
        "NL350",  # the NUTS code as stored: in capitals
        "Rechtbank Den Haag",
        "https://www.tenderned.nl/inschrijven/123",
        "inkoop@example.nl",
        "2027-03-01",
        '<cbc:DurationMeasure unitCode="MONTH">48</cbc:DurationMeasure>',
    ):
        assert written in xml, written
    assert ANSWERED.documents_url in xml


def test_a_complete_command_line_notice_breaks_no_rule_of_the_sdk(
    framework: FrameworkVersion, tmp_path: Path
) -> None:
    pytest.importorskip("saxonche", reason="the Schematron rules need XPath 2+: pip install saxonche")
    from .eforms_schematron import validate
    from .tender_helpers import shared
    from .test_eforms_schematron import SCHEMATRONS

    rules = shared(*SCHEMATRONS)
    xml = build(tmp_path, {"buyer": BUYER, "terms": TERMS}, "--buyer-email", "inkoop@example.nl",
                "--offers-deadline", "2027-03-01T12:00+01:00")  # fmt: skip
    failures = validate(xml, rules, "eforms-16")
    assert failures == [], sorted({f.id for f in failures})


@pytest.mark.parametrize(
    ("notice", "message"),
    [
        ({"buyer": {**BUYER, "nuts_code": "FR101"}}, r"notice\.json: buyer\.nuts_code: "),
        ({"buyer": {"colour": "blue"}}, r"notice\.json: buyer: not notice details: colour"),
        ({"terms": {"contract_months": 0}}, r"notice\.json: terms\.contract_months: "),
        ({"terms": {"electronic_submission": "maybe"}}, r"notice\.json: terms\.electronic_submission: "),
        (
            {"terms": {"electronic_submission": "not-allowed", "submission_url": "https://x.example"}},
            r"notice\.json: terms\.submission_url: Offers may not be submitted electronically",
        ),
        (
            {"terms": {"framework_agreement": "fa-wo-rc", "contract_months": 60}},
            r"terms\.framework_duration_justification: .*Article 33\(1\)",
        ),
        ({"tender": {}}, r'notice\.json: give an object with "buyer" and "terms"'),
        ({"terms": ["contract_months"]}, r'notice\.json: "terms" must be an object'),
    ],
)
def test_a_wrong_notice_file_is_refused_naming_file_part_and_field(
    framework: FrameworkVersion, tmp_path: Path, notice: dict[str, Any], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        build(tmp_path, notice)
    assert not (tmp_path / "notice.xml").exists()


def test_a_file_that_is_not_json_and_a_deadline_that_is_no_date_are_named(
    framework: FrameworkVersion, tmp_path: Path
) -> None:
    (tmp_path / "notice.json").write_bytes(b"\xff\xfe{")
    with pytest.raises(CommandError, match=r"notice\.json: not a readable JSON file"):
        call_command("tender", "build", "--product-group", "notebooks", "--format", "eforms",
                     "--notice", str(tmp_path / "notice.json"))  # fmt: skip
    with pytest.raises(CommandError, match=r"--offers-deadline 'next Friday': give an ISO 8601"):
        build(tmp_path, None, "--offers-deadline", "next Friday")
