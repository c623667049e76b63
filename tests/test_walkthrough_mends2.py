"""Defects found by walkthroughs (second round), each with the scenario that showed it."""

from __future__ import annotations

import html
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from openpyxl import load_workbook

from cfit import middleware
from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.audit.models import AuditRecord
from cfit.joining import actions as joining
from cfit.offers import actions as offers
from cfit.pact import actions as pact
from cfit.pact.models import Signature, Statement, WorkingGroup

from .conftest import PASSWORD, Persona
from .evaluation_helpers import build_tender, fill_offer
from .test_joining import apply_as
from .test_pact import (
    another_participant,
    demand_row,
    lyon_admin,
    make_statement,
    rws_admin,
    sign,
    text,
    working_group,
)

__all__ = ["lyon_admin", "rws_admin", "working_group"]  # fixtures used from test_pact

pytestmark = pytest.mark.django_db


def signed_in(persona: Persona) -> Client:
    client = Client()
    assert client.login(username=persona.user.username, password=PASSWORD)
    return client


# -- joining: an organisation's short name keeps its letters ------------------------------------------


@pytest.mark.parametrize(
    ("name", "country", "slug"),
    [
        ("Bærum kommune", "NO", "baerum-kommune"),
        ("Tromsø kommune", "NO", "tromso-kommune"),
        ("Åsnes kommune", "NO", "asnes-kommune"),
        ("Stadt Gießen", "DE", "stadt-giessen"),
        ("Landkreis München-Süd", "DE", "landkreis-munchen-sud"),
        ("Région Île-de-France", "FR", "region-ile-de-france"),
        ("Cœur d'Essonne Agglomération", "FR", "coeur-dessonne-agglomeration"),
        ("Gemeente IJsselstein", "NL", "gemeente-ijsselstein"),
        ("Provincie Noord-Brabant (Coöperatie)", "NL", "provincie-noord-brabant-cooperatie"),
    ],
)
def test_joining_makes_a_short_name_a_reader_of_the_language_expects(
    secretary: Persona, name: str, country: str, slug: str
) -> None:
    applicant = get_user_model().objects.create_user("applicant", password=PASSWORD)

    joining.approve(apply_as(applicant, name=name, country=country), acting_user=secretary.user)

    assert Organisation.objects.get(name=name).slug == slug


def test_a_second_organisation_of_the_same_short_name_gets_its_own(secretary: Persona) -> None:
    Organisation.objects.create(name="Bærum", slug="baerum-kommune", country="NO")
    old = Organisation.objects.create(name="Old", slug="brum-kommune", country="NO")
    applicant = get_user_model().objects.create_user("applicant", password=PASSWORD)

    joining.approve(apply_as(applicant, name="Bærum kommune", country="NO"), acting_user=secretary.user)

    assert Organisation.objects.get(name="Bærum kommune").slug == "baerum-kommune-2"
    old.refresh_from_db()
    assert old.slug == "brum-kommune"


# -- statements of demand: an administrator of two participants signs for the one it chose ------------


@pytest.fixture
def statement(working_group: WorkingGroup) -> Statement:
    return make_statement(working_group)


@pytest.fixture
def rita_of_two(rws_admin: Persona) -> Persona:
    """Rita administers Rijkswaterstaat and a second participant, Municipality 01."""
    Membership.objects.create(
        user=rws_admin.user, organisation=another_participant(1), role=Membership.Role.ADMIN
    )
    return rws_admin


def test_the_signing_form_prefills_and_signs_for_the_organisation_chosen(
    statement: Statement, rita_of_two: Persona
) -> None:
    rita = signed_in(rita_of_two)
    sign(rita, "rijkswaterstaat", units_notebooks="100", spend_notebooks="80000")
    sign(rita, "municipality-01", units_notebooks="7", spend_notebooks="5000")

    first = text(rita.get("/statements/notebooks-2027/?for=rijkswaterstaat"))
    chosen = text(rita.get("/statements/notebooks-2027/?for=municipality-01"))

    assert 'id="sign-chooser"' in first
    assert 'name="units_notebooks" value="100"' in first
    assert 'type="hidden" name="organisation" value="rijkswaterstaat"' in first
    assert 'name="units_notebooks" value="7"' in chosen
    assert 'type="hidden" name="organisation" value="municipality-01"' in chosen
    assert '<option value="municipality-01" selected>' in chosen
    assert "Volumes of Municipality 01" in chosen
    volumes = {
        s.organisation.slug: [v.units_per_year for v in s.volumes.all()]
        for s in Signature.objects.select_related("organisation").prefetch_related("volumes")
    }
    assert volumes == {"rijkswaterstaat": [100], "municipality-01": [7]}


# -- statements of demand: withdrawing a signature, and one's own volumes once closed -----------------


def test_an_administrator_withdraws_its_signature_while_the_statement_is_open(
    statement: Statement, rws_admin: Persona, procurer: Persona
) -> None:
    for number in (1, 2):
        volumes = {"notebooks": (100, Decimal(50000))}
        pact.sign_statement(statement, another_participant(number), volumes, acting_user=None)
    rita = signed_in(rws_admin)
    sign(rita, "rijkswaterstaat", units_notebooks="100", spend_notebooks="60000")
    assert demand_row(text(Client().get("/statements/notebooks-2027/")), "demand-notebooks") == [
        "3", "300", "160000.00"
    ]  # fmt: skip
    assert 'id="withdraw-form"' in text(rita.get("/statements/notebooks-2027/"))
    # a procurer of Rijkswaterstaat is no administrator: it does not withdraw for it
    withdraw = "/statements/notebooks-2027/withdraw/"
    assert signed_in(procurer).post(withdraw, {"organisation": "rijkswaterstaat"}).status_code == 403

    response = rita.post(withdraw, {"organisation": "rijkswaterstaat"}, follow=True)

    assert "Rijkswaterstaat withdrew its signature" in text(response)
    assert not Signature.objects.filter(organisation=rws_admin.organisation).exists()
    html = text(Client().get("/statements/notebooks-2027/"))
    assert demand_row(html, "demand-notebooks") == ["2"]  # two signatories left: hidden
    assert 'data-organisation="rijkswaterstaat"' not in html
    audit = AuditRecord.objects.get(action=AuditRecord.Action.STATEMENT_SIGNATURE_WITHDRAWN)
    assert audit.organisation == rws_admin.organisation and audit.actor == rws_admin.user
    assert audit.before == {"notebooks": [100, "60000.00"]}
    assert 'id="withdraw-form"' not in text(rita.get("/statements/notebooks-2027/"))


def test_a_signature_is_not_withdrawn_from_a_closed_statement(
    statement: Statement, rws_admin: Persona
) -> None:
    sign(signed_in(rws_admin), "rijkswaterstaat", units_notebooks="100", spend_notebooks="60000")
    statement.status = Statement.Status.CLOSED
    statement.save(update_fields=["status"])

    response = signed_in(rws_admin).post(
        "/statements/notebooks-2027/withdraw/", {"organisation": "rijkswaterstaat"}, follow=True
    )

    assert "withdrawn only while the statement is open for signature" in text(response)
    assert Signature.objects.filter(organisation=rws_admin.organisation).exists()


def test_a_signatory_reads_its_own_volumes_on_a_closed_statement(
    statement: Statement, rws_admin: Persona, procurer: Persona, outsider: Persona
) -> None:
    sign(signed_in(rws_admin), "rijkswaterstaat", units_notebooks="1250", spend_notebooks="60000",
         units_monitors="40", spend_monitors="8000")  # fmt: skip
    statement.status = Statement.Status.CLOSED
    statement.save(update_fields=["status"])

    dutch = text(signed_in(procurer).get("/statements/notebooks-2027/", headers={"accept-language": "nl"}))
    public = text(Client().get("/statements/notebooks-2027/"))
    other = text(signed_in(outsider).get("/statements/notebooks-2027/"))

    own = dutch.split('id="own-volumes"')[1].split("</section>")[0]
    assert 'data-organisation="rijkswaterstaat"' in own
    assert ">1.250<" in own and ">60.000,00<" in own and ">40<" in own
    assert 'id="own-volumes"' not in public and 'id="own-volumes"' not in other


# -- countries by their names in the reader's language ------------------------------------------------


def test_buyer_groups_applications_and_signatories_name_countries_in_the_readers_language(
    statement: Statement, rws_admin: Persona, lyon_admin: Persona, coordinator: Persona, secretary: Persona
) -> None:
    group = pact.create_buyer_group(
        coordinator.organisation, name="Dutch buyer group", slug="nl-buyers", country="NL", language="nl"
    )
    pact.request_to_join(group, lyon_admin.organisation, acting_user=lyon_admin.user)
    sign(signed_in(lyon_admin), "ville-de-lyon", units_notebooks="10", spend_notebooks="1000")
    applicant = get_user_model().objects.create_user("applicant", password=PASSWORD)
    apply_as(applicant, name="Bærum kommune", country="NO")
    dutch = {"accept-language": "nl"}

    groups = text(Client().get("/groups/", headers=dutch))
    coco = text(signed_in(coordinator).get("/groups/nl-buyers/", headers=dutch))
    signatories = text(Client().get("/statements/notebooks-2027/", headers=dutch)).split('id="signatories"')[
        1
    ]
    review = text(signed_in(secretary).get("/join/review/", headers=dutch))

    assert "<td>Nederland</td>" in groups and "<td>NL</td>" not in groups
    assert "Nederland" in coco.split("<h1")[1].split("</p>")[0]
    assert "<td>Frankrijk</td>" in coco  # Lyon's request to join
    assert "<td>Frankrijk</td>" in signatories.split("</table>")[0]
    assert "<td>Noorwegen</td>" in review and "<td>NO</td>" not in review


# -- the audit log in the reader's language -----------------------------------------------------------


def test_the_audit_record_shows_dates_and_codes_in_the_readers_language(
    rws_admin: Persona, secretary: Persona
) -> None:
    with translation.override("en"):
        pact.join_pact(
            rws_admin.organisation, Organisation.Type.COORDINATING_PARTICIPANT,
            signed_on=date(2026, 12, 1), users_served=900, acting_user=rws_admin.user,
        )  # fmt: skip
    audit = f"/organisations/{secretary.organisation.slug}/audit/"
    joined = AuditRecord.objects.get(action=AuditRecord.Action.PACT_JOINED)

    norwegian = text(signed_in(secretary).get(f"{audit}{joined.pk}/", headers={"accept-language": "nb"}))

    changes = norwegian.split("<tbody>")[1]
    assert "1. desember 2026" in changes and "2026-12-01" not in changes
    with translation.override("nb"):
        coordinating = str(Organisation.Type.COORDINATING_PARTICIPANT.label)
    assert f"<td>{coordinating}</td>" in changes
    assert "coordinating_participant" not in changes


def test_an_application_is_recorded_by_its_name_and_its_state_named_at_reading(secretary: Persona) -> None:
    applicant = get_user_model().objects.create_user("applicant", password=PASSWORD)
    with translation.override("en"):
        application = apply_as(applicant, name="Bærum kommune", country="NO")
    submitted = AuditRecord.objects.get(action=AuditRecord.Action.APPLICATION_SUBMITTED)
    audit = f"/organisations/{secretary.organisation.slug}/audit/"

    norwegian = text(signed_in(secretary).get(f"{audit}{submitted.pk}/", headers={"accept-language": "nb"}))

    assert submitted.object_label == "Bærum kommune"
    assert "(Submitted)" not in norwegian
    with translation.override("nb"):
        state = str(application.State.SUBMITTED.label)
    assert f"<td>{state}</td>" in norwegian.split("<tbody>")[1]


# -- offers: a deleted lot sheet ----------------------------------------------------------------------


def test_a_supplier_who_deletes_a_lot_sheet_is_told_to_keep_it_empty_instead(
    procurer: Persona, framework: Any
) -> None:
    tender = build_tender(procurer.organisation, reference="SHEET-1", groups=("notebooks", "monitors"))
    book = load_workbook(io.BytesIO(fill_offer(tender, {1: [{"line_id": "A-1"}]})))
    meta = {row[0].value: row[1].value for row in book["_cfit"].iter_rows()}
    del book[meta["lot:2"]]
    buffer = io.BytesIO()
    book.save(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "offerte.xlsx"
    link = offers.issue_upload_link(tender, "Alfa BV", acting_user=None)

    response = Client().post(f"/offers/upload/{link.token}/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")

    page = html.unescape(text(response))
    assert "is missing: keep the sheet and leave it empty to not bid on this lot" in page
    with system_scope():
        assert not tender.offers.exists()


# -- the middleware's refusals in the reader's language -----------------------------------------------


def test_the_middlewares_refusals_answer_a_page_in_the_readers_language(monkeypatch: Any) -> None:
    # The refusals' own words wait for their translations; a word every language has stands in for them,
    # so that the test shows the language each refusal is said in.
    monkeypatch.setattr(middleware, "NUL_IN_ADDRESS", gettext_lazy("Yes"))
    monkeypatch.setattr(middleware, "INVALID_CONTENT_LENGTH", gettext_lazy("No"))
    with translation.override("fr"):
        oui, non = gettext("Yes"), gettext("No")

    nul_page = Client().get("/criteria/?q=%00", HTTP_ACCEPT_LANGUAGE="fr")
    length_page = Client().generic("POST", "/join/", b"", CONTENT_LENGTH="-3", HTTP_ACCEPT_LANGUAGE="fr")
    nul_api = Client().get("/api/v1/participants?q=%00", HTTP_ACCEPT_LANGUAGE="fr")

    assert (nul_page.status_code, nul_page.content.decode()) == (400, oui)
    assert (length_page.status_code, length_page.content.decode()) == (400, non)
    # The API says it in the caller's language too (Accept-Language), with a code a program reads.
    assert (nul_api.status_code, nul_api.json()["code"], nul_api.json()["detail"]) == (
        400,
        "bad_request",
        oui,
    )


def test_the_middlewares_refusals_answer_the_api_in_its_one_error_body() -> None:
    response = Client().get("/api/v1/participants?q=%00", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json() == {
        "code": "bad_request",
        "detail": "The address contains a NUL character.",
        "field": None,
        "problems": [],
    }
