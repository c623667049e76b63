"""Offer and criteria import problems are codes with parameters, said in the reader's language.

The cores (``cfit.offers.reader``, ``cfit.criteria.exchange``) keep an English message per code for the
command line; ``cfit.refusals`` holds the same messages in the catalogue. The .po files are translated
later, so the pages and the API are checked against a stand-in catalogue that marks each message with
the active language: what they show must be the catalogue's words for the code, in Dutch and German.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from cfit import refusals
from cfit.criteria import content, exchange
from cfit.notices import record as notice_record
from cfit.offers import actions
from cfit.offers import reader as offers_reader
from cfit.refusals import refusal_texts
from cfit.tenders.models import Tender
from cfit.uploads import ImportRefused

from .test_offers import fill, tender  # noqa: F401  (the fixture)

READERS = {
    "offers": offers_reader.MESSAGES,
    "criteria": exchange.IMPORT_MESSAGES,
    "notices": notice_record.MESSAGES,
}


def _catalogue_form(english: str) -> str:
    """A core message as its catalogue writes it: ``{name}`` becomes ``%(name)s``, ``{{`` a brace."""
    marked = english.replace("{{", "\0").replace("}}", "\1")
    return re.sub(r"\{(\w+)\}", r"%(\1)s", marked).replace("\0", "{").replace("\1", "}")


@pytest.mark.parametrize("reader", READERS)
def test_every_code_has_its_english_message_in_the_catalogue(reader: str) -> None:
    for code, english in READERS[reader].items():
        key = f"{reader}:{code}"
        if key in refusals.UNTRANSLATED:
            continue
        assert key in refusals.MESSAGES, f"{key} has no catalogue entry in cfit.refusals"
        # the same words, so that the command line and the pages say the same thing
        assert str(refusals.MESSAGES[key]) == _catalogue_form(english), key
    prefix = f"{reader}:"
    stale = {k for k in refusals.MESSAGES if k.startswith(prefix) and k[len(prefix) :] not in READERS[reader]}
    assert not stale, f"catalogue entries without a code: {stale}"


def test_no_english_sentence_is_built_outside_the_code_lists() -> None:
    """Every problem the two readers make goes through their code helpers, never a bare sentence."""
    import inspect

    for module in (offers_reader, exchange):
        source = inspect.getsource(module)
        assert not re.search(r"problems\.add\(\s*[^,]+,\s*[^,]+,\s*f?\"", source), module.__name__
        assert not re.search(r"Problem\([^)]*,\s*f?\"[a-z]", source), module.__name__
        assert not re.search(r"raise (ValueError|refuse)\(", source), module.__name__


@pytest.fixture
def fake_catalogue(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Dutch and German catalogue that marks every message: "[nl] …", "[de] …"."""
    real = translation._trans.gettext
    with translation.override("en"):
        ours = {str(message) for message in refusals.MESSAGES.values()} | {
            "file",
            "row %(row)s",
            "sheet %(sheet)s, row %(row)s",
            "row %(row)s (%(criterion)s)",
            "column %(column)s",
            "%(file)s: refused, %(count)s problem(s), nothing imported",
        }

    def marked(message: str) -> str:
        language = translation.get_language() or "en"
        if message not in ours or language.startswith("en"):
            return real(message)
        return f"[{language}] {real(message)}"

    monkeypatch.setattr(translation._trans, "gettext", marked)
    yield


def _said(code: str, language: str, **params: Any) -> str:
    """What the stand-in catalogue says for an offers code in ``language``."""
    with translation.override(language):
        return str(refusals.MESSAGES[code]) % params


# -- offers ---------------------------------------------------------------------------------------------


_BAD_OFFERS: dict[int, bytes] = {}


def _bad_offer(bid_for: Tender) -> io.BytesIO:
    """A filled template with a price that is no number and a quantity of 0 (made once per tender)."""
    if bid_for.pk not in _BAD_OFFERS:
        _BAD_OFFERS.clear()
        _BAD_OFFERS[bid_for.pk] = fill(bid_for, [{"line_id": "A-1", "unit_price_eur": "lots", "quantity": 0}])
    upload = io.BytesIO(_BAD_OFFERS[bid_for.pk])
    upload.name = "bad.xlsx"
    return upload


@pytest.mark.usefixtures("fake_catalogue")
def test_offer_problems_are_in_the_readers_language_on_the_pages_and_in_the_api(
    tender: Tender,  # noqa: F811
    procurer: Any,
) -> None:
    client = Client()
    client.force_login(procurer.user)
    link = actions.issue_upload_link(tender, "GreenRefurb", acting_user=procurer.user)
    for language in ("nl", "de"):
        page = client.post(
            f"/tenders/{tender.pk}/offers/",
            {"supplier": "Beta", "file": _bad_offer(tender)},
            HTTP_ACCEPT_LANGUAGE=language,
        ).content.decode()
        assert _said("offers:not_positive_whole", language) in page
        with translation.override(language):  # the words before the value, in the catalogue's language
            not_number = escape(str(refusals.MESSAGES["offers:not_number"]).split("%(value)s")[0])
        assert not_number in page
        # the places went through the catalogue ("[nl] kolom C (…)", or "[nl] column C (…)" untranslated)
        assert re.search(rf"\[{language}\] \S+ [A-Z]+ \(unit_price_eur\)", page)
        assert re.search(rf"\[{language}\] \S+ .+, \S+ \d+", page)

        supplier_page = Client().post(
            f"/offers/upload/{link.token}/", {"file": _bad_offer(tender)}, HTTP_ACCEPT_LANGUAGE=language
        )
        assert _said("offers:not_positive_whole", language) in supplier_page.content.decode()

        refused = client.post(
            f"/api/v1/tenders/{tender.pk}/offers/",
            {"supplier": "Beta", "file": _bad_offer(tender)},
            HTTP_ACCEPT_LANGUAGE=language,
        )
        body = refused.json()
        assert refused.status_code == 400, body
        assert any(_said("offers:not_positive_whole", language) in p for p in body["problems"]), body
        assert any(re.search(rf"\[{language}\] \S+ ", p) for p in body["problems"]), body
        assert _said("offers:not_positive_whole", language) in body["detail"]
    # the English of the command line is unchanged
    with pytest.raises(ImportRefused) as english:
        actions.import_offer(tender, _bad_offer(tender).getvalue(), "bad.xlsx", supplier="Beta")
    assert "a whole number of 1 or more is expected" in str(english.value)
    assert "[" not in str(english.value).split("\n")[1]


# -- criteria -------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_catalogue")
@pytest.mark.parametrize("language", ["nl", "de"])
def test_criteria_import_problems_are_in_the_readers_language(
    language: str, framework_content: content.Framework
) -> None:
    framework = framework_content
    rows = exchange.framework_to_rows(framework)[:2]
    rows[0] = {**rows[0], "min_value": "lots", "scoring": "{not json"}
    rows[1] = {**rows[1], "criterion_id": ""}
    data = exchange.rows_to_csv(rows).encode()
    with pytest.raises(ImportRefused) as refused:
        exchange.parse_import(data, "criteria.csv", framework)
    codes = {p.code for p in refused.value.problems}
    assert {"not_number", "not_json", "empty"} <= codes, refused.value
    with translation.override(language):
        texts = refusal_texts(refused.value, "criteria")
        said = {
            code: str(refusals.MESSAGES[f"criteria:{code}"]) % dict(p.params)
            for p in refused.value.problems
            for code in [p.code]
        }
    assert all(any(text in line for line in texts) for text in said.values()), texts
    assert all(text.startswith(f"[{language}] ") for text in said.values())
    # the place went through the catalogue too ("[de] Zeile 2" once German is translated, "[de] row 2" before)
    assert any(re.search(rf"\[{language}\] \S+ \d", line) for line in texts), texts
    # the command line keeps the English
    assert "'lots' is not a number" in str(refused.value)


def test_a_criteria_file_of_another_format_is_refused_with_a_code(
    framework_content: content.Framework,
) -> None:
    with pytest.raises(ImportRefused) as refused:
        exchange.parse_import(b"x", "criteria.pdf", framework_content)
    assert [p.code for p in refused.value.problems] == ["unknown_format"]
    with translation.override("de"):
        assert refusal_texts(refused.value, "criteria") == [
            "criteria.pdf: "
            + refusals.where_text("file")
            + ": "
            + str(refusals.MESSAGES["criteria:unknown_format"])
        ]


# -- notices --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_catalogue")
@pytest.mark.parametrize("language", ["nl", "de"])
def test_the_secretariat_reads_why_notices_were_refused_in_its_language(
    secretary: Any, language: str
) -> None:
    """Sam of the secretariat uploads a package with a cut-off notice, an XML that is no notice and
    an OCDS release without its ocid: each is named, in Sam's language."""
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from cfit.demo.notices import EXAMPLES

    laptops = (EXAMPLES / "nl-rijkswaterstaat-laptops.xml").read_bytes()
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("cut.xml", laptops[:300])
        archive.writestr("other.xml", b"<invoice/>")
        archive.writestr("portal.json", b'{"releases": [{"id": "1"}]}')
    client = Client()
    client.force_login(secretary.user)

    page = client.post(
        "/market/import/",
        {"file": SimpleUploadedFile("notices.zip", package.getvalue())},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    ).content.decode()

    with translation.override(language):
        not_xml = escape(str(refusals.MESSAGES["notices:not_xml"]).split("%(")[0])
        not_eforms = escape(str(refusals.MESSAGES["notices:not_eforms"]).split("%(")[0])
        no_ocid = escape(str(refusals.MESSAGES["notices:no_ocid"]))
    assert all(text.startswith(f"[{language}] ") for text in (not_xml, not_eforms, no_ocid))
    assert f"notices.zip!cut.xml: {not_xml}" in page
    assert f"notices.zip!other.xml: {not_eforms}" in page
    assert f"notices.zip!portal.json, releases[0]: {no_ocid}" in page
