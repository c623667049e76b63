"""The eForms contract notice: valid against the SDK's schema, every field where the SDK puts it.

Each notice is validated by lxml against the UBL ContractNotice schema of the eForms SDK 1.15.1 in
``../shared``; the fields are read back with the XPaths of ``cfit.tenders.eforms.FIELDS`` (checked
against the SDK's ``fields.json``), and the award criteria compared with the lot's award method.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib import resources

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from cfit.criteria.content import Ambition, CriterionType, Framework, ImpactCategory, load_framework_dir
from cfit.tenders import eforms
from cfit.tenders.award_text import criterion_description
from cfit.tenders.exports import FORMATS
from cfit.tenders.spec import TenderSpec, build_spec

from .tender_helpers import shared

SHIPPED_LISTS = (
    "strategic-procurement",
    "environmental-impact",
    "social-objective",
    "gpp-criteria",
    "award-criterion-type",
)


@cache
def loaded_framework() -> Framework:
    return load_framework_dir()


@cache
def contract_notice_schema() -> etree.XMLSchema:
    return etree.XMLSchema(
        etree.parse(str(shared("eforms-sdk", "schemas", "maindoc", "UBL-ContractNotice-2.3.xsd")))
    )


def xsd_errors(xml: bytes) -> list[str]:
    schema = contract_notice_schema()
    schema.validate(etree.fromstring(xml))
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def spec_in(
    language: str, groups: tuple[str, ...] = ("notebooks", "monitors"), **changes: object
) -> TenderSpec:
    spec = build_spec(
        loaded_framework(),
        product_groups=list(groups),
        categories={
            ImpactCategory.CARBON: Ambition.AMBITIOUS,
            ImpactCategory.CIRCULARITY: Ambition.AMBITIOUS,
        },
        language=language,
        reference="RWS-2027-01",
        buyer="Rijkswaterstaat",
        buyer_country="NL",
    )
    lots = [replace(lot, estimated_value=Decimal(100_000 * lot.number)) for lot in spec.lots]
    deadline = datetime(2027, 3, 1, 11, 0, tzinfo=UTC)
    return replace(spec, lots=lots, offers_deadline=deadline, buyer_email="inkoop@example.nl", **changes)


def field(root: etree._Element, bt: str, context: etree._Element | None = None) -> list[str]:
    """A field's values by the SDK's absolute XPath, or relative to a lot or award criterion element."""
    path = eforms.FIELDS[bt]
    node = root
    if context is not None:
        anchor = (
            "cac:SubordinateAwardingCriterion"
            if context.tag.endswith("}SubordinateAwardingCriterion")
            else "[cbc:ID/@schemeName='Lot']"
        )
        path, node = "." + path.split(anchor, 1)[1], context
    return [v.text or "" for v in node.xpath(path, namespaces=eforms.NS)]


def price_sentence_in(method, language: str) -> str:
    from django.utils import translation

    from cfit.tenders.award_text import price_sentence

    with translation.override(language):
        return price_sentence(method)


def lots_of(root: etree._Element) -> list[etree._Element]:
    return root.xpath("/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']", namespaces=eforms.NS)


def subordinate(lot: etree._Element) -> list[etree._Element]:
    return lot.xpath(
        "cac:TenderingTerms/cac:AwardingTerms/cac:AwardingCriterion/cac:SubordinateAwardingCriterion",
        namespaces=eforms.NS,
    )


def test_every_field_sits_where_the_sdk_puts_it() -> None:
    fields = json.loads(shared("eforms-sdk", "fields", "fields.json").read_text())["fields"]
    sdk = {f["id"]: f["xpathAbsolute"] for f in fields}

    wrong = {bt: (path, sdk.get(bt)) for bt, path in eforms.FIELDS.items() if sdk.get(bt) != path}

    assert wrong == {}


def test_the_shipped_code_lists_are_the_sdk_s_unchanged() -> None:
    folder = resources.files("cfit.tenders").joinpath("eforms_codelists")
    for name in SHIPPED_LISTS:
        assert (
            folder.joinpath(f"{name}.gc").read_bytes()
            == shared("eforms", "codelists", f"{name}.gc").read_bytes()
        )
    assert folder.joinpath("number-weight.gc").read_bytes() == (
        shared("eforms-sdk", "codelists", "number-weight.gc").read_bytes()
    )
    assert "Attribution 4.0" in folder.joinpath("LICENSE").read_text()


@pytest.mark.parametrize("language", ["nl", "de", "fr", "en"])
def test_the_notice_validates_against_the_sdk_schema(language: str) -> None:
    xml = eforms.contract_notice(spec_in(language))

    assert xsd_errors(xml) == []
    root = etree.fromstring(xml)
    assert field(root, "OPP-070-notice") == ["16"]
    assert field(root, "BT-01-notice") == ["32014L0024"]
    assert field(root, "BT-702(a)-notice") == [eforms.LANGUAGES[language]]
    assert field(root, "BT-105-Procedure") == ["open"]


def test_the_notice_holds_buyer_lots_cpv_values_and_deadline() -> None:
    spec = spec_in("nl")

    root = etree.fromstring(eforms.contract_notice(spec))

    assert field(root, "BT-500-Organization-Company") == ["Rijkswaterstaat"]
    assert field(root, "BT-514-Organization-Company") == ["NLD"]
    assert field(root, "BT-506-Organization-Company") == ["inkoop@example.nl"]
    assert (
        field(root, "OPT-300-Procedure-Buyer") == field(root, "OPT-200-Organization-Company") == ["ORG-0001"]
    )
    assert field(root, "BT-137-Lot") == ["LOT-0001", "LOT-0002"]
    assert field(root, "BT-21-Lot") == [lot.title for lot in spec.lots]
    assert field(root, "BT-262-Lot") == [lot.cpv for lot in spec.lots]
    assert [Decimal(v) for v in field(root, "BT-27-Lot")] == [lot.estimated_value for lot in spec.lots]
    assert Decimal(field(root, "BT-27-Procedure")[0]) == sum(lot.estimated_value for lot in spec.lots)
    assert field(root, "BT-131(d)-Lot") == ["2027-03-01Z"] * 2
    assert field(root, "BT-131(t)-Lot") == ["11:00:00Z"] * 2
    assert all(len(field(root, bt)) == 2 for bt in ("BT-24-Lot", "BT-23-Lot"))


@pytest.mark.parametrize("language", ["nl", "de", "fr"])
def test_each_award_criterion_is_named_described_and_weighted_in_the_tender_s_language(language: str) -> None:
    spec = spec_in(language)
    code = eforms.LANGUAGES[language]

    root = etree.fromstring(eforms.contract_notice(spec))

    for lot, element in zip(spec.lots, lots_of(root), strict=True):
        method = lot.award_method
        subs = subordinate(element)
        assert len(subs) == 1 + len(method.criteria)
        for sub in subs:
            # BT-5421 accompanies every BT-541 weight; text fields carry the notice language
            assert (
                len(field(root, "BT-541-Lot-WeightNumber", sub)) == len(field(root, "BT-5421-Lot", sub)) == 1
            )
            assert {
                e.get("languageID") for e in sub.xpath("cbc:Name|cbc:Description", namespaces=eforms.NS)
            } == {code}
        names = [sub.findtext(f"{{{eforms.NS['cbc']}}}Name") for sub in subs]
        texts = [sub.findtext(f"{{{eforms.NS['cbc']}}}Description") for sub in subs]
        for criterion, name, text in zip(method.criteria, names[1:], texts[1:], strict=True):
            title = criterion.title[language]
            # BT-734: the criterion's title in the tender's language, not an internal id alone
            assert name == f"{title} ({criterion.id})" and name != criterion.id
            # BT-540: the same words as the annex, in the tender's language
            assert text == criterion_description(criterion, language) and title in text
            if title != criterion.title["en"]:
                assert criterion.title["en"] not in text
        # the price formula is the price criterion's BT-540; BT-543 is forbidden beside weights
        assert texts[0] == price_sentence_in(method, language) and field(root, "BT-543-Lot", element) == []


def test_the_weights_in_the_notice_are_the_award_method_s() -> None:
    spec = spec_in("nl")

    root = etree.fromstring(eforms.contract_notice(spec))

    for lot, element in zip(spec.lots, lots_of(root), strict=True):
        method = lot.award_method
        weights = [Decimal(w) for w in field(root, "BT-541-Lot-WeightNumber", element)]
        assert weights == [method.price_weight] + [c.weight for c in method.criteria]
        assert sum(weights) == method.points_total == 100
        assert set(field(root, "BT-5421-Lot", element)) == {"poi-exa"}
        assert field(root, "BT-539-Lot", element) == ["cost"] + ["quality"] * len(method.criteria)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_award_method_round_trips_through_the_notice(data: st.DataObject) -> None:
    base = spec_in("fr", groups=("notebooks",))
    lot = base.lots[0]
    awardable = [c for c in lot.criteria if c.type == CriterionType.AWARD_CRITERION]
    chosen = data.draw(
        st.lists(st.sampled_from(awardable), unique_by=lambda c: c.criterion.id, max_size=len(awardable))
    )
    cents = data.draw(st.lists(st.integers(1, 2000), min_size=len(chosen), max_size=len(chosen)))
    weights = {c.criterion.id: Decimal(n) / 100 for c, n in zip(chosen, cents, strict=True)}
    criteria = [
        replace(c, weight=weights.get(c.criterion.id, Decimal(0)))
        if c.type == CriterionType.AWARD_CRITERION
        else c
        for c in lot.criteria
    ]
    price_weight = Decimal(100) - sum(weights.values(), Decimal(0))
    spec = replace(base, lots=[replace(lot, criteria=criteria, price_weight=price_weight)])
    method = spec.lots[0].award_method

    xml = eforms.contract_notice(spec)

    assert xsd_errors(xml) == []
    root = etree.fromstring(xml)
    read = [Decimal(w) for w in field(root, "BT-541-Lot-WeightNumber")]
    assert read == [method.price_weight] + [c.weight for c in method.criteria]
    assert len(field(root, "BT-5421-Lot")) == len(read)
    ids = [name.rsplit("(", 1)[1].rstrip(")") for name in field(root, "BT-734-Lot")[1:]]
    assert dict(zip(ids, read[1:], strict=True)) == {c.id: c.weight for c in method.criteria}


def test_green_and_social_codes_come_from_the_shipped_code_lists() -> None:
    spec = spec_in("nl", groups=("notebooks", "monitors", "smartphones"))

    root = etree.fromstring(eforms.contract_notice(spec))

    for bt, list_name in (
        ("BT-06-Lot", "strategic-procurement"),
        ("BT-774-Lot", "environmental-impact"),
        ("BT-775-Lot", "social-objective"),
        ("BT-805-Lot", "gpp-criteria"),
        ("BT-539-Lot", "award-criterion-type"),
        ("BT-5421-Lot", "number-weight"),
    ):
        assert set(field(root, bt)) <= eforms.codes(list_name), bt
    assert "env-imp" in field(root, "BT-06-Lot") and "clim-mitig" in field(root, "BT-774-Lot")
    assert "eu" in field(root, "BT-805-Lot")


def test_bt_805_says_national_when_a_criterion_comes_from_a_national_criteria_set() -> None:
    spec = spec_in("en", groups=("notebooks",))
    lot = spec.lots[0]
    national = [
        c
        for c in lot.criteria
        if any(p in s.title.lower() for s in c.criterion.sources for p in eforms.NATIONAL_GPP_PUBLISHERS)
    ]
    others = [
        c
        for c in loaded_framework().criteria
        if "notebooks" in c.product_groups
        and any(p in s.title.lower() for s in c.sources for p in eforms.NATIONAL_GPP_PUBLISHERS)
    ]
    assert national or others, "the framework cites no national criteria set for notebooks"
    if not national:
        from cfit.tenders.spec import ChosenCriterion

        extra = ChosenCriterion(others[0], others[0].type, Decimal(0))
        lot = replace(lot, criteria=[*lot.criteria, extra])

    codes = eforms.strategic_codes(lot)

    assert "national" in codes["BT-805"] and "env-imp" in codes["BT-06"]


def test_a_mini_competition_has_no_contract_notice() -> None:
    spec = spec_in("nl", procedure="mini-competition")

    with pytest.raises(eforms.NoticeError, match="mini-competition"):
        eforms.contract_notice(spec)


def test_the_command_writes_the_notice_and_names_what_is_missing(framework, tmp_path) -> None:
    path = tmp_path / "notice.xml"
    common = ["tender", "build", "--product-group", "notebooks", "--lang", "de", "--format", "eforms"]

    call_command(*common, "--buyer", "Stadt Bonn", "--buyer-country", "DE", "-o", str(path))

    assert xsd_errors(path.read_bytes()) == []
    assert FORMATS["eforms"].extension == "xml"
    with pytest.raises(CommandError, match="country"):
        call_command(*common, "-o", str(tmp_path / "x.xml"))
