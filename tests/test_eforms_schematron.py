"""The eForms SDK's Schematron business rules (subtype 16) on cfit's contract notice, run with Saxon.

First the runner is checked against the SDK's own reports: on each invalid example contract notice it
must find every failed assert the SDK's SVRL report lists (and on a valid example none). Then cfit's
notices: every rule passes except those asking for facts a cfit tender does not hold, listed below
with the reason; the buyer completes them in its eSender before publication.
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
from cfit.tenders.spec import BuyerDetails, TenderSpec, build_spec

from .tender_helpers import shared

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
#: Rules that ask for what a cfit tender does not record; each is for the buyer to complete.
NOT_HELD_BY_CFIT = {
    **BUYER_DETAILS_RULES,
    "BR-BT-00017-0022": "BT-17 whether offers must be submitted electronically (the buyer decides)",
    "BR-BT-00018-0022": "BT-18 where offers are submitted (the buyer's eSender or platform)",
    "BR-BT-00060-0022": "BT-60 EU funding (not recorded)",
    "BR-BT-00071-0072": "BT-71 reserved participation (not recorded)",
    "BR-BT-00821-0022": "BT-821 selection criteria source (the buyer's procurement documents)",
    "BR-BT-00098-0022": "BT-98 how long offers stay valid (not recorded)",
    "BR-OPT-00098-0022": "BT-98 idem",
    "BR-BT-00115-0073": "BT-115 GPA coverage (depends on the buyer's type and thresholds)",
    "BR-BT-00137-0214": "BT-36 the contract's duration (cfit records a service life, not a contract period)",
    "BR-BT-00727-0228": "BT-727/5141 place of performance (not recorded)",
    "BR-BT-00727-0230": "idem, per lot",
    "BR-BT-00736-0073": "BT-736 reserved execution (not recorded)",
    "BR-BT-00743-0022": "BT-743 e-invoicing (not recorded)",
    "BR-BT-00764-0022": "BT-764 e-catalogues (not recorded)",
    "BR-BT-00765-0073": "BT-765 framework agreement (not recorded for an open tender)",
    "ND-LotProcurementDocument-16": "BT-15 where the procurement documents are published (the buyer's platform)",
    "ND-LotReviewTerms-16": "BT-99/OPT-301 the review body and deadlines (national law)",
    "ND-PostAwardProcess-16": "BT-92/93 electronic ordering and payment (not recorded)",
    "ND-ProcedureTerms-16": "BT-67 exclusion grounds source (the buyer's procurement documents)",
}
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
