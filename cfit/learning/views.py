"""Pages of guides and events: thin, every protected object through ``access``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cfit.accounts.access import is_secretariat_staff
from cfit.accounts.tokens import digest
from cfit.criteria.content import LANGUAGES, is_web_address
from cfit.criteria.models import Criterion, FieldTranslation, FrameworkVersion
from cfit.learning import actions, ical
from cfit.learning.access import (
    can_manage_event,
    can_register,
    get_event_for_user,
    get_guide_for_reader,
    get_guide_to_edit,
    visible_events,
)
from cfit.learning.forms import EventForm, GuideFilterForm, GuideForm, MaterialForm, NewGuideForm
from cfit.learning.models import (
    GUIDE_FIELDS,
    CalendarFeed,
    Event,
    EventMaterial,
    Guide,
    GuideVersion,
    Registration,
    theme_label,
)
from cfit.learning.text import plain_text, render_body
from cfit.pact.access import can_edit_working_group, is_coordinator
from cfit.pact.models import BuyerGroup, WorkingGroup


def _language() -> str:
    return (get_language() or "en").split("-")[0]


# ---------------------------------------------------------------------------
# Guides
# ---------------------------------------------------------------------------


def guide_list(request: HttpRequest) -> HttpResponse:
    lang = _language()
    form = GuideFilterForm(request.GET or None, language=lang)
    wanted = form.cleaned_data if form.is_valid() else {}
    guides = Guide.objects.prefetch_related("product_groups", "versions").order_by("slug")
    if wanted.get("product_group"):
        guides = guides.filter(product_groups__code=wanted["product_group"])
    shown = []
    # Every word must occur somewhere, in any order, as /search/ reads a query: "battery warranty" finds
    # the guide on "battery, repairability and warranty".
    words = (wanted.get("q") or "").casefold().split()
    for guide in guides:
        published = [v for v in guide.versions.all() if v.status == GuideVersion.Status.PUBLISHED]
        if not published:
            continue
        current = max(published, key=lambda v: v.number)
        if wanted.get("theme") and wanted["theme"] not in guide.themes:
            continue
        # The search reads the reader's language and English, as the criteria library does.
        if words:
            haystack = (
                " ".join(
                    plain_text(current.text(field, language))
                    for field in GUIDE_FIELDS
                    for language in {lang, "en"}
                )
                + " "
                + guide.slug
            )
            haystack = haystack.casefold()
            if not all(word in haystack for word in words):
                continue
        shown.append(
            (guide, current.text("title", lang), current.text("summary", lang), current.has_language(lang))
        )
    return render(
        request,
        "learning/guides.html",
        {"form": form, "guides": shown, "language": lang, "can_edit": is_secretariat_staff(request.user)},
    )


def _linked_criteria(codes: list[str]) -> list[Criterion]:
    version = FrameworkVersion.objects.latest_published()
    if version is None or not codes:
        return []
    found = {c.code: c for c in Criterion.objects.in_version(version).filter(code__in=codes)}
    return [found[code] for code in codes if code in found]


def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_guide_for_reader(request.user, slug)
    lang = _language()
    version: GuideVersion | None = guide.current
    if request.GET.get("version") and str(request.GET["version"]).isdigit():
        version = get_object_or_404(
            GuideVersion,
            guide=guide,
            number=int(request.GET["version"]),
            status=GuideVersion.Status.PUBLISHED,
        )
    if (version is None or request.GET.get("draft")) and is_secretariat_staff(request.user):
        version = guide.draft or version
    if version is None:
        raise Http404
    in_language = version.has_language(lang)
    shown_language = lang if in_language else "en"
    stale = (
        in_language
        and version.translations.filter(
            language=lang, field__in=["title", "body"], state=FieldTranslation.State.NEEDS_REVIEW
        ).exists()
    )
    return render(
        request,
        "learning/guide.html",
        {
            "guide": guide,
            "version": version,
            "title": version.text("title", shown_language),
            "summary": version.text("summary", shown_language),
            "body": render_body(version.text("body", shown_language)),
            "fallback": not in_language,
            "stale": stale and lang != "en",
            "shown_language": shown_language,
            "themes": [theme_label(code, lang) for code in guide.themes],
            "criteria": _linked_criteria(guide.criterion_codes),
            "history": guide.versions.filter(status=GuideVersion.Status.PUBLISHED),
            "can_edit": is_secretariat_staff(request.user),
        },
    )


def _guide_initial(guide: Guide, version: GuideVersion) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "kind": guide.kind,
        "product_groups": [g.code for g in guide.product_groups.all()],
        "themes": guide.themes,
        "criteria": ", ".join(guide.criterion_codes),
    }
    for field in GUIDE_FIELDS:
        for lang in LANGUAGES:
            initial[f"{field}_{lang}"] = getattr(version, field).get(lang, "")
    return initial


def _states_table(version: GuideVersion) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Per field, each language's state as the secretariat reads it: missing, translated, or the
    framework's needs review / reviewed / updated (``True`` where a review can be marked)."""
    rows = {(r.field, r.language): r for r in version.translations.all()}
    table = []
    for field in GUIDE_FIELDS:
        cells = []
        for lang in LANGUAGES:
            row = rows.get((field, lang))
            if not getattr(version, field).get(lang):
                cells.append((lang, _("missing"), False))
            elif row is None:
                cells.append((lang, _("translated"), False))
            else:
                cells.append(
                    (lang, row.get_state_display(), row.state == FieldTranslation.State.NEEDS_REVIEW)
                )
        table.append((field, cells))
    return table


@login_required
def guide_new(request: HttpRequest) -> HttpResponse:
    if not is_secretariat_staff(request.user):
        raise PermissionDenied
    form = NewGuideForm(request.POST or None, language=_language())
    if request.method == "POST" and form.is_valid():
        try:
            texts = form.texts()
            guide = actions.create_guide(
                slug=form.cleaned_data["slug"], kind=form.cleaned_data["kind"], title=texts["title"],
                summary=texts["summary"], body=texts["body"], product_groups=form.cleaned_data["product_groups"],
                themes=form.cleaned_data["themes"], criteria=form.criterion_codes(), acting_user=request.user,
            )  # fmt: skip
        except actions.LearningRuleBroken as error:
            form.add_error(None, error)
        else:
            return redirect("learning:guide-edit", guide.slug)
    return render(request, "learning/guide_form.html", {"form": form, "guide": None})


@login_required
def guide_edit(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_guide_to_edit(request.user, slug)
    version = guide.draft or guide.current
    assert version is not None
    form = GuideForm(request.POST or None, initial=_guide_initial(guide, version), language=_language())
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_guide(
                guide, texts=form.texts(), product_groups=form.cleaned_data["product_groups"],
                themes=form.cleaned_data["themes"], criteria=form.criterion_codes(),
                change_note=form.cleaned_data["change_note"], acting_user=request.user,
            )  # fmt: skip
        except actions.LearningRuleBroken as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("learning:guide-edit", guide.slug)
    return render(
        request,
        "learning/guide_form.html",
        {"form": form, "guide": guide, "version": version, "states": _states_table(version)},
    )


@require_POST
@login_required
def guide_publish(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_guide_to_edit(request.user, slug)
    try:
        version = actions.publish_guide(guide, acting_user=request.user)
    except actions.LearningRuleBroken as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("Version %(number)s is published.") % {"number": version.number})
    return redirect("learning:guide", guide.slug)


@require_POST
@login_required
def guide_review(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_guide_to_edit(request.user, slug)
    draft = guide.draft
    if draft is None:
        raise Http404
    try:
        actions.mark_guide_reviewed(
            draft,
            str(request.POST.get("field", "")),
            str(request.POST.get("language", "")),
            acting_user=request.user,
        )
    except actions.LearningRuleBroken as error:
        messages.error(request, "; ".join(error.messages))
    return redirect("learning:guide-edit", guide.slug)


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    events = visible_events(request.user)
    mine: set[int] = set()
    if request.user.is_authenticated:
        mine = set(Registration.objects.filter(user=request.user).values_list("event_id", flat=True))
    return render(
        request,
        "learning/events.html",
        {
            "upcoming": events.filter(ends__gte=now).order_by("starts"),
            "past": events.filter(ends__lt=now).order_by("-starts")[:50],
            "mine": mine,
            "can_create": bool(_audiences(request.user)),
        },
    )


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_event_for_user(request.user, event_id)
    manage = can_manage_event(request.user, event)
    registration = (
        Registration.objects.filter(event=event, user=request.user).first()
        if request.user.is_authenticated
        else None
    )
    registered = event.registrations.filter(status=Registration.Status.REGISTERED).count()
    return render(
        request,
        "learning/event.html",
        {
            "event": event,
            "registration": registration,
            "places_left": max(event.capacity - registered, 0),
            "waiting": event.registrations.filter(status=Registration.Status.WAITING).count(),
            "over": event.ends <= timezone.now(),
            "can_register": can_register(request.user) and event.ends > timezone.now(),
            "can_manage": manage,
            "registrations": event.registrations.select_related("user") if manage else [],
            "materials": event.materials.all(),
            "material_form": MaterialForm() if manage else None,
        },
    )


def _audiences(user: Any) -> list[tuple[str, str]]:
    """The audiences a user may create events for: ``public``, ``bg:<slug>``, ``wg:<slug>``."""
    if not user.is_authenticated:
        return []
    secretariat = is_secretariat_staff(user)
    choices: list[tuple[str, str]] = [("public", _("Public"))] if secretariat else []
    for group in BuyerGroup.objects.select_related("coordinator"):
        if secretariat or is_coordinator(user, group):
            choices.append((f"bg:{group.slug}", _("Buyer group: %(name)s") % {"name": group.name}))
    for working_group in WorkingGroup.objects.all():
        if secretariat or can_edit_working_group(user, working_group):
            choices.append(
                (f"wg:{working_group.slug}", _("Working group: %(name)s") % {"name": working_group.name})
            )
    return choices


@login_required
def event_new(request: HttpRequest) -> HttpResponse:
    audiences = _audiences(request.user)
    if not audiences:
        raise PermissionDenied
    form = EventForm(request.POST or None, audiences=audiences)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, _sep, slug = str(data["audience"]).partition(":")
        try:
            event = actions.create_event(
                acting_user=request.user, title=data["title"], description=data["description"],
                language=data["language"], starts=data["starts"], ends=data["ends"], place=data["place"],
                online_url=data["online_url"], capacity=data["capacity"],
                buyer_group=BuyerGroup.objects.get(slug=slug) if kind == "bg" else None,
                working_group=WorkingGroup.objects.get(slug=slug) if kind == "wg" else None,
            )  # fmt: skip
        except actions.LearningRuleBroken as error:
            form.add_error(None, error)
        else:
            return redirect(event)
    return render(request, "learning/event_form.html", {"form": form})


@require_POST
@login_required
def event_register(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_event_for_user(request.user, event_id)
    if not can_register(request.user):
        raise PermissionDenied
    try:
        registration = actions.register(event, acting_user=request.user)
    except actions.LearningRuleBroken as error:
        messages.error(request, "; ".join(error.messages))
    else:
        if registration.status == Registration.Status.WAITING:
            messages.info(request, _("The event is full: you are on the waiting list."))
        else:
            messages.success(request, _("You are registered."))
    return redirect(event)


@require_POST
@login_required
def event_unregister(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_event_for_user(request.user, event_id)
    actions.unregister(event, acting_user=request.user)
    messages.success(request, _("Your registration is cancelled."))
    return redirect(event)


@require_POST
@login_required
def material_add(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_event_for_user(request.user, event_id)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Give a title and either a link or a file."))
        return redirect(event)
    upload = form.cleaned_data.get("file")
    try:
        actions.add_material(
            event, title=form.cleaned_data["title"], url=form.cleaned_data.get("url") or "",
            data=upload.read() if upload else b"", filename=upload.name if upload else "",
            acting_user=request.user,
        )  # fmt: skip
    except actions.LearningRuleBroken as error:
        messages.error(request, "; ".join(error.messages))
    return redirect(event)


def material(request: HttpRequest, event_id: int, material_id: int) -> HttpResponseBase:
    """A material, for whoever sees the event (404 for others, whatever the ids)."""
    event = get_event_for_user(request.user, event_id)
    item = get_object_or_404(EventMaterial, event=event, pk=material_id)
    if item.url:
        if not is_web_address(item.url):
            raise Http404
        return HttpResponseRedirect(item.url)
    path = Path(item.stored_file)
    if not item.stored_file or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=item.filename or path.name)


def _calendar_event(request: HttpRequest, event: Event, *, waiting: bool = False) -> ical.CalendarEvent:
    link = request.build_absolute_uri(reverse("learning:event", args=[event.pk]))
    return ical.CalendarEvent(
        uid=f"event-{event.pk}@{request.get_host().split(':')[0] or 'cfit'}",
        starts=event.starts,
        ends=event.ends,
        # A place on the waiting list is not a place: the calendar shows the event as tentative.
        summary=_("%(title)s (waiting list)") % {"title": event.title} if waiting else event.title,
        tentative=waiting,
        description="\n\n".join(part for part in (event.description, event.online_url, link) if part),
        location=event.place or event.online_url,
        url=link,
    )


def _ics(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_event_for_user(request.user, event_id)
    text = ical.calendar([_calendar_event(request, event)], stamp=timezone.now())
    return _ics(text, f"event-{event.pk}.ics")


def _calendar_of(request: HttpRequest, user: Any) -> HttpResponse:
    """The events the user registered for (or waits for) that the user still sees."""
    events = visible_events(user).filter(registrations__user_id=int(user.pk or 0)).order_by("starts")
    waiting = set(
        Registration.objects.filter(user=user, status=Registration.Status.WAITING).values_list(
            "event_id", flat=True
        )
    )
    text = ical.calendar(
        [_calendar_event(request, event, waiting=event.pk in waiting) for event in events],
        stamp=timezone.now(),
        name=_("My cfit events"),
    )
    return _ics(text, "my-events.ics")


@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    return _calendar_of(request, request.user)


@require_POST
@login_required
def calendar_feed_new(request: HttpRequest) -> HttpResponse:
    """A new subscription address, shown once (its secret is not stored); the old one stops working."""
    secret = actions.make_calendar_feed(acting_user=request.user)
    address = request.build_absolute_uri(reverse("learning:calendar-feed", args=[secret]))
    return render(request, "learning/calendar_feed.html", {"address": address})


def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """A person's calendar for calendar programs, which subscribe by address and cannot sign in; 404
    for an unknown or replaced address, or an account no longer active."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(digest=digest(secret), user__is_active=True)
        .first()
        if len(secret) <= 100
        else None
    )
    if feed is None:
        raise Http404
    return _calendar_of(request, feed.user)
