"""The platform walked as a supplier's staff walk it, in French and Norwegian: what tripped them.

Personas: Sophie, administrator at GreenRefurb BV (French-speaking), delivers the contract's evidence
and its CMRT; Sander, a viewer at GreenRefurb BV, reads the same contracts; Pia (procurer,
Rijkswaterstaat) and Louise (procurer, Ville de Lyon) each hold a contract with GreenRefurb BV.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from cfit.accounts.models import Membership, Organisation
from cfit.contracts import actions as contract_actions
from cfit.contracts.models import Contract
from cfit.criteria.models import FrameworkVersion
from cfit.duediligence.models import MineralsReport
from cfit.offers import actions as offer_actions
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from .conftest import Persona, make_persona
from .duediligence_helpers import DECLARATION, synthetic_template
from .test_api_tokens import make_token, program
from .test_duediligence import first_obligation, minerals_contract, signed_in
from .test_duediligence_core import CMRT_SMELTERS
from .test_every_word_translated import CLOSE, OPEN, PSEUDO
from .test_offers import fill, move_deadline, publish
from .test_walkthrough_dc_dd import pseudo as pseudo_language

pytestmark = pytest.mark.django_db


@pytest.fixture
def sophie(db: Any) -> Persona:
    return make_persona("sophie", "greenrefurb", Organisation.Type.SUPPORTER, Membership.Role.ADMIN, "FR")


@pytest.fixture
def sander(sophie: Persona) -> Persona:
    return make_persona("sander", "greenrefurb", Organisation.Type.SUPPORTER, Membership.Role.VIEWER)


@pytest.fixture
def contract(framework: FrameworkVersion, procurer: Persona, sophie: Persona) -> Contract:
    return minerals_contract(framework, procurer, sophie.organisation)


def _text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _deliver(client: Client, contract: Contract, data: bytes, language: str) -> Any:
    obligation = first_obligation(contract)
    return client.post(
        f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/",
        {"form": "deliver", "file": SimpleUploadedFile("cmrt.xlsx", data)},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )


def test_a_viewer_of_the_supplier_is_offered_no_form_it_may_not_send(
    contract: Contract, sander: Persona
) -> None:
    # Sander read "Remettre" on every obligation and the delivery form behind it; sending it ended in a
    # bare 403. He is now told his role reads only, and who delivers.
    client = signed_in(sander)
    obligation = first_obligation(contract)

    page = client.get(f"/contracts/supplier/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    deliver = client.get(f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/").content.decode()

    assert f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/" not in page
    assert 'id="reads-only"' in page
    assert 'id="deliver-form"' not in deliver and 'id="reads-only"' in deliver
    assert "Greenrefurb" in deliver  # names the organisation whose administrators deliver
    refused = client.post(
        f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/",
        {"form": "deliver", "declared": "on"},
    )
    assert refused.status_code == 403  # the rule itself is unchanged


def test_an_administrator_of_the_supplier_still_gets_the_forms(contract: Contract, sophie: Persona) -> None:
    client = signed_in(sophie)
    obligation = first_obligation(contract)

    page = client.get(f"/contracts/supplier/{contract.pk}/").content.decode()
    deliver = client.get(f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/").content.decode()

    assert f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/" in page
    assert 'id="reads-only"' not in page
    assert 'id="deliver-form"' in deliver


def test_a_cmrt_without_its_declaration_scope_names_the_question_skipped(
    contract: Contract, sophie: Persona
) -> None:
    # Sophie left the declaration scope empty in her French CMRT; cfit said "ligne 9, colonne D:
    # obligatoire : la réponse est vide": which question, she had to count rows to find out (and the
    # colon had no space before it, as French writes it).
    declaration = {key: value for key, value in DECLARATION.items() if key != "scope"}

    response = _deliver(signed_in(sophie), contract, synthetic_template(declaration=declaration), "fr")

    text = _text(response)
    assert "ligne 9, colonne D : " in text
    assert "Portée ou catégorie de la déclaration" in text  # the question, in French
    assert not MineralsReport.objects.exists()


def test_the_command_line_names_the_question_skipped_too() -> None:
    from cfit.duediligence.template import TemplateRefused, english, read_template

    declaration = {key: value for key, value in DECLARATION.items() if key != "authoriser"}
    with pytest.raises(TemplateRefused) as refused:
        read_template(synthetic_template(declaration=declaration), "cmrt.xlsx")

    [found] = [p for p in refused.value.template_problems if p.code == "required"]
    assert english(found.code, dict(found.params)) == "Authoriser is required: the answer is empty"


def test_a_smelter_id_typed_wrong_is_told_to_the_supplier_when_it_delivers(
    contract: Contract, sophie: Persona
) -> None:
    # Sophie typed CID02763 for CID002763. The delivery said only "Delivered: the buyer checks it
    # now"; the obligation was then closed to her until the buyer returned it, and the typo was for
    # the buyer to find. She is now told which row the check flags, in her language's page.
    typo = dict(CMRT_SMELTERS[0], smelter_id="CID02763")
    right = CMRT_SMELTERS[0]

    response = _deliver(signed_in(sophie), contract, synthetic_template(smelters=[right, typo]), "nb")

    report = MineralsReport.objects.get()
    flagged = [s.row for s in report.smelters.all() if s.findings]
    assert len(flagged) == 1
    assert f"markerer rad {flagged[0]} i listen over smelteverk" in _text(response)  # in Norwegian
    assert f"/due-diligence/supplier/{contract.pk}/" in response.content.decode()  # where it reads them


def test_a_clean_cmrt_is_delivered_without_a_warning(contract: Contract, sophie: Persona) -> None:
    response = _deliver(signed_in(sophie), contract, synthetic_template(smelters=CMRT_SMELTERS[:1]), "en")

    assert MineralsReport.objects.count() == 1
    assert "The smelter check flags" not in _text(response)


def test_an_upload_link_opened_after_the_deadline_does_not_invite_another_upload(
    framework: FrameworkVersion, procurer: Persona
) -> None:
    # Ola opened GreenRefurb's link an hour after the deadline, in Norwegian: the page said at once
    # "Uploading again replaces this offer" and "no more offers are received".
    tender = tender_actions.create_tender(
        procurer.organisation, title="Ordinateurs", reference="FR-1", language="fr", acting_user=None
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=20, acting_user=None)
    tender = publish(tender)
    link = offer_actions.issue_upload_link(tender, "GreenRefurb BV", acting_user=procurer.user)
    data = fill(tender, [{"line_id": "A-1", "unit_price_eur": "1 234,56"}])
    offer_actions.submit_through_link(link, data, "offre.xlsx")
    client = Client()
    before = client.get(f"/offers/upload/{link.token}/").content.decode()
    move_deadline(tender, -timedelta(hours=1))

    after = client.get(f"/offers/upload/{link.token}/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()

    assert "Uploading again replaces this offer" in before
    assert 'id="offer-received"' in after and 'id="deadline-passed"' in after
    assert "Ny opplasting erstatter" not in after and "Uploading again" not in after


pseudo = pseudo_language  # the words test's pseudo-language, as a fixture of this file


def test_the_api_refuses_figures_for_a_document_in_the_callers_language(
    contract: Contract, sophie: Persona, pseudo: None
) -> None:
    # Ola's program at GreenRefurb (Norwegian) posted figures to the CMRT obligation: the refusal came
    # in English while every other refusal of the API speaks the caller's language. (The words test's
    # pseudo-language shows whether the sentence went through the catalogue.)
    secret = make_token(sophie, read_only=False)
    obligation = first_obligation(contract)

    response = program(secret).post(
        f"/api/v1/contracts/supplied/{contract.pk}/obligations/{obligation.pk}/figures/",
        {"values": {}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=PSEUDO,
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_request"
    assert body["detail"].startswith(OPEN) and body["detail"].endswith(CLOSE)


def test_the_deadline_reminder_is_written_in_the_tender_s_language(
    contract: Contract, sophie: Persona, procurer: Persona
) -> None:
    # Sophie answered a French tender; the daily reminder that her CMRT falls due came in English, the
    # cron run's language, with an ISO date, and so did the overdue notice.
    sophie.user.email = "sophie@greenrefurb.example"
    sophie.user.save(update_fields=["email"])
    french = tender_actions.create_tender(
        procurer.organisation, title="Ordinateurs", reference="FR-2", language="fr", acting_user=None
    )
    Contract.unscoped.filter(pk=contract.pk).update(tender=french)
    due = first_obligation(contract).due_date

    contract_actions.send_notices(due - timedelta(days=3))
    contract_actions.send_notices(due + timedelta(days=1))

    reminder, overdue = mail.outbox[0], mail.outbox[-1]
    assert reminder.to == ["sophie@greenrefurb.example"]
    assert reminder.subject == "Marché DD-1\u00a0: justificatif à remettre le 31/12/2027"  # not 2027-12-31
    assert overdue.subject.startswith("Marché DD-1")
    assert translation.get_language() == "en"  # the run's own language is left as it was


def test_a_contract_entered_without_a_tender_keeps_the_platform_s_language(
    contract: Contract, sophie: Persona
) -> None:
    sophie.user.email = "sophie@greenrefurb.example"
    sophie.user.save(update_fields=["email"])

    contract_actions.send_notices(first_obligation(contract).due_date - timedelta(days=3))

    assert mail.outbox[0].subject.startswith("Contract DD-1: evidence due on")


def test_every_evidence_input_of_the_supplier_says_its_limit_before_the_upload(
    contract: Contract, sophie: Persona, procurer: Persona
) -> None:
    # The deliver form and the corrective action's close form: a 25 MB PDF was sent whole and answered
    # by a bare refusal; both inputs now carry the limit cfit.js checks at once, and the kinds taken.
    signed_in(procurer).post(
        f"/contracts/{contract.pk}/findings/",
        {"finding-kind": "non_conformant_smelter", "finding-description": "Row 6", "finding-action": "Source",
         "finding-owner": "Sophie", "finding-deadline": "2099-09-30"},
    )  # fmt: skip
    client = signed_in(sophie)
    obligation = first_obligation(contract)

    page = client.get(f"/contracts/supplier/{contract.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    deliver = client.get(f"/contracts/supplier/{contract.pk}/obligations/{obligation.pk}/").content.decode()

    for html in (page, deliver):
        assert re.search(r'<input type="file"[^>]*data-max-bytes="20971520"', html), html[:200]
    assert re.search(r'<input type="file"[^>]*accept="[^"]*\.pdf', page)
    # The obligation asks for a CMRT: a workbook only, saved macro-enabled too (a PDF is refused).
    assert re.search(r'<input type="file"[^>]*accept="\.xlsx,\.xlsm"', deliver)


def test_a_supplier_never_builds_a_tender_nor_manages_a_contract_as_its_buyer(
    framework: FrameworkVersion, sophie: Persona
) -> None:
    # Sophie, administrator of a supplier, was offered "New tender": she could build and publish a tender
    # with GreenRefurb BV as its contracting authority, score offers and enter contracts as their buyer.
    # Supporters sell and take part in the dialogue; they never buy through the pact.
    client = signed_in(sophie)

    assert "/tenders/new/" not in client.get("/tenders/").content.decode()
    assert client.get("/tenders/new/").status_code in (403, 404)
    assert client.post("/tenders/new/", {"title": "Laptops", "organisation": sophie.organisation.slug}).status_code in (403, 404)  # fmt: skip
    assert client.get(f"/contracts/new/{sophie.organisation.slug}/").status_code in (403, 404)
    token = make_token(sophie, read_only=False)
    answer = program(token).post(
        "/api/v1/tenders/",
        {
            "organisation": sophie.organisation.slug,
            "title": "Laptops",
            "reference": "GR-1",
            "language": "fr",
            "lots": [{"product_group": "notebooks", "quantity": 10}],
        },
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert not Tender.unscoped.filter(organisation=sophie.organisation).exists()


def test_an_overdue_notice_never_shows_the_supplier_and_the_buyer_each_others_addresses(
    contract: Contract, sophie: Persona, procurer: Persona
) -> None:
    # The overdue notice went to Sophie's whole company and the buyer's checker in one To line: each saw
    # the other organisation's addresses. Each organisation now gets its own mail.
    sophie.user.email = "sophie@greenrefurb.example"
    sophie.user.save(update_fields=["email"])
    procurer.user.email = "pia@rijkswaterstaat.example"
    procurer.user.save(update_fields=["email"])
    obligation = first_obligation(contract)
    type(obligation).objects.filter(pk=obligation.pk).update(checker=procurer.user)

    contract_actions.send_notices(obligation.due_date + timedelta(days=1))

    overdue = [m for m in mail.outbox if m.subject == mail.outbox[-1].subject]
    assert sorted(m.to for m in overdue) == [["pia@rijkswaterstaat.example"], ["sophie@greenrefurb.example"]]
    assert not any(m.cc or m.bcc for m in overdue)
