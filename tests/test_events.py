"""Knowledge sessions and events: registration up to the capacity, calendar files, materials afterwards,
and a group's event seen by the group only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cfit.events import actions, ical
from cfit.events.models import Event, Registration
from cfit.pact.actions import create_buyer_group

from .conftest import Persona


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_icalendar_file_escapes_text_folds_long_lines_and_uses_crlf() -> None:
    event = ical.CalendarEvent(
        uid="event-1@example.org",
        title="Circulair inkopen; laptops, telefoons en één lange titel " * 3,
        starts=datetime(2027, 3, 4, 9, 30, tzinfo=UTC),
        ends=datetime(2027, 3, 4, 11, 0, tzinfo=UTC),
        description="Line one\nline two, with \\ backslash",
    )
    text = ical.calendar([event], stamp=datetime(2027, 1, 1, tzinfo=UTC))
    lines = text.split("\r\n")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DTSTART:20270304T093000Z" in unfolded and "DTEND:20270304T110000Z" in unfolded
    assert "SUMMARY:Circulair inkopen\\; laptops\\, telefoons en één lange titel" in unfolded
    assert "DESCRIPTION:Line one\\nline two\\, with \\\\ backslash" in unfolded
    assert lines[0] == "BEGIN:VCALENDAR" and "UID:event-1@example.org" in unfolded


@pytest.mark.django_db
def test_registration_stops_at_the_capacity_and_materials_show_afterwards(
    procurer: Persona, outsider: Persona, supplier: Persona
) -> None:
    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        title="Knowledge session: refurbished laptops", starts=start, ends=start + timedelta(hours=2),
        capacity=2, materials="Slides: https://example.org/slides.pdf",
    )  # fmt: skip
    page = reverse("events:detail", args=[event.pk])
    assert "Knowledge session" in Client().get(reverse("events:list")).text  # public
    for persona in (procurer, outsider):
        signed_in(persona.user).post(reverse("events:register", args=[event.pk]))
    full = signed_in(supplier.user)
    full.post(reverse("events:register", args=[event.pk]))
    assert Registration.objects.filter(event=event).count() == 2
    assert "This event is full." in full.get(page).text
    with pytest.raises(actions.RegistrationRefused):
        actions.register(event, acting_user=supplier.user)
    signed_in(outsider.user).post(reverse("events:cancel", args=[event.pk]))
    full.post(reverse("events:register", args=[event.pk]))
    assert set(Registration.objects.values_list("user__username", flat=True)) == {"pia", "sid"}
    assert "slides.pdf" not in Client().get(page).text  # materials after the event

    ics = Client().get(reverse("events:ics", args=[event.pk]))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content

    Event.objects.filter(pk=event.pk).update(
        starts=timezone.now() - timedelta(hours=3), ends=timezone.now() - timedelta(hours=1)
    )
    assert "slides.pdf" in Client().get(page).text
    with pytest.raises(actions.RegistrationRefused):
        actions.register(event, acting_user=outsider.user)


@pytest.mark.django_db
def test_a_groups_event_is_seen_and_joined_by_its_members_only(
    coordinator: Persona, outsider: Persona
) -> None:
    group = create_buyer_group(coordinator.organisation, name="NL buyers", slug="nl-buyers", country="NL")
    start = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        title="NL buyers meet", starts=start, ends=start + timedelta(hours=1), buyer_group=group
    )
    for url in (reverse("events:detail", args=[event.pk]), reverse("events:ics", args=[event.pk])):
        assert signed_in(coordinator.user).get(url).status_code == 200
        assert signed_in(outsider.user).get(url).status_code == 404
        assert Client().get(url).status_code == 404
    assert "NL buyers meet" not in signed_in(outsider.user).get(reverse("events:list")).text
    assert signed_in(outsider.user).post(reverse("events:register", args=[event.pk])).status_code == 404
    assert not Registration.objects.exists()
