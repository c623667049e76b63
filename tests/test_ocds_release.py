"""The OCDS release a consumer can use: values, tender period, lots, units, weights, sustainability, and
the notice terms and review body that OCDS's core has a place for.

Validated against OCDS 1.1.5 with every extension the package declares (requirements, lots, award
criteria breakdown, sustainability), and checked for fields no declared schema defines.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from django.core.management import call_command
from lxml import etree

from cfit.accounts.scoping import system_scope
from cfit.criteria.content import Ambition, Framework, ImpactCategory, load_framework_dir
from cfit.tenders import actions, eforms, opendata
from cfit.tenders.exports import FORMATS
from cfit.tenders.models import Tender
from cfit.tenders.spec import ElectronicMeans, NoticeTerms, ReviewBody, TenderSpec, build_spec

from .tender_helpers import (
    ANSWERED_TERMS,
    FULL_BUYER_DETAILS,
    ocds_errors,
    ocds_release_schema,
    shared,
)


@cache
def loaded_framework() -> Framework:
    return load_framework_dir()


def spec_in(language: str, **changes: Any) -> TenderSpec:
    spec = build_spec(
        loaded_framework(),
        product_groups=["notebooks", "monitors", "smartphones"],
        categories={ImpactCategory.CARBON: Ambition.AMBITIOUS},
        language=language,
        reference="GENT-2027-07",
        buyer="Stad Gent",
        buyer_country="BE",
    )
    lots = [replace(lot, estimated_value=Decimal(250_000) + lot.number) for lot in spec.lots]
    return replace(
        spec,
        lots=lots,
        status="published",
        offers_deadline=datetime(2027, 5, 3, 10, 0, tzinfo=UTC),
        buyer_email="aankoop@example.be",
        **changes,
    )


def undeclared_fields(
    document: Any, schema: dict[str, Any], node: dict[str, Any], path: str = ""
) -> list[str]:
    """Keys of ``document`` that no property of the (merged) schema declares."""
    while "$ref" in node:
        node = schema["definitions"][node["$ref"].rsplit("/", 1)[1]]
    if isinstance(document, list):
        return [
            e
            for i, item in enumerate(document)
            for e in undeclared_fields(item, schema, node.get("items", {}), f"{path}/{i}")
        ]
    if not isinstance(document, dict):
        return []
    properties = node.get("properties", {})
    found = [f"{path}/{key}" for key in document if key not in properties]
    return found + [
        e
        for key, value in document.items()
        if key in properties
        for e in undeclared_fields(value, schema, properties[key], f"{path}/{key}")
    ]


def codelist(name: str) -> set[str]:
    with shared("ocds", "sustainability-extension", "codelists", f"{name}.csv").open() as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize("language", ["nl", "de", "fr"])
def test_the_release_is_valid_with_every_declared_extension_and_nothing_undeclared(language: str) -> None:
    package = opendata.ocds_release_package(spec_in(language))

    assert package["extensions"] == opendata.EXTENSIONS
    assert ocds_errors(package) == []
    schema = ocds_release_schema(tuple(package["extensions"]))
    assert undeclared_fields(package["releases"][0], schema, schema) == []


def test_the_buyer_s_notice_details_reach_the_release_as_the_notice_has_them() -> None:
    """The organisation's address and telephone (entered once for its notices) are in both documents."""
    from cfit.tenders.spec import BuyerDetails

    details = BuyerDetails(
        street="Botermarkt 1", post_code="9000", town="Gent", nuts_code="BE234", telephone="+32 9 210 10 10"
    )
    package = opendata.ocds_release_package(spec_in("nl", buyer_details=details))

    party = package["releases"][0]["parties"][0]
    assert party["address"] == {
        "streetAddress": "Botermarkt 1",
        "locality": "Gent",
        "postalCode": "9000",
        "region": "BE234",
        "countryName": "BE",
    }
    assert party["contactPoint"] == {"email": "aankoop@example.be", "telephone": "+32 9 210 10 10"}
    assert ocds_errors(package) == []
    notice = eforms.contract_notice(spec_in("nl", buyer_details=details)).decode()
    assert all(value in notice for value in ("Botermarkt 1", "BE234", "+32 9 210 10 10"))


@pytest.mark.parametrize(("language", "label"), [("nl", "Lokale overheid"), ("en", "Local authority")])
def test_the_buyer_s_legal_type_is_a_classification_as_ocds_for_eforms_maps_bt_11(
    language: str, label: str
) -> None:
    """BT-11 in the release: a classification of the buyer (organizationClassification extension,
    scheme 'eu-buyer-legal-type'), its label in the release's language; the extension is declared
    only then, and the release stays valid with nothing undeclared."""
    from cfit.tenders.spec import BuyerDetails

    package = opendata.ocds_release_package(spec_in(language, buyer_details=BuyerDetails(legal_type="la")))

    party = package["releases"][0]["parties"][0]
    assert party["details"] == {
        "classifications": [{"scheme": "eu-buyer-legal-type", "id": "la", "description": label}]
    }
    assert package["extensions"] == [*opendata.EXTENSIONS, opendata.ORGANIZATION_CLASSIFICATION_EXTENSION]
    assert ocds_errors(package) == []
    schema = ocds_release_schema(tuple(package["extensions"]))
    assert undeclared_fields(package["releases"][0], schema, schema) == []
    assert "details" not in opendata.ocds_release_package(spec_in(language))["releases"][0]["parties"][0]


def test_the_notice_terms_ocds_core_has_a_place_for_reach_the_release() -> None:
    """Electronic submission required (BT-17), the submission address (BT-18), the procurement documents
    (BT-15) and the review body; the contract's duration in months stays out (no exact number of days),
    and so do the terms without a core field."""
    review_body = ReviewBody(
        name="Raad van State",
        registration_number="BE-RVS-0001",
        town="Brussel",
        post_code="1040",
        nuts_code="BE100",
        email="griffie@example.be",
        deadlines="Binnen 15 dagen na de kennisgeving van de gunningsbeslissing.",
    )
    details = replace(FULL_BUYER_DETAILS, review_body=review_body)

    package = opendata.ocds_release_package(spec_in("nl", buyer_details=details, notice_terms=ANSWERED_TERMS))

    assert ocds_errors(package) == []
    schema = ocds_release_schema(tuple(package["extensions"]))
    assert undeclared_fields(package["releases"][0], schema, schema) == []
    tender = package["releases"][0]["tender"]
    assert tender["submissionMethod"] == ["electronicSubmission"]
    assert tender["submissionMethodDetails"] == ANSWERED_TERMS.submission_url
    assert tender["documents"] == [
        {
            "id": "procurement-documents",
            "documentType": "biddingDocuments",
            "url": ANSWERED_TERMS.documents_url,
        }
    ]
    assert "contractPeriod" not in tender and all("contractPeriod" not in lot for lot in tender["lots"])
    review = package["releases"][0]["parties"][1]
    assert review == {
        "id": "review-body",
        "name": "Raad van State",
        "roles": ["reviewBody"],
        "address": {"locality": "Brussel", "postalCode": "1040", "region": "BE100", "countryName": "BE"},
        "contactPoint": {"email": "griffie@example.be"},
    }


@pytest.mark.parametrize("choice", [ElectronicMeans.ALLOWED, ElectronicMeans.NOT_ALLOWED])
def test_submission_is_a_method_only_when_electronic_submission_is_required(choice: ElectronicMeans) -> None:
    """Where it is merely allowed (or not allowed), the other ways offers are submitted are not known."""
    package = opendata.ocds_release_package(
        spec_in("nl", notice_terms=NoticeTerms(electronic_submission=choice))
    )

    assert "submissionMethod" not in package["releases"][0]["tender"]
    assert ocds_errors(package) == []


def test_with_nothing_answered_the_release_states_no_term() -> None:
    release = opendata.ocds_release_package(spec_in("nl"))["releases"][0]

    assert {"submissionMethod", "submissionMethodDetails", "documents"} & set(release["tender"]) == set()
    assert [party["id"] for party in release["parties"]] == ["buyer"]


def test_the_tender_states_its_value_and_tender_period() -> None:
    spec = spec_in("nl")

    tender = opendata.ocds_release_package(spec)["releases"][0]["tender"]

    assert tender["value"] == {"amount": 750_006, "currency": "EUR"}
    assert [lot["value"]["amount"] for lot in tender["lots"]] == [250_001, 250_002, 250_003]
    assert tender["tenderPeriod"]["endDate"] == "2027-05-03T10:00:00+00:00"
    assert tender["tenderPeriod"]["startDate"].startswith(spec.issued.isoformat())


def test_a_tender_without_estimates_states_no_value_rather_than_zero() -> None:
    spec = spec_in("en")
    spec = replace(spec, lots=[replace(lot, estimated_value=Decimal(0)) for lot in spec.lots])

    tender = opendata.ocds_release_package(spec)["releases"][0]["tender"]

    assert "value" not in tender and all("value" not in lot for lot in tender["lots"])


def test_every_requirement_with_a_unit_states_it() -> None:
    spec = spec_in("en")
    units = {r.id: r.unit for lot in spec.lots for c in lot.criteria for r in c.criterion.requirements}

    tender = opendata.ocds_release_package(spec)["releases"][0]["tender"]

    requirements = [r for c in tender["criteria"] for g in c["requirementGroups"] for r in g["requirements"]]
    with_unit = [r for r in requirements if units[r["id"]]]
    assert with_unit, "no requirement with a unit in the notebooks, monitors and smartphones criteria"
    for requirement in with_unit:
        assert requirement["description"] == f"Unit: {units[requirement['id']]}"
    assert all("description" not in r for r in requirements if not units[r["id"]])


def test_each_lot_carries_its_award_criteria_and_weights_from_the_award_method() -> None:
    spec = spec_in("fr")

    lots = opendata.ocds_release_package(spec)["releases"][0]["tender"]["lots"]

    for lot, document in zip(spec.lots, lots, strict=True):
        method = lot.award_method
        criteria = document["awardCriteria"]["criteria"]
        assert [c["type"] for c in criteria] == ["cost"] + ["quality"] * len(method.criteria)
        weights = [Decimal(str(c["numbers"][0]["number"])) for c in criteria]
        assert weights == [method.price_weight] + [c.weight for c in method.criteria]
        assert {n["weight"] for c in criteria for n in c["numbers"]} == {"pointsExact"}
        # the same names and words as the notice
        assert [c["name"] for c in criteria] == [r["BT-734"] for r in eforms.award_criteria(method, "fr")]


def test_sustainability_uses_the_extension_s_codes_and_matches_the_notice() -> None:
    spec = spec_in("en")
    goals, strategies = codelist("sustainabilityGoal"), codelist("sustainabilityStrategy")

    tender = opendata.ocds_release_package(spec)["releases"][0]["tender"]

    assert tender["hasSustainability"] is True
    for lot, document in zip(spec.lots, tender["lots"], strict=True):
        codes = eforms.strategic_codes(lot)
        assert document["hasSustainability"] is True
        assert {s["goal"] for s in document["sustainability"]} <= goals
        assert {x for s in document["sustainability"] for x in s["strategies"]} <= strategies
        expected = {opendata.GOALS[c] for c in codes["BT-774"] + codes["BT-775"]}
        assert {s["goal"] for s in document["sustainability"]} == expected
    carbon = next(
        s for s in tender["lots"][0]["sustainability"] if s["goal"] == "environmental.climateChangeMitigation"
    )
    assert "euGPPCriteria" in carbon["strategies"]


def test_related_lots_point_at_lots_that_exist() -> None:
    spec = spec_in("de")

    tender = opendata.ocds_release_package(spec)["releases"][0]["tender"]

    ids = {lot["id"] for lot in tender["lots"]}
    assert len(ids) == len(spec.lots)
    assert {item["relatedLot"] for item in tender["items"]} == ids
    for criterion in tender["criteria"]:
        assert criterion["relatedLots"] and set(criterion["relatedLots"]) <= ids
    for lot in spec.lots:
        chosen = {c.criterion.id for c in lot.criteria}
        related = {c["id"] for c in tender["criteria"] if opendata.lot_id(lot.number) in c["relatedLots"]}
        assert related == chosen


@pytest.mark.slow
def test_the_demo_tenders_export_a_valid_notice_and_release(framework) -> None:
    call_command("demo")
    schema = etree.XMLSchema(
        etree.parse(str(shared("eforms-sdk", "schemas", "maindoc", "UBL-ContractNotice-2.3.xsd")))
    )

    with system_scope():
        tenders = list(Tender.objects.select_related("organisation", "framework_version"))
        specs = [actions.tender_spec(t) for t in tenders]

    assert len(specs) >= 3
    for spec in specs:
        if spec.buyer_country not in eforms.COUNTRIES:  # e.g. the Canadian and UK buyer groups
            with pytest.raises(eforms.NoticeError, match=spec.buyer_country):
                FORMATS["eforms"].render(spec)
            continue
        notice = etree.fromstring(FORMATS["eforms"].render(spec))
        assert schema.validate(notice), (spec.reference, schema.error_log)
        assert (
            notice.xpath(eforms.FIELDS["BT-702(a)-notice"], namespaces=eforms.NS)[0].text
            == eforms.LANGUAGES[spec.language]
        )
        package = opendata.ocds_release_package(spec)
        assert ocds_errors(package) == [], spec.reference
        assert package["releases"][0]["tender"]["value"]["amount"] > 0
