"""Joining the pact: an organisation applies and signs, the secretariat decides, the public list and the
API follow. Through the pages with personas, and the boundaries: nobody but the applicant and the
secretariat sees an application."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.joining import actions, pact_text
from cfit.joining.models import Application

from .conftest import PASSWORD, Persona

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% signed pact\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.UPLOAD_DIR = tmp_path


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "organisation_name": "Gemeente Utrecht",
        "country": "NL",
        "type": Organisation.Type.PROCURING_PARTICIPANT,
        "users_served": "4200",
        "contact_name": "Uma Utrecht",
        "contact_email": "uma@utrecht.example",
        "sign-signing": Application.Signing.IN_PLATFORM,
        "sign-signer_name": "Uma Utrecht",
        "sign-signer_role": "Chief information officer",
        "sign-signed_on": timezone.localdate().isoformat(),
        "sign-agree": "on",
        "sign-pact_version": pact_text.CURRENT,
    }
    data.update(overrides)
    return data


def apply_as(user: Any, **fields: Any) -> Application:
    details = actions.Details(
        organisation_name=fields.get("name", "Gemeente Utrecht"),
        country=fields.get("country", "NL"),
        type=fields.get("type", Organisation.Type.PROCURING_PARTICIPANT),
        users_served=4200,
        contact_name="Uma",
        contact_email="uma@utrecht.example",
    )
    signature = actions.InPlatformSignature("Uma", "CIO", timezone.localdate(), pact_text.CURRENT)
    return actions.submit_application(details, signature, acting_user=user)


def test_someone_without_an_account_applies_signs_here_and_follows_the_application() -> None:
    client = Client()
    page = client.get(reverse("joining:apply"))
    assert page.status_code == 200
    assert pact_text.digest(pact_text.text_of(pact_text.CURRENT)) in page.text  # the fingerprint is shown

    data = form_data(
        **{"account-username": "uma", "account-password1": PASSWORD, "account-password2": PASSWORD}
    )
    response = client.post(reverse("joining:apply"), data, follow=True)

    application = Application.objects.get()
    assert response.redirect_chain[-1][0] == reverse("joining:application", args=[application.pk])
    assert application.applicant.username == "uma" and application.state == Application.State.SUBMITTED
    # What was signed is on record: the version and the fingerprint of the exact text.
    assert application.signing == Application.Signing.IN_PLATFORM
    assert application.pact_version == pact_text.CURRENT
    assert application.pact_sha256 == pact_text.digest(pact_text.PACT_TEXTS[pact_text.CURRENT])
    assert (application.signer_name, application.signer_role) == ("Uma Utrecht", "Chief information officer")
    assert AuditRecord.objects.filter(action=AuditRecord.Action.APPLICATION_SUBMITTED).count() == 1
    # Signed in on the way, the applicant sees it among its applications; the public list does not yet.
    assert "Gemeente Utrecht" in client.get(reverse("joining:mine")).text
    assert "Gemeente Utrecht" not in Client().get(reverse("accounts:list")).text


def test_a_signature_needs_name_role_and_consent_and_a_changed_text_is_signed_again(
    procurer: Persona,
) -> None:
    client = signed_in(procurer.user)
    response = client.post(reverse("joining:apply"), form_data(**{"sign-agree": "", "sign-signer_role": ""}))
    assert response.status_code == 200 and "errors-sign-agree" in response.text
    assert "errors-sign-signer_role" in response.text

    stale = client.post(reverse("joining:apply"), form_data(**{"sign-pact_version": "2020-0"}))
    assert "has changed since you opened the page" in stale.text
    assert not Application.objects.exists()


def test_a_signed_pact_is_a_pdf_within_the_size_limit(procurer: Persona, monkeypatch: Any) -> None:
    client = signed_in(procurer.user)

    def upload(name: str, data: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        fields = form_data(**{"sign-signing": Application.Signing.UPLOADED})
        fields["sign-signed_pact"] = SimpleUploadedFile(name, data, content_type="application/pdf")
        return client.post(reverse("joining:apply"), fields)

    assert "only a PDF file is accepted" in upload("pact.pdf", b"PK\x03\x04 a zip pretending").text
    assert "only a PDF file is accepted" in upload("pact.exe", PDF).text
    monkeypatch.setattr(actions, "MAX_SIGNED_PACT_BYTES", 20)
    assert "larger than" in upload("pact.pdf", PDF).text
    monkeypatch.undo()
    assert not Application.objects.exists()

    assert upload("signed pact.pdf", PDF).status_code == 302
    application = Application.objects.get()
    assert application.signing == Application.Signing.UPLOADED
    assert application.filename == "signed pact.pdf" and len(application.file_sha256) == 64
    download = client.get(reverse("joining:signed-pact", args=[application.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_the_secretariat_asks_for_more_then_approves_and_the_organisation_is_public(
    procurer: Persona, secretary: Persona
) -> None:
    applicant = get_user_model().objects.create_user("uma", password=PASSWORD)
    application = apply_as(applicant)
    sam = signed_in(secretary.user)
    assert "Gemeente Utrecht" in sam.get(reverse("joining:review")).text

    # Asking for more needs a message, which the applicant reads and answers.
    sam.post(reverse("joining:decide", args=[application.pk]), {"decision": "more", "message": ""})
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED
    sam.post(
        reverse("joining:decide", args=[application.pk]),
        {"decision": "more", "message": "Please give the number of employees."},
    )
    application.refresh_from_db()
    assert application.state == Application.State.MORE_ASKED
    uma = signed_in(applicant)
    assert (
        "Please give the number of employees."
        in uma.get(reverse("joining:application", args=[application.pk])).text
    )
    uma.post(reverse("joining:answer", args=[application.pk]), {"text": "4,200 employees."})
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED and application.answer == "4,200 employees."

    sam.post(reverse("joining:decide", args=[application.pk]), {"decision": "approve", "message": "Welcome!"})
    application.refresh_from_db()
    organisation = application.organisation
    assert application.state == Application.State.APPROVED and organisation is not None
    assert (organisation.type, organisation.country, organisation.users_served) == (
        Organisation.Type.PROCURING_PARTICIPANT, "NL", 4200,
    )  # fmt: skip
    assert organisation.signed_on == application.signed_on
    assert Membership.objects.get(user=applicant, organisation=organisation).role == Membership.Role.ADMIN
    actions_recorded = list(
        AuditRecord.objects.filter(object_type="joining.application").values_list("action", flat=True)
    )
    assert sorted(actions_recorded) == sorted(
        ["application_submitted", "application_more_asked", "application_submitted", "application_approved"]
    )
    # The public list, its country table and the API follow at once.
    public = Client().get(reverse("accounts:list")).text
    assert "Gemeente Utrecht" in public and "Netherlands" in public
    participants = Client().get("/api/v1/participants").json()
    assert {"name": "Gemeente Utrecht", "country": "NL", "type": "procuring_participant",
            "joined": application.signed_on.isoformat()} in participants  # fmt: skip
    assert all(p["name"] != "Gemeente Utrecht" for p in Client().get("/api/v1/supporters").json())
    # A decided application is decided: approving again changes nothing.
    sam.post(reverse("joining:decide", args=[application.pk]), {"decision": "refuse", "message": "No"})
    application.refresh_from_db()
    assert application.state == Application.State.APPROVED


def test_a_supporter_is_listed_apart_and_never_as_a_participant(secretary: Persona) -> None:
    applicant = get_user_model().objects.create_user("ravi", password=PASSWORD)
    application = apply_as(applicant, name="ReUse Ltd", country="BE", type=Organisation.Type.SUPPORTER)
    actions.approve(application, acting_user=secretary.user)
    organisation = Organisation.objects.get(name="ReUse Ltd")
    assert organisation.type == Organisation.Type.SUPPORTER and organisation.signed_on is None
    assert [s["name"] for s in Client().get("/api/v1/supporters").json()] == ["ReUse Ltd"]
    assert all(p["name"] != "ReUse Ltd" for p in Client().get("/api/v1/participants").json())
    row = Client().get(reverse("accounts:list")).text.split("Belgium")[1].split("</tr>")[0]
    assert row.count('class="num">0<') == 2 and 'class="num">1<' in row


def test_only_the_applicant_and_the_secretariat_see_an_application(
    procurer: Persona, outsider: Persona, secretary: Persona
) -> None:
    applicant = get_user_model().objects.create_user("uma", password=PASSWORD)
    application = apply_as(applicant)
    detail = reverse("joining:application", args=[application.pk])
    assert signed_in(applicant).get(detail).status_code == 200
    assert signed_in(secretary.user).get(detail).status_code == 200
    for other in (procurer.user, outsider.user):
        client = signed_in(other)
        assert client.get(detail).status_code == 404
        assert client.get(reverse("joining:signed-pact", args=[application.pk])).status_code == 404
        assert "Gemeente Utrecht" not in client.get(reverse("joining:mine")).text
        assert client.get(reverse("joining:review")).status_code == 403
        assert client.post(
            reverse("joining:decide", args=[application.pk]), {"decision": "approve"}
        ).status_code in (403, 404)
    assert Client().get(detail).status_code == 302  # anonymous: sign in first
    # The applicant cannot approve itself, nor answer what was not asked.
    assert (
        signed_in(applicant)
        .post(reverse("joining:decide", args=[application.pk]), {"decision": "approve"})
        .status_code
        == 403
    )
    with pytest.raises(actions.ApplicationRefused):
        actions.answer(application, text="hello", acting_user=applicant)
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED and application.organisation is None


def test_the_secretariat_offers_a_new_pact_text_and_old_signatures_keep_theirs(db: Any) -> None:
    """The official wording comes in as a new version; an application signed under the first keeps its
    version and fingerprint, and a signed version's text cannot be changed."""
    from dataclasses import replace

    from django.core.exceptions import ValidationError

    from cfit.joining.models import PactText

    first = PactText.current()
    assert first.version == pact_text.CURRENT and first.sha256 == pact_text.digest(first.text)
    user = get_user_model().objects.create_user("signer", password="x")
    details = actions.Details(
        "Ville de Namur", "BE", "procuring_participant", 900, "Sam Signer", "s@example.org"
    )
    signed = actions.submit_application(
        details,
        actions.InPlatformSignature("Sam Signer", "Director", timezone.localdate(), first.version),
        acting_user=user,
    )
    official = PactText.objects.create(version="2027-1", text="The official text.")  # offered from now
    assert PactText.current() == official
    signed.refresh_from_db()
    assert (signed.pact_version, signed.pact_sha256) == (first.version, first.sha256)
    # a signature made on the page that showed the old text is refused: the text changed meanwhile
    with pytest.raises(actions.ApplicationRefused):
        actions.submit_application(
            replace(details, organisation_name="Ville de Liège"),
            actions.InPlatformSignature("Sam Signer", "Director", timezone.localdate(), first.version),
            acting_user=user,
        )
    first.text += " Changed."
    with pytest.raises(ValidationError):
        first.save()
