"""The eForms SDK's Schematron business rules (subtype 16) on cfit's contract notice, run with Saxon.

First the runner is checked against the SDK's own reports: on each invalid example contract notice it
must find every failed assert the SDK's SVRL report lists (and on a valid example none). Then cfit's
notices: with every notice term answered and every notice detail of the buyer (its review body too)
filled in, no rule fails at all: the notice is complete for publication. With none answered, exactly
the rules of ``NOT_HELD_BY_CFIT`` fail, each asking for a term the buyer has not answered (its eSender
completes the notice before publication); each term, answered alone, meets its rules and breaks none.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from cfit.criteria.content import Ambition, ImpactCategory, load_framework_dir
from cfit.tenders import eforms
from cfit.tenders.spec import (
    BuyerDetails,
    ElectronicMeans,
    FrameworkAgreement,
    NonElectronicJustification,
    NoticeTerms,
    PerformancePlace,
    ReservedParticipation,
    TenderSpec,
    build_spec,
)

from .tender_helpers import (
    ANSWERED_TERMS,
    BUYER_DETAILS,
    FULL_BUYER_DETAILS,
    REVIEW_BODY,
    shared,
)

pytest.importorskip(
    "saxonche", reason="the Schematron rules need XPath 2+: pip install saxonche (a dev dependency)"
)

from .eforms_schematron import validate  # noqa: E402

pytestmark = pytest.mark.slow

#: Rules about the buyer organisation itself: met when its administrators have filled in the
#: organisation's notice details (``Organisation.NOTICE_DETAILS``), which every notice then repeats.
BUYER_DETAILS_RULES = {
    "BR-BT-00010-0022": "BT-10 the buyer's main activity (not filled in the organisation's notice details)",
    "BR-BT-00011-0022": "BT-11 the buyer's legal type (not filled in the organisation's notice details)",
    "BR-BT-00501-0022": "BT-501 the buyer's registration number (not filled in the organisation's notice details)",
    "BR-BT-00503-0022": "BT-503 the buyer's telephone (not filled in the organisation's notice details)",
    "BR-BT-00507-0022": "BT-507 the buyer's NUTS region (not filled in the organisation's notice details)",
    "BR-BT-00512-0022": "BT-512 the buyer's post code (not filled in the organisation's notice details)",
    "BR-BT-00513-0022": "BT-513 the buyer's town (not filled in the organisation's notice details)",
}
#: Rules about the tender's notice terms (``TenderSpec.notice_terms``) and the buyer's review body
#: (``BuyerDetails.review_body``): met when the buyer has answered them.
NOTICE_TERMS_RULES = {
    "BR-BT-00017-0022": "BT-17 whether offers must be submitted electronically (electronic_submission)",
    "BR-BT-00018-0022": "BT-18 where offers are submitted (submission_url)",
    "BR-BT-00060-0022": "BT-60 EU funding (eu_funded)",
    "BR-BT-00071-0072": "BT-71 reserved participation (reserved_participation)",
    "BR-BT-00098-0022": "BT-98 how long offers stay valid (offer_validity_days)",
    "BR-OPT-00098-0022": "BT-98 idem",
    "BR-BT-00115-0073": "BT-115 GPA coverage (gpa)",
    "BR-BT-00137-0214": "BT-36 the contract's duration (contract_months)",
    "BR-BT-00727-0228": "BT-727/5141 place of performance (performance_place)",
    "BR-BT-00727-0230": "idem, per lot",
    "BR-BT-00736-0073": "BT-736 reserved execution (reserved_execution)",
    "BR-BT-00743-0022": "BT-743 e-invoicing (e_invoicing)",
    "BR-BT-00764-0022": "BT-764 e-catalogues (e_catalogue)",
    "BR-BT-00765-0073": "BT-765 framework agreement (framework_agreement)",
    "ND-LotProcurementDocument-16": "BT-15 where the procurement documents are published (documents_url)",
    "ND-LotReviewTerms-16": "BT-99/OPT-301 the review body and deadlines (BuyerDetails.review_body)",
    "ND-PostAwardProcess-16": "BT-92/93 electronic ordering and payment (e_ordering, e_payment)",
}
#: Rules that ask for what the buyer has not answered (nothing, in ``notice_spec``); each is for the
#: buyer to answer in cfit, or to complete in its eSender. BT-821 and BT-806 (the selection criteria
#: and exclusion grounds are in the procurement documents) are not here: cfit states them itself.
NOT_HELD_BY_CFIT = {**BUYER_DETAILS_RULES, **NOTICE_TERMS_RULES}
SCHEMATRONS = ("eforms-sdk", "schematrons", "static")


def sdk_failures(name: str) -> Counter[str]:
    report = shared("eforms-sdk", "examples-invalid", "reports", f"{name}.svrl").read_text()
    return Counter(re.findall(r'<svrl:failed-assert[^>]*\bid="([^"]+)"', report))


@pytest.mark.parametrize(
    "name",
    ["INVALID_cn_24_empty", "INVALID_cn_24_multiple", "INVALID_cn_24_stage-1", "INVALID_cn_24_stage-2"],
)
def test_the_runner_finds_every_failure_the_sdk_reports(name: str) -> None:
    xml = shared("eforms-sdk", "examples-invalid", f"{name}.xml").read_bytes()

    found = Counter(f.id for f in validate(xml, shared(*SCHEMATRONS), "eforms-16"))

    expected = sdk_failures(name)
    assert expected - found == Counter()
    # The SDK's reports predate the 1.15 "…-Scheme_MA" asserts (an identifier without its scheme);
    # those are the only failures found beyond the reports.
    assert all(rule.endswith("Scheme_MA") for rule in found - expected), found - expected


def test_the_runner_passes_a_valid_sdk_example() -> None:
    xml = shared("eforms", "examples", "cn_24_minimal.xml").read_bytes()

    assert validate(xml, shared(*SCHEMATRONS), "eforms-16") == []


def notice_spec(language: str, **changes: object) -> TenderSpec:
    spec = build_spec(
        load_framework_dir(),
        product_groups=["notebooks", "monitors"],
        categories={ImpactCategory.CARBON: Ambition.AMBITIOUS},
        language=language,
        reference="T-2027-1",
        buyer="Rijkswaterstaat",
        buyer_country="NL",
    )
    return replace(
        spec,
        lots=[replace(lot, estimated_value=Decimal(90_000)) for lot in spec.lots],
        offers_deadline=datetime(2027, 2, 1, 12, tzinfo=UTC),
        buyer_email="inkoop@example.nl",
        **changes,
    )


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_cfit_s_notice_breaks_no_rule_about_what_cfit_knows(language: str) -> None:
    failures = validate(eforms.contract_notice(notice_spec(language)), shared(*SCHEMATRONS), "eforms-16")

    broken = sorted({f"{f.id}: {f.test[:120]}" for f in failures if f.id not in NOT_HELD_BY_CFIT})
    assert broken == []


def failed(spec: TenderSpec) -> set[str]:
    return {f.id for f in validate(eforms.contract_notice(spec), shared(*SCHEMATRONS), "eforms-16")}


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_with_every_term_and_detail_answered_the_notice_breaks_no_rule(language: str) -> None:
    """A full notice, publishable as it is: every rule of subtype 16 passes."""
    spec = notice_spec(language, buyer_details=FULL_BUYER_DETAILS, notice_terms=ANSWERED_TERMS)

    failures = validate(eforms.contract_notice(spec), shared(*SCHEMATRONS), "eforms-16")

    assert sorted({f"{f.id}: {f.test[:120]}" for f in failures}) == []


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_with_nothing_answered_exactly_the_rules_for_the_esender_fail(language: str) -> None:
    assert failed(notice_spec(language)) == set(NOT_HELD_BY_CFIT)


#: Each notice term answered alone (or the terms one rule asks for together, or the review body), with the
#: buyer's details it draws on (``buyer_details``), and the rules of NOT_HELD_BY_CFIT it meets.
ALONE = [
    pytest.param(
        {"documents_url": "https://x.example.nl/docs"}, {"ND-LotProcurementDocument-16"}, id="BT-15"
    ),
    pytest.param({"submission_url": "https://x.example.nl/offers"}, {"BR-BT-00018-0022"}, id="BT-18"),
    pytest.param({"electronic_submission": ElectronicMeans.REQUIRED}, {"BR-BT-00017-0022"}, id="BT-17"),
    pytest.param(
        {"electronic_submission": ElectronicMeans.ALLOWED}, {"BR-BT-00017-0022"}, id="BT-17 allowed"
    ),
    pytest.param(
        {
            "electronic_submission": ElectronicMeans.NOT_ALLOWED,
            "nonelectronic_justification": NonElectronicJustification.PHYSICAL_MODEL,
            "nonelectronic_description": "Per post, met een model op schaal.",
        },
        # with no electronic submission, no submission address is asked for either
        {"BR-BT-00017-0022", "BR-BT-00018-0022"},
        id="BT-17 not allowed, BT-19, BT-745",
    ),
    pytest.param({"offer_validity_days": 90}, {"BR-BT-00098-0022", "BR-OPT-00098-0022"}, id="BT-98"),
    pytest.param({"contract_months": 24}, {"BR-BT-00137-0214"}, id="BT-36"),
    pytest.param(
        {"performance_place": PerformancePlace.COUNTRY},
        {"BR-BT-00727-0228", "BR-BT-00727-0230"},
        id="BT-727 country",
    ),
    pytest.param(
        {"performance_place": PerformancePlace.EEA}, {"BR-BT-00727-0228", "BR-BT-00727-0230"}, id="BT-727 EEA"
    ),
    pytest.param(
        {"performance_place": PerformancePlace.ANYWHERE},
        {"BR-BT-00727-0228", "BR-BT-00727-0230"},
        id="BT-727 anywhere",
    ),
    pytest.param(
        {"performance_place": PerformancePlace.BUYER, "buyer_details": BUYER_DETAILS},
        {"BR-BT-00727-0228", "BR-BT-00727-0230"},
        id="BT-5141 at the buyer's address",
    ),
    pytest.param({"eu_funded": True}, {"BR-BT-00060-0022"}, id="BT-60"),
    pytest.param(
        {"reserved_participation": ReservedParticipation.SHELTERED}, {"BR-BT-00071-0072"}, id="BT-71"
    ),
    pytest.param({"reserved_execution": False}, {"BR-BT-00736-0073"}, id="BT-736"),
    pytest.param({"e_invoicing": ElectronicMeans.REQUIRED}, {"BR-BT-00743-0022"}, id="BT-743"),
    pytest.param({"e_catalogue": ElectronicMeans.NOT_ALLOWED}, {"BR-BT-00764-0022"}, id="BT-764"),
    pytest.param({"framework_agreement": FrameworkAgreement.NONE}, {"BR-BT-00765-0073"}, id="BT-765"),
    pytest.param(
        {
            "framework_agreement": FrameworkAgreement.WITH_REOPENING,
            "contract_months": 60,
            "framework_duration_justification": "Apparaten gaan zes jaar mee; de raamovereenkomst ook.",
        },
        {"BR-BT-00765-0073", "BR-BT-00137-0214"},
        id="BT-765 beyond four years, BT-109",
    ),
    pytest.param({"e_ordering": True, "e_payment": True}, {"ND-PostAwardProcess-16"}, id="BT-92, BT-93"),
    pytest.param({"gpa": False}, {"BR-BT-00115-0073"}, id="BT-115"),
    pytest.param({"review_body": REVIEW_BODY}, {"ND-LotReviewTerms-16"}, id="review body"),
]


@pytest.mark.parametrize(("answer", "rules"), ALONE)
def test_each_term_answered_alone_meets_its_rules_and_breaks_none(
    answer: dict[str, object], rules: set[str]
) -> None:
    """``buyer_details`` in an answer: the details the answer draws on, in the notice without it too."""
    details = answer.get("buyer_details", BuyerDetails())
    assert isinstance(details, BuyerDetails)
    terms = {key: value for key, value in answer.items() if key not in ("buyer_details", "review_body")}
    review = answer.get("review_body", details.review_body)
    without = notice_spec("nl", buyer_details=details)
    before = failed(without)

    answered = failed(
        replace(
            without, buyer_details=replace(details, review_body=review), notice_terms=NoticeTerms(**terms)
        )
    )

    assert rules <= before  # the rules do ask for the answer
    assert answered == before - rules


def test_every_rule_for_a_term_is_met_by_answering_it() -> None:
    assert set().union(*(p.values[1] for p in ALONE)) == set(NOTICE_TERMS_RULES)


def test_a_buyer_that_filled_in_its_notice_details_meets_the_rules_about_itself() -> None:
    """With every notice detail of the organisation, none of the rules about the buyer fails, and no
    other rule starts failing."""
    details = BuyerDetails(
        legal_type="cga",
        main_activity="econ-aff",
        registration_number="NL-RWS-123456",
        street="Griffioenlaan 2",
        post_code="3526 LA",
        town="Utrecht",
        nuts_code="NL350",
        telephone="+31 30 123 45 67",
    )

    failures = validate(
        eforms.contract_notice(notice_spec("nl", buyer_details=details)), shared(*SCHEMATRONS), "eforms-16"
    )

    failed = {f.id for f in failures}
    assert failed & set(BUYER_DETAILS_RULES) == set()
    without = validate(eforms.contract_notice(notice_spec("nl")), shared(*SCHEMATRONS), "eforms-16")
    assert set(BUYER_DETAILS_RULES) <= {f.id for f in without}  # the rules do ask for these details
    broken = sorted({f"{f.id}: {f.test[:120]}" for f in failures if f.id not in NOT_HELD_BY_CFIT})
    assert broken == []
