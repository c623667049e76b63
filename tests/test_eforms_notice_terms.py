"""The tender's notice terms and the buyer's review body in the eForms contract notice.

Each answered term is read back with the SDK's XPath (``eforms.FIELDS``) and holds the answer, in every
lot (and, for the place of performance, in the procedure too); the notice stays valid against the SDK's
schema with every term answered; a term whose answer the SDK ties to another (BT-19, BT-745, BT-109,
BT-98) is written only where the SDK allows it; a code outside its eForms list, a web address that is
none, or an answer that contradicts another is refused with a NoticeError. The code lists the notice
checks without a genericode file are compared with the SDK's Schematron rules. Whether the SDK's
business rules pass is ``test_eforms_schematron``'s matter.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from lxml import etree

from cfit.tenders import eforms
from cfit.tenders.spec import (
    BuyerDetails,
    ElectronicMeans,
    FrameworkAgreement,
    NonElectronicJustification,
    NoticeTerms,
    PerformancePlace,
    ReservedParticipation,
    ReviewBody,
    TenderSpec,
)

from .tender_helpers import ANSWERED_TERMS, BUYER_DETAILS, FULL_BUYER_DETAILS, REVIEW_BODY, shared
from .test_eforms_notice import spec_in, xsd_errors

LOTS = 2  #: spec_in's tender has two lots (notebooks, monitors)


def full_spec(language: str = "nl", **terms: Any) -> TenderSpec:
    return spec_in(language, buyer_details=FULL_BUYER_DETAILS, notice_terms=replace(ANSWERED_TERMS, **terms))


def read(spec: TenderSpec) -> etree._Element:
    return etree.fromstring(eforms.contract_notice(spec))


def values(root: etree._Element, bt: str) -> list[str]:
    """A field's values by the SDK's absolute XPath (an attribute's value as it is, an element's text)."""
    found = root.xpath(eforms.FIELDS[bt], namespaces=eforms.NS)
    return [v if isinstance(v, str) else v.text or "" for v in found]


@pytest.mark.parametrize("language", ["nl", "fr", "de", "en"])
def test_with_every_term_answered_the_notice_validates_against_the_sdk_schema(language: str) -> None:
    assert xsd_errors(eforms.contract_notice(full_spec(language))) == []


@pytest.mark.parametrize(
    "terms",
    [
        pytest.param(
            {
                "electronic_submission": ElectronicMeans.NOT_ALLOWED,
                "submission_url": "",
                "nonelectronic_justification": NonElectronicJustification.SENSITIVE,
                "nonelectronic_description": "Per koerier, in een verzegelde envelop.",
            },
            id="not electronic",
        ),
        pytest.param(
            {
                "framework_agreement": FrameworkAgreement.MIXED,
                "contract_months": 72,
                "framework_duration_justification": "Zes jaar, de levensduur van de apparaten.",
            },
            id="framework of six years",
        ),
        pytest.param({"performance_place": PerformancePlace.COUNTRY}, id="in the country"),
        pytest.param({"performance_place": PerformancePlace.EEA}, id="in the EEA"),
        pytest.param({"performance_place": PerformancePlace.ANYWHERE}, id="anywhere"),
    ],
)
def test_each_other_answer_keeps_the_notice_valid(terms: dict[str, Any]) -> None:
    assert xsd_errors(eforms.contract_notice(full_spec("nl", **terms))) == []


#: Each term's fields in every lot, as ANSWERED_TERMS, FULL_BUYER_DETAILS and spec_in answer them.
IN_EACH_LOT = {
    "BT-15-Lot": ANSWERED_TERMS.documents_url,
    "BT-14-Lot": "non-restricted-document",
    "OPT-140-Lot": "RWS-2027-01",  # the documents are named by the tender's reference
    "BT-18-Lot": ANSWERED_TERMS.submission_url,
    "BT-17-Lot": "required",
    "BT-98-Lot": "90",
    "BT-98-Lot-Unit": "DAY",
    "BT-36-Lot": "36",
    "BT-36-Lot-Unit": "MONTH",
    "BT-5131-Lot": "Utrecht",
    "BT-5121-Lot": "3526 LA",
    "BT-5071-Lot": "NL350",
    "BT-5141-Lot": "NLD",
    "BT-60-Lot": "no-eu-funds",
    "BT-71-Lot": "none",
    "BT-736-Lot": "no",
    "BT-743-Lot": "required",
    "BT-764-Lot": "allowed",
    "BT-765-Lot": "none",
    "BT-92-Lot": "true",
    "BT-93-Lot": "false",
    "BT-115-Lot": "true",
    "BT-821-Lot": "epo-procurement-document",
    "BT-99-Lot": REVIEW_BODY.deadlines,
    "OPT-301-Lot-ReviewOrg": "ORG-0002",
}
#: Fields of the notice as a whole.
ONCE = {
    "BT-806-Procedure": ["epo-procurement-document"],
    "BT-31-Procedure": ["2"],  # a tenderer may offer for both lots
    "BT-5131-Procedure": ["Utrecht"],
    "BT-5121-Procedure": ["3526 LA"],
    "BT-5071-Procedure": ["NL350"],
    "BT-5141-Procedure": ["NLD"],
    "BT-727-Procedure": [],
    "BT-727-Lot": [],  # at the buyer's address: no "other place"
    "BT-19-Lot": [],  # electronic submission is required: no ground for its absence
    "BT-745-Lot": [],
    "BT-109-Lot": [],  # no framework agreement
}


@pytest.mark.parametrize("bt", sorted(IN_EACH_LOT))
def test_each_answered_term_reads_back_in_every_lot(bt: str) -> None:
    assert values(read(full_spec()), bt) == [IN_EACH_LOT[bt]] * LOTS


@pytest.mark.parametrize("bt", sorted(ONCE))
def test_the_procedure_s_fields_and_those_the_answers_leave_out_read_back(bt: str) -> None:
    assert values(read(full_spec()), bt) == ONCE[bt]


def test_the_review_body_is_an_organisation_of_its_own_in_the_buyer_s_country() -> None:
    root = read(full_spec("fr"))

    assert values(root, "OPT-200-Organization-Company") == ["ORG-0001", "ORG-0002"]
    assert values(root, "BT-500-Organization-Company") == ["Rijkswaterstaat", REVIEW_BODY.name]
    assert values(root, "BT-501-Organization-Company") == ["NL-RWS-123456", REVIEW_BODY.registration_number]
    assert values(root, "BT-513-Organization-Company") == ["Utrecht", REVIEW_BODY.town]
    assert values(root, "BT-512-Organization-Company") == ["3526 LA", REVIEW_BODY.post_code]
    assert values(root, "BT-507-Organization-Company") == ["NL350", REVIEW_BODY.nuts_code]
    assert values(root, "BT-514-Organization-Company") == ["NLD", "NLD"]
    assert values(root, "BT-506-Organization-Company") == ["inkoop@example.nl", REVIEW_BODY.email]
    # the buyer alone is the buyer; texts carry the notice's language
    assert values(root, "OPT-300-Procedure-Buyer") == ["ORG-0001"]
    names = root.xpath(eforms.FIELDS["BT-500-Organization-Company"], namespaces=eforms.NS)
    deadlines = root.xpath(eforms.FIELDS["BT-99-Lot"], namespaces=eforms.NS)
    assert {e.get("languageID") for e in names + deadlines} == {"FRA"}


def test_without_a_review_body_the_notice_names_none() -> None:
    root = read(spec_in("nl", buyer_details=BUYER_DETAILS, notice_terms=ANSWERED_TERMS))

    assert values(root, "OPT-200-Organization-Company") == ["ORG-0001"]
    assert values(root, "OPT-301-Lot-ReviewOrg") == values(root, "BT-99-Lot") == []


#: Answers beside ANSWERED_TERMS, and what each lot then says.
OTHER_ANSWERS = [
    pytest.param(
        {"performance_place": PerformancePlace.COUNTRY},
        {"BT-727-Lot": ["anyw-cou"], "BT-5141-Lot": ["NLD"], "BT-5131-Lot": [], "BT-5071-Lot": []},
        id="anywhere in the country",
    ),
    pytest.param(
        {"performance_place": PerformancePlace.EEA},
        {"BT-727-Lot": ["anyw-eea"], "BT-5141-Lot": []},
        id="anywhere in the EEA: no country",
    ),
    pytest.param(
        {"performance_place": PerformancePlace.ANYWHERE},
        {"BT-727-Lot": ["anyw"], "BT-5141-Lot": []},
        id="anywhere: no country",
    ),
    pytest.param(
        {"eu_funded": True, "reserved_execution": True, "gpa": False, "e_ordering": False},
        {"BT-60-Lot": ["eu-funds"], "BT-736-Lot": ["yes"], "BT-115-Lot": ["false"], "BT-92-Lot": ["false"]},
        id="the other answer of each yes or no",
    ),
    pytest.param(
        {
            "reserved_participation": ReservedParticipation.PUBLIC_SERVICE,
            "e_invoicing": ElectronicMeans.ALLOWED,
            "e_catalogue": ElectronicMeans.NOT_ALLOWED,
            "framework_agreement": FrameworkAgreement.WITHOUT_REOPENING,
        },
        {
            "BT-71-Lot": ["res-pub-ser"],
            "BT-743-Lot": ["allowed"],
            "BT-764-Lot": ["not-allowed"],
            "BT-765-Lot": ["fa-wo-rc"],
            "BT-109-Lot": [],  # three years: no justification is asked for
        },
        id="other codes",
    ),
    pytest.param(
        {
            "electronic_submission": ElectronicMeans.NOT_ALLOWED,
            "submission_url": "",
            "nonelectronic_justification": NonElectronicJustification.OFFICE_EQUIPMENT,
            "nonelectronic_description": "Op papier.",
        },
        {
            "BT-17-Lot": ["not-allowed"],
            "BT-19-Lot": ["sp-of-eq"],
            "BT-745-Lot": ["Op papier."],
            "BT-18-Lot": [],
        },
        id="not electronic: ground and description",
    ),
    pytest.param(
        {
            "electronic_submission": ElectronicMeans.ALLOWED,
            "nonelectronic_justification": NonElectronicJustification.OFFICE_EQUIPMENT,
            "nonelectronic_description": "Ook op papier.",
        },
        # the SDK forbids BT-19 unless electronic submission is not allowed; BT-745 may stay
        {"BT-17-Lot": ["allowed"], "BT-19-Lot": [], "BT-745-Lot": ["Ook op papier."]},
        id="electronic allowed: no ground",
    ),
    pytest.param(
        {
            "nonelectronic_justification": NonElectronicJustification.OFFICE_EQUIPMENT,
            "nonelectronic_description": "x",
        },
        {"BT-17-Lot": ["required"], "BT-19-Lot": [], "BT-745-Lot": []},
        id="electronic required: neither",
    ),
    pytest.param(
        {
            "framework_agreement": FrameworkAgreement.WITH_REOPENING,
            "contract_months": 60,
            "framework_duration_justification": "Vijf jaar.",
        },
        {"BT-765-Lot": ["fa-w-rc"], "BT-36-Lot": ["60"], "BT-109-Lot": ["Vijf jaar."]},
        id="framework beyond four years: justified",
    ),
    pytest.param(
        {
            "framework_agreement": FrameworkAgreement.WITH_REOPENING,
            "contract_months": 48,
            "framework_duration_justification": "Vier jaar.",
        },
        {"BT-36-Lot": ["48"], "BT-109-Lot": []},
        id="framework of four years: no justification",
    ),
    pytest.param(
        {
            "framework_agreement": FrameworkAgreement.NONE,
            "contract_months": 60,
            "framework_duration_justification": "x",
        },
        {"BT-109-Lot": []},
        id="no framework agreement: no justification",
    ),
]


@pytest.mark.parametrize(("terms", "expected"), OTHER_ANSWERS)
def test_each_answer_reads_back_as_given(terms: dict[str, Any], expected: dict[str, list[str]]) -> None:
    """``expected``: each field's value in a lot ([] where the notice leaves it out), the same in each."""
    root = read(full_spec("nl", **terms))

    assert {bt: values(root, bt) for bt in expected} == {bt: found * LOTS for bt, found in expected.items()}


def test_the_buyer_s_address_as_place_leaves_out_what_the_buyer_did_not_fill_in() -> None:
    details = BuyerDetails(post_code="3526 LA", nuts_code="NL350")

    root = read(
        spec_in(
            "nl", buyer_details=details, notice_terms=NoticeTerms(performance_place=PerformancePlace.BUYER)
        )
    )

    # BT-5121 is forbidden without a town (BT-5131); the region and country stay
    assert values(root, "BT-5131-Lot") == values(root, "BT-5121-Lot") == []
    assert values(root, "BT-5071-Lot") == ["NL350"] * LOTS
    assert values(root, "BT-5141-Procedure") == ["NLD"]


def test_offer_validity_is_stated_in_an_open_procedure_only() -> None:
    """The SDK forbids BT-98 in a restricted procedure: the invitation to tender states it there."""
    open_notice = read(full_spec())
    restricted = read(replace(full_spec(), procedure="restricted"))

    assert values(open_notice, "BT-98-Lot") == ["90"] * LOTS
    assert values(restricted, "BT-98-Lot") == []


def test_nothing_answered_leaves_every_term_out() -> None:
    root = read(spec_in("nl"))

    answered = [bt for bt in IN_EACH_LOT if bt != "BT-821-Lot" and values(root, bt)]
    assert answered == []
    # what cfit itself states, answered or not
    assert values(root, "BT-821-Lot") == ["epo-procurement-document"] * LOTS
    assert values(root, "BT-806-Procedure") == ["epo-procurement-document"]
    assert values(root, "BT-31-Procedure") == ["2"]
    assert xsd_errors(eforms.contract_notice(spec_in("nl"))) == []


def test_a_notice_of_one_lot_states_no_maximum_of_lots() -> None:
    """The SDK forbids BT-31 where there is one lot."""
    spec = spec_in("nl", groups=("notebooks",), notice_terms=ANSWERED_TERMS)

    assert values(read(spec), "BT-31-Procedure") == []


@pytest.mark.parametrize(
    ("term", "code"),
    [
        ("electronic_submission", "electronic"),
        ("e_invoicing", "sometimes"),
        ("e_catalogue", "REQUIRED"),
        ("reserved_participation", "res-x"),
        ("framework_agreement", "fa"),
        ("performance_place", "moon"),
        ("nonelectronic_justification", "lazy"),
    ],
)
def test_a_code_outside_its_list_is_refused(term: str, code: str) -> None:
    """As the database may hold a string that no enum member has (a list changed, a bad import)."""
    # offers not submitted electronically, so that the ground (BT-19) is written and checked too
    answers: dict[str, Any] = {"electronic_submission": ElectronicMeans.NOT_ALLOWED, "submission_url": ""}
    terms = replace(ANSWERED_TERMS, **(answers | {term: code}))

    with pytest.raises(eforms.NoticeError, match=re.escape(repr(code))):
        eforms.contract_notice(spec_in("nl", notice_terms=terms))


@pytest.mark.parametrize(
    "terms",
    [
        {"documents_url": "tenders.example.nl/docs"},
        {"submission_url": "https://tenders example.nl"},
        {"submission_url": "mailto:inkoop@example.nl"},
    ],
)
def test_a_web_address_that_is_none_is_refused(terms: dict[str, str]) -> None:
    with pytest.raises(eforms.NoticeError, match="web address"):
        eforms.contract_notice(spec_in("nl", notice_terms=NoticeTerms(**terms)))


def test_a_web_address_with_blanks_around_it_is_written_without() -> None:
    root = read(spec_in("nl", notice_terms=NoticeTerms(documents_url="  www.example.nl/docs ")))

    assert values(root, "BT-15-Lot") == ["www.example.nl/docs"] * LOTS


@pytest.mark.parametrize(("term", "value"), [("offer_validity_days", 0), ("contract_months", -3)])
def test_a_duration_of_nothing_is_refused(term: str, value: int) -> None:
    with pytest.raises(eforms.NoticeError, match="not a duration"):
        eforms.contract_notice(spec_in("nl", notice_terms=NoticeTerms(**{term: value})))


def test_a_submission_address_where_offers_may_not_be_submitted_electronically_is_refused() -> None:
    """The SDK forbids BT-18 then; writing either answer alone would hide the contradiction."""
    terms = NoticeTerms(
        electronic_submission=ElectronicMeans.NOT_ALLOWED, submission_url="https://x.example.nl"
    )

    with pytest.raises(eforms.NoticeError, match="may not be submitted electronically"):
        eforms.contract_notice(spec_in("nl", notice_terms=terms))


def test_a_review_body_without_a_name_is_not_written() -> None:
    """A review body is named or not given: its other details alone would make an organisation without
    a name (BT-500 is mandatory)."""
    details = BuyerDetails(review_body=ReviewBody(town="Den Haag", deadlines="20 dagen"))

    root = read(spec_in("nl", buyer_details=details))

    assert values(root, "OPT-200-Organization-Company") == ["ORG-0001"]
    assert values(root, "BT-99-Lot") == []


#: The Schematron rule that lists each inline code list's codes (validation-stage-3b.sch).
CODE_LIST_RULES = {
    "esubmission": "BR-BT-00017-0052",
    "no-esubmission-justification": "BR-BT-00019-0052",
    "einvoicing": "BR-BT-00743-0052",
    "ecatalog-submission": "BR-BT-00764-0052",
    "reserved-procurement": "BR-BT-00071-0102",
    "reserved-execution": "BR-BT-00736-0104",
    "framework-agreement": "BR-BT-00765-0104",
    "eu-funded": "BR-BT-00060-0052",
    "other-place-service": "BR-BT-00727-0156",
    "document-distribution": "BR-BT-00014-0104",
    "selection-criteria-source": "BR-BT-00821-0051",
    "exclusion-grounds-source": "BR-BT-00806-0051",
}


def test_each_inline_code_list_has_the_codes_the_sdk_s_rule_accepts() -> None:
    rules = shared("eforms-sdk", "schematrons", "static", "validation-stage-3b.sch").read_text()
    assert set(CODE_LIST_RULES) == set(eforms.INLINE_CODE_LISTS)

    for list_name, rule in CODE_LIST_RULES.items():
        test = re.search(rf'<assert id="{rule}"[^>]*test="normalize-space\(\.\) = \(([^)]*)\)"', rules)
        assert test, rule
        assert set(re.findall(r"'([^']*)'", test.group(1))) == eforms.INLINE_CODE_LISTS[list_name], list_name
    # no list is shipped as a file in the SDK data at hand, or it would be shipped, not inline
    sdk = {path.stem for path in shared("eforms-sdk", "codelists").glob("*.gc")}
    sdk |= {path.stem for path in shared("eforms", "codelists").glob("*.gc")}
    assert sdk & set(eforms.INLINE_CODE_LISTS) == set()


@pytest.mark.parametrize(
    ("enum", "list_name", "beside"),
    [
        (ElectronicMeans, "esubmission", set()),
        (ElectronicMeans, "einvoicing", set()),
        (ElectronicMeans, "ecatalog-submission", set()),
        (NonElectronicJustification, "no-esubmission-justification", set()),
        (ReservedParticipation, "reserved-procurement", set()),
        (FrameworkAgreement, "framework-agreement", set()),
        (PerformancePlace, "other-place-service", {"buyer"}),  # the buyer's address is no "other place"
    ],
)
def test_every_answer_a_buyer_may_give_is_a_code_of_its_list(
    enum: Any, list_name: str, beside: set[str]
) -> None:
    assert {member.value for member in enum} - beside == eforms.codes(list_name)
