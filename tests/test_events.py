"""Knowledge sessions and events: who sees them (URL tampering included), places that are never
overbooked, the waiting list, the iCalendar files read back strictly, and materials afterwards."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from cfit.learning import actions, ical
from cfit.learning.models import Event, Registration
from cfit.pact.models import BuyerGroup, GroupMembership
from tests.conftest import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(coordinator: Any, procurer: Any, outsider: Any, tmp_path: Any, settings: Any) -> dict[str, Any]:
    """A Dutch buyer group run by the coordinator with the procurer's organisation as member, one of
    its events and a public one; the outsider belongs to neither."""
    settings.UPLOAD_DIR = tmp_path
    group = BuyerGroup.objects.create(
        name="Buyer group NL", slug="buyer-group-nl", country="NL", coordinator=coordinator.organisation
    )
    GroupMembership.objects.create(group=group, organisation=procurer.organisation, state="active")
    start = timezone.now() + timedelta(days=10)
    group_event = actions.create_event(
        acting_user=coordinator.user, buyer_group=group, title="Kennissessie, wissen; terugname",
        description="Line one\nLine two, with a comma; and a semicolon", starts=start,
        ends=start + timedelta(hours=2), place="Den Haag", capacity=1,
    )  # fmt: skip
    public = actions.create_event(
        acting_user=None, title="Webinar: notebooks that last", starts=start, ends=start + timedelta(hours=1),
        online_url="https://meet.example.org/cfit", capacity=100,
    )  # fmt: skip
    return {"group": group, "event": group_event, "public": public}


def _client(persona: Any = None) -> Client:
    client = Client()
    if persona is not None:
        client.force_login(persona.user)
    return client


def test_a_group_event_is_seen_by_its_group_only(
    setting: dict[str, Any], procurer: Any, coordinator: Any, outsider: Any
) -> None:
    event, public = setting["event"], setting["public"]
    for persona in (None, outsider):
        client = _client(persona)
        listing = client.get("/events/").content.decode()
        assert public.title in listing and event.title not in listing
        assert client.get(f"/events/{public.pk}/").status_code == 200
        # URL tampering: the group's event, its calendar file, registration and materials are 404.
        for url in ("", "event.ics", "materials/1/"):
            assert client.get(f"/events/{event.pk}/{url}").status_code == 404
    outsider_client = _client(outsider)
    assert outsider_client.post(f"/events/{event.pk}/register/").status_code == 404
    assert not Registration.objects.filter(event=event).exists()
    for persona in (procurer, coordinator):
        assert event.title in _client(persona).get("/events/").content.decode()
        assert _client(persona).get(f"/events/{event.pk}/").status_code == 200
    # Only who runs the group creates its events.
    with pytest.raises(actions.PermissionDenied):
        actions.create_event(
            acting_user=procurer.user, buyer_group=setting["group"], title="x", starts=event.starts,
            ends=event.ends, capacity=3,
        )  # fmt: skip
    assert _client(procurer).get("/events/new/").status_code == 403


def test_full_event_puts_people_on_the_waiting_list_and_promotes_them(
    setting: dict[str, Any], procurer: Any, coordinator: Any
) -> None:
    event = setting["event"]  # one place
    response = _client(procurer).post(f"/events/{event.pk}/register/")
    assert response.status_code == 302
    second = actions.register(event, acting_user=coordinator.user)
    assert second.status == Registration.Status.WAITING and second.seat is None
    assert actions.register(event, acting_user=coordinator.user) == second  # twice is once
    page = _client(coordinator).get(f"/events/{event.pk}/").content.decode()
    assert "You are number 1 on the waiting list" in page
    promoted = actions.unregister(event, acting_user=procurer.user)
    assert promoted is not None and promoted.user == coordinator.user and promoted.seat == 1
    assert promoted.status == Registration.Status.REGISTERED


def test_who_moves_from_the_waiting_list_to_a_place_is_told_by_mail_and_on_the_event_page(
    setting: dict[str, Any],
    procurer: Any,
    coordinator: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    """Coco was second for a session of one place; Pia cancelled and Coco got the place, but nobody
    told her: she learnt it only by opening the event's page again, if at all."""
    settings.SITE_URL = "https://cfit.example.org"
    event = setting["event"]  # one place
    coordinator.user.email = "coco@example.org"
    coordinator.user.save(update_fields=["email"])
    actions.register(event, acting_user=procurer.user)
    actions.register(event, acting_user=coordinator.user)

    with django_capture_on_commit_callbacks(execute=True):
        actions.unregister(event, acting_user=procurer.user)

    [message] = mailoutbox
    assert message.to == ["coco@example.org"] and event.title in message.subject
    # the event page's full address, from the site's public address: a bare path was no link in a mail
    assert "waiting list" in message.body and f"https://cfit.example.org/events/{event.pk}/" in message.body
    assert not getattr(message, "alternatives", None)  # plain text
    page = _client(coordinator).get(f"/events/{event.pk}/").content.decode()
    assert 'id="promoted"' in page and "from the waiting list" in page
    assert 'id="promoted"' not in _client(procurer).get(f"/events/{event.pk}/").content.decode()


def test_the_database_refuses_two_people_on_one_seat(
    setting: dict[str, Any], procurer: Any, coordinator: Any
) -> None:
    event = setting["event"]
    Registration.objects.create(event=event, user=procurer.user, status="registered", seat=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, user=coordinator.user, status="registered", seat=1)
    with pytest.raises(IntegrityError), transaction.atomic():  # a seat, or waiting: never both, never neither
        Registration.objects.create(event=event, user=coordinator.user, status="registered", seat=None)


def test_a_stale_read_of_the_last_place_ends_on_the_waiting_list(
    setting: dict[str, Any], procurer: Any, coordinator: Any, monkeypatch: Any
) -> None:
    """Two registrations that both saw seat 1 free (as without a row lock): the second is refused by
    the unique seat, tries again, and waits."""
    event = setting["event"]
    actions.register(event, acting_user=procurer.user)
    real = actions._free_seat
    stale = iter([1])
    monkeypatch.setattr(actions, "_free_seat", lambda e: next(stale, None) or real(e))
    second = actions.register(event, acting_user=coordinator.user)
    assert second.status == Registration.Status.WAITING
    assert Registration.objects.filter(event=event, status="registered").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections: PostgreSQL run")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_registrations_for_the_last_place() -> None:
    from cfit.accounts.models import Organisation

    organiser = make_persona("org1", "pact-sec", Organisation.Type.SECRETARIAT, "admin")
    people = [
        make_persona(f"p{i}", f"org-{i}", Organisation.Type.PROCURING_PARTICIPANT, "procurer")
        for i in range(2)
    ]
    start = timezone.now() + timedelta(days=1)
    event = actions.create_event(
        acting_user=organiser.user,
        title="Last place",
        starts=start,
        ends=start + timedelta(hours=1),
        capacity=1,
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def take(persona: Any) -> None:
        try:
            barrier.wait()
            actions.register(event, acting_user=persona.user)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    statuses = sorted(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == ["registered", "waiting"]


def _unfolded(text: str) -> list[str]:
    """RFC 5545 strictly: CRLF ends, physical lines of at most 75 octets, continuations start with a space."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def test_calendar_file_reads_back(setting: dict[str, Any], procurer: Any) -> None:
    event = setting["event"]
    response = _client(procurer).get(f"/events/{event.pk}/event.ics")
    assert response["Content-Type"].startswith("text/calendar")
    lines = _unfolded(response.content.decode("utf-8"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR" and "VERSION:2.0" in lines
    fields = dict(line.split(":", 1) for line in lines if not line.startswith(("BEGIN", "END")))
    assert fields["SUMMARY"] == "Kennissessie\\, wissen\\; terugname"
    assert fields["DESCRIPTION"].startswith("Line one\\nLine two\\, with a comma\\; and a semicolon")
    assert fields["DTSTART"] == event.starts.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTEND"]) and re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTAMP"])
    assert fields["UID"] == f"event-{event.pk}@testserver" and fields["LOCATION"] == "Den Haag"

    # The user's feed holds the events the user registered for, and only those.
    actions.register(setting["public"], acting_user=procurer.user)
    feed = _unfolded(_client(procurer).get("/events/my-events.ics").content.decode())
    assert [line for line in feed if line.startswith("UID:")] == [
        f"UID:event-{setting['public'].pk}@testserver"
    ]
    assert _client().get("/events/my-events.ics").status_code == 302  # signed-in only


def test_calendar_lines_fold_on_characters_not_bytes() -> None:
    moment = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    text = ical.calendar(
        [
            ical.CalendarEvent(
                uid="x@cfit", starts=moment, ends=moment + timedelta(hours=1), summary="é" * 100
            )
        ],
        stamp=moment,
    )
    summary = next(line for line in _unfolded(text) if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + "é" * 100
    with pytest.raises(ValueError):
        ical.utc(datetime(2027, 3, 1, 12, 0))


def test_materials_are_seen_by_who_sees_the_event(
    setting: dict[str, Any], coordinator: Any, procurer: Any, outsider: Any
) -> None:
    event = setting["event"]
    client = _client(coordinator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides", content_type="application/pdf")
    assert (
        client.post(f"/events/{event.pk}/materials/", {"title": "Slides", "file": upload}).status_code == 302
    )
    material = event.materials.get()
    url = f"/events/{event.pk}/materials/{material.pk}/"
    assert b"".join(_client(procurer).get(url).streaming_content) == b"%PDF-1.4 slides"  # type: ignore[attr-defined]
    assert _client(outsider).get(url).status_code == 404
    assert _client().get(url).status_code == 404
    # The material of a group event is not reachable through a public event's address either.
    assert (
        _client(outsider).get(f"/events/{setting['public'].pk}/materials/{material.pk}/").status_code == 404
    )
    # Members cannot add materials; bad links and file types are refused.
    assert (
        _client(procurer)
        .post(f"/events/{event.pk}/materials/", {"title": "x", "url": "https://a.example"})
        .status_code
        == 403
    )
    assert event.materials.count() == 1
    with pytest.raises(actions.LearningRuleBroken):
        actions.add_material(event, title="x", url="javascript:alert(1)", acting_user=coordinator.user)
    with pytest.raises(actions.LearningRuleBroken):
        actions.add_material(event, title="x", data=b"MZ", filename="run.exe", acting_user=coordinator.user)


def test_event_rules(setting: dict[str, Any], coordinator: Any) -> None:
    start = timezone.now() + timedelta(days=1)
    for fields in (
        {"starts": start, "ends": start - timedelta(hours=1), "capacity": 3},
        {"starts": start, "ends": start + timedelta(hours=1), "capacity": 0},
        {"starts": start, "ends": start + timedelta(hours=1), "capacity": 3, "online_url": "ftp://x"},
    ):
        with pytest.raises(actions.LearningRuleBroken):
            actions.create_event(acting_user=None, title="x", **fields)
    assert Event.objects.count() == 2


def test_coordinator_creates_a_group_event_through_the_page(
    setting: dict[str, Any], coordinator: Any
) -> None:
    client = _client(coordinator)
    page = client.get("/events/new/").content.decode()
    assert 'value="bg:buyer-group-nl"' in page and 'value="public"' not in page  # public: secretariat only
    response = client.post(
        "/events/new/",
        {
            "title": "Lessons from our laptop tender", "audience": "bg:buyer-group-nl", "language": "nl",
            "starts": "2030-03-01T13:00", "ends": "2030-03-01T15:00", "place": "Utrecht", "capacity": "20",
        },
    )  # fmt: skip
    event = Event.objects.get(title="Lessons from our laptop tender")
    assert response.status_code == 302 and event.buyer_group == setting["group"]
    # 13:00 in the platform's time zone (Brussels, winter) is 12:00 UTC.
    assert event.starts == datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
    tampered = client.post(
        "/events/new/",
        {"title": "x", "audience": "public", "language": "en", "starts": "2030-03-01T13:00",
         "ends": "2030-03-01T15:00", "capacity": "5"},
    )  # fmt: skip
    assert tampered.status_code == 200 and not Event.objects.filter(title="x").exists()
