"""Demo applications for the secretariat's review queue: one waiting, one asked for more."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cfit.accounts.models import Organisation
from cfit.joining import actions
from cfit.joining.models import Application, PactText

APPLICANTS = [
    # username, organisation, country, type, users served
    ("tallinn", "Tallinn City Government", "EE", Organisation.Type.PROCURING_PARTICIPANT, 7000),
    ("reboot", "Reboot Refurbishing GmbH", "DE", Organisation.Type.SUPPORTER, 0),
]


@transaction.atomic
def create_demo_applications(password: str) -> list[Application]:
    """Idempotent; the applicants sign in with the demo password."""
    users = get_user_model().objects
    secretary = users.filter(username="secretariat").first()
    made = []
    for username, name, country, kind, served in APPLICANTS:
        if Application.objects.filter(organisation_name=name).exists():
            continue
        user = users.create_user(username=username, password=password, email=f"{username}@example.org")
        details = actions.Details(name, country, kind, served, f"{username.title()} Applicant", user.email)
        signature = actions.InPlatformSignature(
            f"{username.title()} Applicant",
            "Director",
            timezone.localdate() - timedelta(days=3),
            PactText.current().version,
        )
        made.append(actions.submit_application(details, signature, acting_user=user))
    if made and secretary is not None and len(made) == len(APPLICANTS):
        actions.ask_for_more(
            made[1],
            message="Please tell us which refurbishing standard you certify against.",
            acting_user=secretary,
        )
    return made
