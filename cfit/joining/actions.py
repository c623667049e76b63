"""Joining the pact: an organisation applies and signs, the secretariat decides. One transaction each,
with an audit record; the rules (who decides, which state follows which) are guarded here.

- Only the secretariat approves, refuses or asks for more, and only from a state that allows it.
- Only the applicant answers a request for more, which submits the application again.
- On approval the organisation is created with the type applied for (a supporter never becomes a
  participant: it is created as a supporter, without a signing date) and the applicant becomes its
  administrator.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cfit.accounts.access import is_secretariat_staff
from cfit.accounts.models import Membership, Organisation
from cfit.audit.models import AuditRecord
from cfit.audit.recording import record
from cfit.joining.models import Application, PactText
from cfit.uploads import check_size, refuse

#: A signed pact is a few pages, scanned perhaps: 10 MB is plenty.
MAX_SIGNED_PACT_BYTES = 10 * 1024 * 1024
#: Slugs the organisation pages use for themselves (/organisations/mine/).
RESERVED_SLUGS = {"mine", "new"}


class ApplicationRefused(ValidationError):
    """Raised if an application cannot change as asked; the message says why."""


@dataclass(frozen=True)
class Details:
    """What an organisation says about itself when it applies."""

    organisation_name: str
    country: str
    type: str
    users_served: int
    contact_name: str
    contact_email: str


@dataclass(frozen=True)
class InPlatformSignature:
    signer_name: str
    signer_role: str
    signed_on: date
    #: The version of the text the signatory was shown (and agreed to).
    pact_version: str


@dataclass(frozen=True)
class UploadedSignature:
    data: bytes
    filename: str
    signed_on: date


Signature = InPlatformSignature | UploadedSignature


def check_signed_pact(data: bytes, filename: str) -> None:
    """A PDF only (by name and by content), and not larger than the limit; refused before it is stored."""
    check_size(data, filename, MAX_SIGNED_PACT_BYTES)
    if Path(filename).suffix.lower() != ".pdf" or not data.startswith(b"%PDF-"):
        raise refuse(filename, "not a PDF file", code="not_pdf")


def _apply_signature(application: Application, signature: Signature) -> None:
    if signature.signed_on > timezone.localdate():
        raise ApplicationRefused(_("The signing date cannot be in the future."), code="future")
    application.signed_on = signature.signed_on
    offered = PactText.current()
    application.pact_version = offered.version
    application.pact_sha256 = offered.sha256
    if isinstance(signature, InPlatformSignature):
        if signature.pact_version != offered.version:
            # The text changed while the signatory read it: sign the text shown now.
            raise ApplicationRefused(
                _("The pact's text has changed since you opened the page: read it again and sign."),
                code="stale_text",
            )
        if not signature.signer_name.strip() or not signature.signer_role.strip():
            raise ApplicationRefused(_("Give the signatory's name and role."), code="signer")
        application.signing = Application.Signing.IN_PLATFORM
        application.signer_name = signature.signer_name.strip()
        application.signer_role = signature.signer_role.strip()
        return
    check_signed_pact(signature.data, signature.filename)
    folder = Path(settings.UPLOAD_DIR) / "signed-pacts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(signature.data)
    application.signing = Application.Signing.UPLOADED
    application.stored_file = str(path)
    application.filename = Path(signature.filename).name[:255]
    application.file_sha256 = hashlib.sha256(signature.data).hexdigest()


def _check_details(details: Details) -> None:
    if details.type not in Application.TYPES:
        raise ApplicationRefused(_("Unknown way of taking part."), code="unknown_type")
    if not details.organisation_name.strip():
        raise ApplicationRefused(_("Give the organisation's name."), code="name")
    if details.users_served < 0:
        raise ApplicationRefused(_("Users served cannot be negative."), code="negative")


def _summary(application: Application) -> dict[str, Any]:
    return {
        "state": application.state,
        "type": application.type,
        "country": application.country,
        "signing": application.signing,
        "pact_version": application.pact_version,
        "pact_sha256": application.pact_sha256,
        "file_sha256": application.file_sha256,
    }


@transaction.atomic
def create_applicant(*, username: str, password: str, email: str) -> Any:
    """The account of someone who applies without one (the form has checked the password's strength)."""
    return get_user_model().objects.create_user(username=username, password=password, email=email)


@transaction.atomic
def submit_application(details: Details, signature: Signature, *, acting_user: Any) -> Application:
    """The signed-in applicant's application, signed, waiting for the secretariat."""
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied
    _check_details(details)
    application = Application(
        **{field: getattr(details, field) for field in Details.__dataclass_fields__},
        applicant=acting_user,
        submitted=timezone.now(),
    )
    _apply_signature(application, signature)
    application.full_clean(exclude=["applicant", "organisation", "decided_by"])
    application.save()
    record(
        AuditRecord.Action.APPLICATION_SUBMITTED, application, acting_user=acting_user,
        after=_summary(application),
    )  # fmt: skip
    return application


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


@transaction.atomic
def answer(
    application: Application, *, text: str, signature: Signature | None = None, acting_user: Any
) -> Application:
    """The applicant answers the secretariat's request (and may sign again): submitted again."""
    application = _locked(application)
    if application.applicant_id != getattr(acting_user, "pk", None):
        raise PermissionDenied
    if not application.may_become(Application.State.SUBMITTED):
        raise ApplicationRefused(_("This application does not wait for your answer."), code="state")
    before = _summary(application)
    if signature is not None:
        _apply_signature(application, signature)
    application.answer = text.strip()
    application.state = Application.State.SUBMITTED
    application.submitted = timezone.now()
    application.save()
    record(
        AuditRecord.Action.APPLICATION_SUBMITTED, application, acting_user=acting_user,
        before=before, after=_summary(application), reason=application.answer,
    )  # fmt: skip
    return application


def _decide(application: Application, state: str, message: str, acting_user: Any) -> tuple[Application, Any]:
    if not is_secretariat_staff(acting_user):
        raise PermissionDenied
    application = _locked(application)
    if not application.may_become(state):
        raise ApplicationRefused(
            _("An application that is %(state)s cannot be changed so.")
            % {"state": application.get_state_display()},
            code="state",
        )
    before = _summary(application)
    application.state = state
    application.message = message.strip()
    application.decided_by = acting_user
    application.decided = timezone.now()
    return application, before


@transaction.atomic
def ask_for_more(application: Application, *, message: str, acting_user: Any) -> Application:
    if not message.strip():
        raise ApplicationRefused(_("Say what more you need."), code="no_message")
    application, before = _decide(application, Application.State.MORE_ASKED, message, acting_user)
    application.save()
    record(
        AuditRecord.Action.APPLICATION_MORE_ASKED, application, acting_user=acting_user,
        before=before, after=_summary(application), reason=application.message,
    )  # fmt: skip
    return application


@transaction.atomic
def refuse_application(application: Application, *, message: str, acting_user: Any) -> Application:
    if not message.strip():
        raise ApplicationRefused(_("Say why the application is refused."), code="no_message")
    application, before = _decide(application, Application.State.REFUSED, message, acting_user)
    application.save()
    record(
        AuditRecord.Action.APPLICATION_REFUSED, application, acting_user=acting_user,
        before=before, after=_summary(application), reason=application.message,
    )  # fmt: skip
    return application


# Letters that are letters of their own in Norwegian, Danish, German, French or Dutch and that Unicode does
# not decompose into a base letter and an accent: without this table slugify drops them ("Bærum kommune"
# became "brum-kommune"). Written as a reader of the language expects (æ→ae, ø→o, å→a by decomposition,
# ß→ss); every other accent is dropped by the decomposition below.
TRANSLITERATION = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss", "ẞ": "SS", "œ": "oe", "Œ": "Oe",
     "ĳ": "ij", "Ĳ": "IJ", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th"}
)  # fmt: skip


def transliterate(name: str) -> str:
    """The name in ASCII letters: the table's letters spelled out, accents dropped (é→e, å→a, ü→u)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(TRANSLITERATION))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _free_slug(name: str) -> str:
    """A short name for the address, unique among organisations; existing organisations keep theirs."""
    base = slugify(transliterate(name))[:70].strip("-") or "organisation"
    if base in RESERVED_SLUGS:
        base = f"{base}-organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def approve(application: Application, *, message: str = "", acting_user: Any) -> Application:
    """The organisation exists from now on, as applied for, with the applicant as its administrator;
    the public participant list and the API show it at once."""
    application, before = _decide(application, Application.State.APPROVED, message, acting_user)
    if Organisation.objects.filter(
        name__iexact=application.organisation_name.strip(), country=application.country
    ).exists():
        raise ApplicationRefused(
            _("An organisation of this name already takes part from this country."), code="exists"
        )
    is_participant = application.type in Organisation.PARTICIPANT_TYPES
    organisation = Organisation.objects.create(
        name=application.organisation_name.strip(),
        slug=_free_slug(application.organisation_name),
        country=application.country,
        type=application.type,
        users_served=application.users_served,
        # A supporter signs no participation: it has no signing date (see pact.actions.join_pact).
        signed_on=application.signed_on if is_participant else None,
    )
    Membership.objects.create(
        user=application.applicant, organisation=organisation, role=Membership.Role.ADMIN
    )
    application.organisation = organisation
    application.save()
    record(
        AuditRecord.Action.APPLICATION_APPROVED, application, acting_user=acting_user,
        organisation=organisation, before=before, after=_summary(application), reason=application.message,
    )  # fmt: skip
    return application
