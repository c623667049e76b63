"""Demo events: a public knowledge session coming up, a past one with its materials, and one for the
Dutch buyer group."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cfit.events.models import Event
from cfit.pact.models import BuyerGroup


@transaction.atomic
def create_demo_events() -> None:
    """Idempotent (by title)."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    events = [
        ("Knowledge session: buying refurbished laptops", now + timedelta(days=14), 40, None, "",
         "How three buyers wrote refurbished laptops into their tenders, and what the market offered."),
        ("Webinar: the 2026 monitoring", now - timedelta(days=30), 0, None,
         "Slides: https://example.org/cfit/monitoring-2026.pdf\nRecording: https://example.org/cfit/monitoring-2026",
         "What to report and how the collective results are protected."),
        ("NL buyer group: smartphones working session", now + timedelta(days=21), 15,
         BuyerGroup.objects.filter(country="NL").first(), "", "Preparing the joint statement on smartphones."),
    ]  # fmt: skip
    for title, starts, capacity, group, materials, description in events:
        Event.objects.get_or_create(
            title=title,
            defaults={
                "starts": starts, "ends": starts + timedelta(hours=2), "capacity": capacity, "buyer_group": group,
                "materials": materials, "description": description, "location": "Online",
            },
        )  # fmt: skip
