"""Pages of events: the list of what the user may see, an event with registration, its calendar file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.events import actions, ical
from cfit.events.access import get_event, visible_events
from cfit.events.models import Event


def event_list(request: HttpRequest) -> HttpResponse:
    events = visible_events(request.user).select_related("buyer_group", "working_group")
    now = timezone.now()
    return render(
        request,
        "events/list.html",
        {"upcoming": events.filter(ends__gt=now), "past": events.filter(ends__lte=now).order_by("-starts")},
    )


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event(request.user, pk)
    taken = event.registrations.count()
    registered = request.user.is_authenticated and event.registrations.filter(user=request.user).exists()
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "taken": taken,
            "places_left": max(event.capacity - taken, 0) if event.capacity else None,
            "registered": registered,
        },
    )


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event(request.user, pk)
    try:
        actions.register(event, acting_user=request.user)
    except actions.RegistrationRefused as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are registered."))
    return redirect("events:detail", event.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event(request.user, pk)
    actions.cancel(event, acting_user=request.user)
    messages.success(request, _("Your registration is cancelled."))
    return redirect("events:detail", event.pk)


def calendar_file(request: HttpRequest, pk: int) -> HttpResponse:
    event: Event = get_event(request.user, pk)
    text = ical.calendar(
        [
            ical.CalendarEvent(
                uid=f"event-{event.pk}@{request.get_host()}",
                title=event.title,
                starts=event.starts,
                ends=event.ends,
                description=event.description,
                location=event.location or event.online_url,
                url=request.build_absolute_uri(f"/events/{event.pk}/"),
            )
        ],
        stamp=timezone.now(),
    )
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response
