"""A buyer's notice details: entered once by its administrators, carried by every contract notice.

Ada administers Rijkswaterstaat; Pia is one of its procurers and Vera reads its pages; Gert administers
the City of Ghent. Ada fills in the legal type, main activity, registration number, address, NUTS
region and telephone; the next eForms notice of a Rijkswaterstaat tender names them where the SDK puts
them (BT-10, BT-11, BT-501, BT-503, BT-507, BT-510(a), BT-512, BT-513) and stays valid against the
SDK's schema, as a notice of a buyer that filled in nothing does.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from lxml import etree

from cfit.accounts import actions, eforms_codes
from cfit.accounts.eforms_codes import BuyerActivity, BuyerLegalType
from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.criteria.content import load_framework_dir
from cfit.criteria.models import FrameworkVersion
from cfit.tenders import actions as tender_actions
from cfit.tenders import eforms
from cfit.tenders.spec import BuyerDetails, ReviewBody, TenderSpec, build_spec

from .conftest import Persona, make_persona
from .tender_helpers import shared

Role = Membership.Role
Type = Organisation.Type

#: What Ada types in the form (the NUTS code in lower case: it is saved in capitals).
FORM = {
    "legal_type": "cga",
    "main_activity": "econ-aff",
    "registration_number": "NL-RWS-123456",
    "street": "Griffioenlaan 2",
    "post_code": "3526 LA",
    "town": "Utrecht",
    "nuts_code": "nl350",
    "telephone": "+31 30 123 45 67",
    "review_body_name": "Rechtbank Den Haag",
    "review_body_registration_number": "NL-RBDH-0001",
    "review_body_post_code": "2595 AJ",
    "review_body_town": "Den Haag",
    "review_body_nuts_code": "nl361",
    "review_body_email": "griffie@example.nl",
    "review_deadlines": "Binnen 20 kalenderdagen na de gunningsbeslissing.",
}
SAVED = {**FORM, "nuts_code": "NL350", "review_body_nuts_code": "NL361"}
FULL = BuyerDetails(
    **{name: SAVED[name] for name in Organisation.NOTICE_DETAILS if name not in Organisation.REVIEW_BODY},
    review_body=ReviewBody(
        name="Rechtbank Den Haag",
        registration_number="NL-RBDH-0001",
        town="Den Haag",
        post_code="2595 AJ",
        nuts_code="NL361",
        email="griffie@example.nl",
        deadlines="Binnen 20 kalenderdagen na de gunningsbeslissing.",
    ),
)


def url(slug: str = "rijkswaterstaat") -> str:
    return f"/organisations/{slug}/notice-details/"


@pytest.fixture
def ada(db: Any) -> Persona:
    return make_persona("ada", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.ADMIN)


@pytest.fixture
def vera(ada: Persona) -> Persona:
    return make_persona("vera", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.VIEWER)


@pytest.fixture
def gert(db: Any) -> Persona:
    return make_persona("gert", "city-of-ghent", Type.PROCURING_PARTICIPANT, Role.ADMIN, country="BE")


def details_of(organisation: Organisation) -> dict[str, str]:
    organisation.refresh_from_db()
    return {name: getattr(organisation, name) for name in Organisation.NOTICE_DETAILS}


def blank() -> dict[str, str]:
    return dict.fromkeys(Organisation.NOTICE_DETAILS, "")


def values(root: etree._Element, bt: str) -> list[str]:
    return [e.text or "" for e in root.xpath(eforms.FIELDS[bt], namespaces=eforms.NS)]


def xsd_errors(xml: bytes) -> list[str]:
    schema = etree.XMLSchema(
        etree.parse(str(shared("eforms-sdk", "schemas", "maindoc", "UBL-ContractNotice-2.3.xsd")))
    )
    schema.validate(etree.fromstring(xml))
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def spec_with(details: BuyerDetails) -> TenderSpec:
    spec = build_spec(
        load_framework_dir(),
        product_groups=["notebooks"],
        language="nl",
        reference="RWS-2027-01",
        buyer="Rijkswaterstaat",
        buyer_country="NL",
    )
    return replace(spec, buyer_email="inkoop@example.nl", buyer_details=details)


# -- the page


def test_an_administrator_fills_the_details_and_the_next_notice_carries_them(
    ada: Persona, framework: FrameworkVersion
) -> None:
    client = Client()
    client.force_login(ada.user)
    organisation_page = client.get(f"/organisations/{ada.organisation.slug}/").content.decode()
    assert f'href="{url()}"' in organisation_page

    response = client.post(url(), FORM, follow=True)

    assert response.redirect_chain == [(url(), 302)]
    assert "The notice details of Rijkswaterstaat are saved." in response.content.decode()
    assert details_of(ada.organisation) == SAVED
    audit = AuditRecord.objects.get(action=AuditRecord.Action.NOTICE_DETAILS_SAVED)
    assert audit.actor == ada.user and audit.organisation == ada.organisation
    assert audit.before == blank() and audit.after == SAVED

    tender = tender_actions.create_tender(
        ada.organisation, title="Laptops 2027", reference="RWS-2027-01", language="nl", acting_user=ada.user
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=500, acting_user=ada.user)
    root = etree.fromstring(eforms.contract_notice(tender_actions.tender_spec(tender)))

    assert values(root, "BT-11-Procedure-Buyer") == ["cga"]
    assert values(root, "BT-10-Procedure-Buyer") == ["econ-aff"]
    assert values(root, "BT-501-Organization-Company") == [
        "NL-RWS-123456",
        "NL-RBDH-0001",
    ]  # and the review body
    assert values(root, "BT-510(a)-Organization-Company") == ["Griffioenlaan 2"]
    assert values(root, "BT-512-Organization-Company") == ["3526 LA", "2595 AJ"]
    assert values(root, "BT-513-Organization-Company") == ["Utrecht", "Den Haag"]
    assert values(root, "BT-507-Organization-Company") == ["NL350", "NL361"]
    assert values(root, "BT-503-Organization-Company") == ["+31 30 123 45 67"]
    assert values(root, "BT-514-Organization-Company") == ["NLD", "NLD"]
    page = client.get(f"/organisations/{ada.organisation.slug}/").content.decode()
    assert "Central government authority" in page and "Griffioenlaan 2" in page and "NL350" in page


def test_saving_the_same_details_again_writes_no_second_record(ada: Persona) -> None:
    client = Client()
    client.force_login(ada.user)
    client.post(url(), FORM)
    client.post(url(), {**FORM, "telephone": "+31 30 765 43 21"})
    client.post(url(), {**FORM, "telephone": "+31 30 765 43 21"})

    records = AuditRecord.objects.filter(action=AuditRecord.Action.NOTICE_DETAILS_SAVED).order_by("pk")
    assert records.count() == 2
    assert records[1].before == {"telephone": "+31 30 123 45 67"}
    assert records[1].after == {"telephone": "+31 30 765 43 21"}


def test_a_procurer_and_a_viewer_are_refused_and_another_organisation_s_admin_does_not_see_it(
    ada: Persona, vera: Persona, procurer: Persona, gert: Persona
) -> None:
    for persona, status in ((procurer, 403), (vera, 403), (gert, 404)):
        client = Client()
        client.force_login(persona.user)
        assert client.get(url()).status_code == status, persona.user.username
        assert client.post(url(), FORM).status_code == status, persona.user.username
        page = client.get(f"/organisations/{persona.organisation.slug}/").content.decode()
        assert f'href="{url()}"' not in page
    assert Client().post(url(), FORM).status_code == 302  # to sign in

    assert details_of(ada.organisation) == blank()
    assert not AuditRecord.objects.filter(action=AuditRecord.Action.NOTICE_DETAILS_SAVED).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nuts_code", "BE234", "A NUTS region in this organisation&#x27;s country starts with NL."),
        ("nuts_code", "NL35", "A NUTS region is a code of five capital letters and digits, e.g. NL123"),
        ("nuts_code", "NL-35", "A NUTS region is a code of five capital letters and digits"),
        ("telephone", "030/1234567", "Write the number with digits, spaces, hyphens and brackets only"),
        ("telephone", "+31 30 12 34 56 78 ext. 9", "Write the number with digits, spaces, hyphens"),
        ("telephone", "+31 " + "1" * 30, "Ensure this value has at most 30 characters"),
        ("town", "", "An address with a street needs its town."),
        ("legal_type", "utilities", "Select a valid choice."),
    ],
)
def test_a_bad_detail_is_shown_next_to_its_field_and_nothing_is_saved(
    ada: Persona, field: str, value: str, message: str
) -> None:
    client = Client()
    client.force_login(ada.user)

    response = client.post(url(), {**FORM, field: value})

    assert response.status_code == 200
    page = response.content.decode()
    errors = re.search(rf'<div class="problems" id="errors-{field}" role="alert">(.*?)</div>', page, re.S)
    assert errors is not None and message in errors.group(1), page
    assert details_of(ada.organisation) == blank()
    assert not AuditRecord.objects.filter(action=AuditRecord.Action.NOTICE_DETAILS_SAVED).exists()


# -- the action and the rules


def test_the_action_refuses_what_the_form_would_and_saves_nothing(ada: Persona) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.save_notice_details(
            ada.organisation, {"nuts_code": "FRK26", "telephone": "call us"}, acting_user=ada.user
        )

    assert set(refused.value.message_dict) == {"nuts_code", "telephone"}
    assert details_of(ada.organisation) == blank()
    with pytest.raises(TypeError):
        actions.save_notice_details(ada.organisation, {"name": "Other"}, acting_user=ada.user)


def test_greek_nuts_codes_start_with_el_not_gr(db: Any) -> None:
    athens = Organisation.objects.create(
        slug="athens", name="Dimos Athinaion", country="GR", type=Type.PROCURING_PARTICIPANT
    )

    saved = actions.save_notice_details(athens, {"nuts_code": "el303"}, acting_user=None)

    assert saved.nuts_code == "EL303"
    with pytest.raises(ValidationError) as refused:
        actions.save_notice_details(athens, {"nuts_code": "GR303"}, acting_user=None)
    assert refused.value.error_dict["nuts_code"][0].code == "nuts_country"


@pytest.mark.parametrize(
    "number", ["+31 30 123 45 67", "(+352) 2929-1", "030 - 123 45 67", "+352 292944331", "0800-8002"]
)
def test_a_telephone_number_as_the_sdk_writes_one(number: str) -> None:
    assert eforms_codes.is_telephone(number)


@pytest.mark.parametrize("number", ["", "+", "030/123", "ab 12", "12 (3", "+31--30", "(+31)"])
def test_not_a_telephone_number(number: str) -> None:
    assert not eforms_codes.is_telephone(number)


def test_a_long_wrong_number_is_refused_at_once() -> None:
    """The SDK's pattern, as written, takes exponential time on a row of digits ending in a wrong
    character; cfit's equivalent does not."""
    started = time.perf_counter()

    assert not eforms_codes.is_telephone("1 " * 40 + "x")
    assert not eforms_codes.is_telephone("1" * 200 + "/")
    assert time.perf_counter() - started < 0.1


def test_the_codes_are_those_the_sdk_checks() -> None:
    """BT-11 and BT-10 take exactly the codes the SDK 1.15.1's rules accept (buyer-legal-type and
    authority-activity), and the demo's NUTS regions are codes of its list."""
    from cfit.demo.accounts import NOTICE_DETAILS

    rules = shared("eforms-sdk", "schematrons", "static", "validation-stage-3b.sch").read_text()

    def codes_of(rule: str) -> set[str]:
        found = re.search(rf'id="{rule}"[^>]*test="normalize-space\(\.\) = \(([^)]*)\)"', rules)
        assert found is not None, rule
        return set(re.findall(r"'([^']+)'", found.group(1)))

    assert set(BuyerLegalType.values) == codes_of("BR-BT-00011-0052")
    assert set(BuyerActivity.values) == codes_of("BR-BT-00010-0052")
    nuts = codes_of("BR-BT-00507-0208")
    assert all(eforms_codes.is_nuts_level_3(code) for code in nuts)
    assert {details["nuts_code"] for details in NOTICE_DETAILS.values()} <= nuts


# -- the notice


def test_the_notice_with_every_detail_is_valid_and_in_the_schema_s_order() -> None:
    xml = eforms.contract_notice(spec_with(FULL))
    root = etree.fromstring(xml)

    assert xsd_errors(xml) == []
    company = root.xpath(eforms.FIELDS["BT-500-Organization-Company"], namespaces=eforms.NS)[0]
    company = company.getparent().getparent()
    assert [etree.QName(child).localname for child in company] == [
        "PartyIdentification", "PartyName", "PostalAddress", "PartyLegalEntity", "Contact",
    ]  # fmt: skip
    address = company.find("cac:PostalAddress", eforms.NS)
    assert [etree.QName(child).localname for child in address] == [
        "StreetName", "CityName", "PostalZone", "CountrySubentityCode", "Country",
    ]  # fmt: skip
    assert address.find("cbc:CountrySubentityCode", eforms.NS).get("listName") == "nuts"
    contact = company.find("cac:Contact", eforms.NS)
    assert [etree.QName(child).localname for child in contact] == ["Telephone", "ElectronicMail"]
    party = root.find("cac:ContractingParty", eforms.NS)
    assert [etree.QName(child).localname for child in party] == [
        "ContractingPartyType", "ContractingActivity", "Party",
    ]  # fmt: skip


def test_the_notice_of_a_buyer_that_filled_in_nothing_writes_none_of_them_and_stays_valid() -> None:
    xml = eforms.contract_notice(spec_with(BuyerDetails()))
    root = etree.fromstring(xml)

    assert xsd_errors(xml) == []
    for bt in (
        "BT-10-Procedure-Buyer", "BT-11-Procedure-Buyer", "BT-501-Organization-Company",
        "BT-503-Organization-Company", "BT-507-Organization-Company", "BT-510(a)-Organization-Company",
        "BT-512-Organization-Company", "BT-513-Organization-Company",
    ):  # fmt: skip
        assert values(root, bt) == [], bt
    assert values(root, "BT-514-Organization-Company") == ["NLD"]
    assert values(root, "BT-506-Organization-Company") == ["inkoop@example.nl"]
    assert not root.xpath("//cac:ContractingParty/cac:ContractingPartyType", namespaces=eforms.NS)


def test_a_part_of_the_details_is_written_alone_and_stays_valid() -> None:
    xml = eforms.contract_notice(
        spec_with(BuyerDetails(town="Utrecht", telephone="+31 30 123 45 67", legal_type="cga"))
    )
    root = etree.fromstring(xml)

    assert xsd_errors(xml) == []
    assert values(root, "BT-513-Organization-Company") == ["Utrecht"]
    assert values(root, "BT-503-Organization-Company") == ["+31 30 123 45 67"]
    assert values(root, "BT-11-Procedure-Buyer") == ["cga"]
    assert values(root, "BT-10-Procedure-Buyer") == values(root, "BT-501-Organization-Company") == []


def test_a_code_outside_the_lists_is_not_written() -> None:
    with pytest.raises(eforms.NoticeError, match="buyer-legal-type"):
        eforms.contract_notice(spec_with(BuyerDetails(legal_type="utilities")))


def test_the_tender_page_says_what_the_notice_leaves_out_of_the_buyer(
    ada: Persona, framework: FrameworkVersion
) -> None:
    """Before the eForms download: the details not filled in, and (for whoever may) where to enter
    them once; nothing once they are all there."""
    pia = make_persona("pia", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.PROCURER)
    tender = tender_actions.create_tender(
        ada.organisation, title="Laptops 2027", reference="RWS-2027-02", language="nl", acting_user=ada.user
    )
    page = f"/tenders/{tender.pk}/"
    admin, procurer = Client(), Client()
    admin.force_login(ada.user)
    procurer.force_login(pia.user)

    shown = admin.get(page).content.decode()
    assert "The notice leaves out the buyer's legal type, main activity, registration number" in shown
    assert f'href="{url()}"' in shown
    assert "The notice leaves out the buyer's" in procurer.get(page).content.decode()
    assert f'href="{url()}"' not in procurer.get(page).content.decode()  # not hers to fill in
    admin.post(url(), FORM)
    assert 'id="notice-details-missing"' not in admin.get(page).content.decode()
