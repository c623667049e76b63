"""A tender's notice terms: what its contract notice states beyond its lots and criteria.

Pia is a procurer of Rijkswaterstaat and answers the terms of her draft tender once (where the documents
and the submission are, how long offers stay valid, the contract's duration and place, funding,
reservations, electronic processes, GPA); Vera reads Rijkswaterstaat's pages; Gert is a procurer of the
City of Ghent. Ada administers Rijkswaterstaat and names its review body in the notice details.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cfit.accounts import actions as account_actions
from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.criteria.models import FrameworkVersion
from cfit.tenders import actions
from cfit.tenders.models import Tender, TenderFrozen
from cfit.tenders.spec import (
    ElectronicMeans,
    FrameworkAgreement,
    NoticeTerms,
    PerformancePlace,
    ReservedParticipation,
)

from .conftest import Persona, make_persona

Role = Membership.Role
Type = Organisation.Type

BOOLEANS = {"eu_funded", "reserved_execution", "e_ordering", "e_payment", "gpa"}
#: What Pia types in the form; a yes/no answer is "true"/"false" ("unknown": not answered).
FORM = {
    "documents_url": "https://www.tenderned.nl/aankondigingen/123",
    "submission_url": "https://www.tenderned.nl/inschrijven/123",
    "electronic_submission": "required",
    "nonelectronic_justification": "",
    "nonelectronic_description": "",
    "offer_validity_days": "90",
    "contract_months": "48",
    "performance_place": "buyer",
    "framework_agreement": "none",
    "framework_duration_justification": "",
    "eu_funded": "false",
    "reserved_participation": "none",
    "reserved_execution": "false",
    "e_invoicing": "required",
    "e_catalogue": "not-allowed",
    "e_ordering": "true",
    "e_payment": "true",
    "gpa": "true",
}
ANSWERED = NoticeTerms(
    documents_url="https://www.tenderned.nl/aankondigingen/123",
    submission_url="https://www.tenderned.nl/inschrijven/123",
    electronic_submission=ElectronicMeans.REQUIRED,
    offer_validity_days=90,
    contract_months=48,
    performance_place=PerformancePlace.BUYER,
    eu_funded=False,
    reserved_participation=ReservedParticipation.NONE,
    reserved_execution=False,
    e_invoicing=ElectronicMeans.REQUIRED,
    e_catalogue=ElectronicMeans.NOT_ALLOWED,
    framework_agreement=FrameworkAgreement.NONE,
    e_ordering=True,
    e_payment=True,
    gpa=True,
)


@pytest.fixture
def pia(db: Any) -> Persona:
    return make_persona("pia", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.PROCURER)


@pytest.fixture
def tender(pia: Persona, framework: FrameworkVersion) -> Tender:
    tender = actions.create_tender(
        pia.organisation, title="Laptops 2027", reference="RWS-2027-07", language="nl", acting_user=pia.user
    )
    actions.add_lot(tender, product_group="notebooks", quantity=500, acting_user=pia.user)
    return tender


def url(tender: Tender) -> str:
    return f"/tenders/{tender.pk}/notice-terms/"


def client_of(persona: Persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def terms_of(tender: Tender) -> NoticeTerms:
    tender.refresh_from_db()
    return tender.notice_terms()


def test_a_procurer_answers_every_term_and_the_notice_spec_carries_them(pia: Persona, tender: Tender) -> None:
    client = client_of(pia)
    detail = client.get(f"/tenders/{tender.pk}/").content.decode()
    assert f'href="{url(tender)}"' in detail
    assert "Not answered in the notice yet: address of the procurement documents" in detail

    response = client.post(url(tender), FORM, follow=True)

    assert response.redirect_chain == [(f"/tenders/{tender.pk}/", 302)]
    page = response.content.decode()
    assert "The notice terms of RWS-2027-07 are saved." in page
    assert "Not answered in the notice yet" not in page
    assert terms_of(tender) == ANSWERED
    assert actions.tender_spec(tender).notice_terms == ANSWERED
    record = AuditRecord.objects.get(action=AuditRecord.Action.NOTICE_TERMS_SAVED)
    assert record.actor == pia.user and record.organisation == pia.organisation
    answered = {name for name in Tender.NOTICE_TERMS if FORM[name] != ""}
    assert set(record.before) == set(record.after) == answered
    assert record.before == {
        name: (None if name.endswith(("_days", "_months")) or name in BOOLEANS else "") for name in answered
    }
    assert record.after["offer_validity_days"] == 90 and record.after["gpa"] is True


def test_answering_part_of_the_terms_lists_the_rest_and_saving_them_again_changes_nothing(
    pia: Persona, tender: Tender
) -> None:
    client = client_of(pia)
    part = {"documents_url": FORM["documents_url"], "offer_validity_days": "120", "gpa": "unknown"}

    client.post(url(tender), part)
    client.post(url(tender), part)

    assert terms_of(tender) == NoticeTerms(documents_url=FORM["documents_url"], offer_validity_days=120)
    assert AuditRecord.objects.filter(action=AuditRecord.Action.NOTICE_TERMS_SAVED).count() == 1
    missing = tender.missing_notice_terms()
    assert "address of the procurement documents" not in missing
    assert "covered by the WTO Government Procurement Agreement" in missing
    # The terms that apply whatever the answers, less the two answered.
    conditional = {
        "nonelectronic_justification",
        "nonelectronic_description",
        "framework_duration_justification",
    }
    assert len(missing) == len(Tender.NOTICE_TERMS) - len(conditional) - 2


def test_no_submission_address_is_missing_where_offers_are_not_submitted_electronically(
    pia: Persona, tender: Tender
) -> None:
    client_of(pia).post(url(tender), {"electronic_submission": "not-allowed"})

    assert terms_of(tender).electronic_submission == ElectronicMeans.NOT_ALLOWED
    assert "address for submitting offers" not in tender.missing_notice_terms()
    client_of(pia).post(url(tender), {"electronic_submission": "allowed"})
    assert terms_of(tender).electronic_submission == ElectronicMeans.ALLOWED
    assert "address for submitting offers" in tender.missing_notice_terms()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("offer_validity_days", "0", "Ensure this value is greater than or equal to 1."),
        ("contract_months", "-3", "Ensure this value is greater than or equal to 1."),
        ("documents_url", "tenderned nl", "Enter a valid URL."),
        ("electronic_submission", "maybe", "Select a valid choice."),
        ("performance_place", "moon", "Select a valid choice."),
    ],
)
def test_a_bad_answer_is_shown_next_to_its_field_and_nothing_is_saved(
    pia: Persona, tender: Tender, field: str, value: str, message: str
) -> None:
    response = client_of(pia).post(url(tender), {**FORM, field: value})

    assert response.status_code == 200
    page = response.content.decode()
    errors = re.search(rf'<div class="problems" id="errors-{field}" role="alert">(.*?)</div>', page, re.S)
    assert errors is not None and message in errors.group(1), page
    assert terms_of(tender) == NoticeTerms()
    assert not AuditRecord.objects.filter(action=AuditRecord.Action.NOTICE_TERMS_SAVED).exists()


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        (
            {"electronic_submission": "not-allowed", "submission_url": "https://tenders.example.nl/x"},
            "submission_url",
            "Offers may not be submitted electronically: leave the address for submitting offers empty.",
        ),
        (
            {"electronic_submission": "required", "nonelectronic_justification": "phy-mod"},
            "nonelectronic_justification",
            "A reason for not submitting electronically is given only where electronic submission is not allowed.",
        ),
        (
            {"electronic_submission": "required", "nonelectronic_description": "By post."},
            "nonelectronic_description",
            "Electronic submission is required: offers are not submitted otherwise.",
        ),
        (
            {"framework_agreement": "fa-w-rc", "contract_months": "60"},
            "framework_duration_justification",
            "A framework agreement of more than four years needs its justification (Directive 2014/24/EU, Article 33(1)).",
        ),
    ],
)
def test_answers_that_contradict_each_other_or_the_law_are_refused_by_field(
    pia: Persona, tender: Tender, answers: dict[str, str], field: str, message: str
) -> None:
    response = client_of(pia).post(url(tender), answers)

    assert response.status_code == 200
    errors = re.search(
        rf'<div class="problems" id="errors-{field}" role="alert">(.*?)</div>',
        response.content.decode(),
        re.S,
    )
    assert errors is not None and message in errors.group(1).replace("&#x27;", "'")
    assert terms_of(tender) == NoticeTerms()
    with pytest.raises(ValidationError) as refused:
        actions.save_notice_terms(
            tender, {k: int(v) if v.isdigit() else v for k, v in answers.items()}, acting_user=pia.user
        )
    assert set(refused.value.message_dict) == {field}


def test_what_is_asked_follows_the_answers(pia: Persona, tender: Tender) -> None:
    """Offers submitted on paper: the ground and how instead are asked, the submission address is not;
    a framework agreement beyond four years: its justification is asked."""
    actions.save_notice_terms(
        tender,
        {"electronic_submission": "not-allowed", "framework_agreement": "fa-wo-rc", "contract_months": 48},
        acting_user=pia.user,
    )
    tender.refresh_from_db()
    missing = tender.missing_notice_term_names()
    assert {"nonelectronic_justification", "nonelectronic_description"} <= set(missing)
    assert "submission_url" not in missing and "framework_duration_justification" not in missing

    actions.save_notice_terms(
        tender,
        {
            "contract_months": 60,
            "framework_duration_justification": "Leases of four years start in the fifth year.",
        },
        acting_user=pia.user,
    )
    actions.save_notice_terms(
        tender,
        {"nonelectronic_justification": "phy-mod", "nonelectronic_description": "A sample by post."},
        acting_user=pia.user,
    )
    tender.refresh_from_db()
    assert not {
        "nonelectronic_justification",
        "nonelectronic_description",
        "framework_duration_justification",
    } & set(tender.missing_notice_term_names())
    assert tender.notice_terms().framework_duration_justification.startswith("Leases")


def test_an_address_typed_without_its_scheme_is_taken_as_https(pia: Persona, tender: Tender) -> None:
    client_of(pia).post(url(tender), {"documents_url": "www.tenderned.nl/aankondigingen/123"})

    assert terms_of(tender).documents_url == "https://www.tenderned.nl/aankondigingen/123"


def test_a_viewer_reads_the_terms_and_others_are_refused(pia: Persona, tender: Tender) -> None:
    vera = make_persona("vera", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.VIEWER)
    gert = make_persona("gert", "city-of-ghent", Type.PROCURING_PARTICIPANT, Role.PROCURER, country="BE")
    actions.save_notice_terms(tender, {"offer_validity_days": 60}, acting_user=pia.user)

    page = client_of(vera).get(url(tender)).content.decode()
    assert 'id="notice-terms-frozen"' in page and "disabled" in page and ">Save</button>" not in page
    assert 'value="60"' in page
    assert client_of(vera).post(url(tender), FORM).status_code == 403
    assert client_of(gert).get(url(tender)).status_code == 404
    assert client_of(gert).post(url(tender), FORM).status_code == 404
    assert Client().post(url(tender), FORM).status_code == 302  # to sign in

    assert terms_of(tender) == NoticeTerms(offer_validity_days=60)
    assert AuditRecord.objects.filter(action=AuditRecord.Action.NOTICE_TERMS_SAVED).count() == 1


def test_a_published_tender_s_terms_no_longer_change(pia: Persona, tender: Tender) -> None:
    actions.save_notice_terms(tender, {"offer_validity_days": 60}, acting_user=pia.user)
    Tender.unscoped.filter(pk=tender.pk).update(status=Tender.Status.PUBLISHED)
    tender.refresh_from_db()
    client = client_of(pia)

    page = client.get(url(tender)).content.decode()
    response = client.post(url(tender), FORM, follow=True)

    assert "The tender is published: its notice terms no longer change." in page
    assert "The notice terms of a published tender cannot change." in response.content.decode()
    with pytest.raises(TenderFrozen):
        actions.save_notice_terms(tender, {"gpa": True}, acting_user=pia.user)
    assert terms_of(tender) == NoticeTerms(offer_validity_days=60)
    assert "See the notice terms" in client.get(f"/tenders/{tender.pk}/").content.decode()


def test_the_action_refuses_what_is_not_a_term_and_saves_nothing(pia: Persona, tender: Tender) -> None:
    with pytest.raises(TypeError):
        actions.save_notice_terms(tender, {"title": "Other"}, acting_user=pia.user)
    with pytest.raises(ValidationError) as refused:
        actions.save_notice_terms(
            tender, {"offer_validity_days": 0, "e_invoicing": "sometimes"}, acting_user=pia.user
        )
    assert set(refused.value.message_dict) == {"offer_validity_days", "e_invoicing"}
    assert terms_of(tender) == NoticeTerms()


def test_the_page_reads_a_fixed_number_of_queries(
    pia: Persona, tender: Tender, django_assert_max_num_queries: Any
) -> None:
    client = client_of(pia)
    client.get(url(tender))
    with django_assert_max_num_queries(8):
        assert client.get(url(tender)).status_code == 200


# -- the review body, in the organisation's notice details


def test_the_review_body_needs_its_name_and_a_nuts_region_of_the_buyer_s_country(db: Any) -> None:
    rws = Organisation.objects.create(
        slug="rijkswaterstaat", name="Rijkswaterstaat", country="NL", type=Type.PROCURING_PARTICIPANT
    )

    with pytest.raises(ValidationError) as refused:
        account_actions.save_notice_details(
            rws, {"review_body_town": "Den Haag", "review_body_nuts_code": "BE100"}, acting_user=None
        )

    assert set(refused.value.message_dict) == {"review_body_name", "review_body_nuts_code"}
    assert refused.value.error_dict["review_body_nuts_code"][0].code == "nuts_country"
    saved = account_actions.save_notice_details(
        rws,
        {
            "review_body_name": " Rechtbank  Den Haag ",
            "review_body_nuts_code": "nl361",
            "review_deadlines": "Binnen 20 dagen.\n\n  Daarna  niet meer. ",
        },
        acting_user=None,
    )
    assert saved.review_body_name == "Rechtbank Den Haag"
    assert saved.review_body_nuts_code == "NL361"
    assert saved.review_deadlines == "Binnen 20 dagen.\n\nDaarna niet meer."
    body = actions.buyer_details(saved).review_body
    assert body.name == "Rechtbank Den Haag" and body.nuts_code == "NL361" and body.given


def test_an_unnamed_review_body_is_missing_once_then_each_of_its_details(db: Any) -> None:
    rws = Organisation.objects.create(
        slug="rijkswaterstaat", name="Rijkswaterstaat", country="NL", type=Type.PROCURING_PARTICIPANT
    )

    assert "review body" in rws.missing_notice_details()
    assert "review body's town" not in rws.missing_notice_details()
    rws = account_actions.save_notice_details(
        rws, {"review_body_name": "Rechtbank Den Haag"}, acting_user=None
    )
    missing = rws.missing_notice_details()
    assert "review body" not in missing
    assert {"review body's town", "review body's post code", "review deadlines"} <= set(missing)
    assert "review body's e-mail" not in missing  # a courtesy, not a rule of the notice


# -- the JSON API


def test_an_integrator_answers_the_terms_through_the_api(pia: Persona, tender: Tender) -> None:
    client = client_of(pia)
    api = f"/api/v1/tenders/{tender.pk}/notice-terms"
    answers: dict[str, Any] = {name: value for name, value in FORM.items() if value != ""}
    answers.update(offer_validity_days=90, contract_months=48)
    answers.update(eu_funded=False, reserved_execution=False, e_ordering=True, e_payment=True, gpa=True)

    response = client.put(api, answers, content_type="application/json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["notice_terms"]["offer_validity_days"] == 90 and body["notice_terms"]["gpa"] is True
    assert body["missing_notice_terms"] == []
    assert terms_of(tender) == ANSWERED
    # A term left out keeps its answer; a term sent as null is unanswered again.
    cleared = client.put(api, {"documents_url": None, "gpa": None}, content_type="application/json").json()
    assert cleared["missing_notice_terms"] == ["documents_url", "gpa"]
    assert cleared["notice_terms"]["documents_url"] is None
    assert terms_of(tender).offer_validity_days == 90


def test_the_api_refuses_a_bad_answer_and_another_organisation(pia: Persona, tender: Tender) -> None:
    vera = make_persona("vera", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.VIEWER)
    gert = make_persona("gert", "city-of-ghent", Type.PROCURING_PARTICIPANT, Role.PROCURER, country="BE")
    api = f"/api/v1/tenders/{tender.pk}/notice-terms"

    bad_url = client_of(pia).put(api, {"documents_url": "tenderned nl"}, content_type="application/json")
    bad_code = client_of(pia).put(api, {"e_invoicing": "sometimes"}, content_type="application/json")
    viewer = client_of(vera).put(api, {"gpa": True}, content_type="application/json")
    other = client_of(gert).put(api, {"gpa": True}, content_type="application/json")

    assert bad_url.status_code == 400 and "Enter a valid URL." in bad_url.json()["detail"]
    assert bad_code.status_code == 422
    assert (viewer.status_code, other.status_code) == (403, 404)
    assert terms_of(tender) == NoticeTerms()


# -- the whole chain


def test_a_tender_answered_through_the_pages_gives_a_notice_that_breaks_no_rule_of_the_sdk(
    pia: Persona, tender: Tender
) -> None:
    """Ada enters Rijkswaterstaat's notice details and review body once, Pia answers the tender's
    notice terms and sets the deadline: the contract notice cfit downloads breaks no Schematron rule of
    the SDK (subtype 16), so the buyer's eSender has nothing left to complete."""
    pytest.importorskip("saxonche", reason="the Schematron rules need XPath 2+: pip install saxonche")
    from .eforms_schematron import validate
    from .tender_helpers import shared
    from .test_buyer_details import FORM as DETAILS
    from .test_eforms_schematron import SCHEMATRONS

    rules = shared(*SCHEMATRONS)
    ada = make_persona("ada", "rijkswaterstaat", Type.PROCURING_PARTICIPANT, Role.ADMIN)
    pia.user.email = "inkoop@example.nl"
    pia.user.save(update_fields=["email"])
    assert client_of(ada).post("/organisations/rijkswaterstaat/notice-details/", DETAILS).status_code == 302
    assert client_of(pia).post(url(tender), FORM).status_code == 302
    actions.set_offers_deadline(tender, timezone.now() + timedelta(days=40), acting_user=pia.user)
    download = f"/tenders/{tender.pk}/download/eforms/"
    before = validate(client_of(pia).get(download).content, rules, "eforms-16")

    assert before == [], sorted({f.id for f in before})
