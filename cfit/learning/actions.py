"""Every change to guides and events, each in one transaction with its audit record.

Rules enforced here:
- only the secretariat edits and publishes guides; a published version never changes, the next edit
  starts a new draft from it, and the languages not edited with a changed source need review
  (the framework's rules, ``cfit.criteria.translation``);
- an event never holds more registered people than its places: each registration takes a numbered
  seat under a lock on the event row, and the database refuses two people on one seat;
- materials are links (http/https only) or office files checked by ``cfit.uploads``.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from cfit.accounts.access import is_secretariat_staff
from cfit.accounts.languages import own_language
from cfit.accounts.models import Organisation
from cfit.accounts.tokens import digest
from cfit.audit.models import AuditRecord
from cfit.audit.recording import actor, record
from cfit.criteria import content, translation
from cfit.criteria.content import is_web_address
from cfit.criteria.models import ProductGroup
from cfit.learning.access import can_manage_event
from cfit.learning.models import (
    GUIDE_FIELDS,
    CalendarFeed,
    Event,
    EventMaterial,
    Guide,
    GuideCriterion,
    GuideTranslation,
    GuideVersion,
    Registration,
    theme_codes,
)
from cfit.pact.actions import DOCUMENT_TYPES
from cfit.sitelinks import page_address
from cfit.uploads import check_size

# Audit actions of this app (labelled in ``AuditRecord.Action``).
GUIDE_SAVED = AuditRecord.Action.GUIDE_SAVED
GUIDE_PUBLISHED = AuditRecord.Action.GUIDE_PUBLISHED
GUIDE_TRANSLATION_REVIEWED = AuditRecord.Action.GUIDE_TRANSLATION_REVIEWED
EVENT_SAVED = AuditRecord.Action.EVENT_SAVED
EVENT_REGISTERED = AuditRecord.Action.EVENT_REGISTERED
EVENT_UNREGISTERED = AuditRecord.Action.EVENT_UNREGISTERED
EVENT_MATERIAL_ADDED = AuditRecord.Action.EVENT_MATERIAL_ADDED

logger = logging.getLogger(__name__)


class LearningRuleBroken(ValidationError):
    """Raised if a change would break a rule of guides or events; the message says which."""


def _check_secretariat(user: Any) -> None:
    """The secretariat, or the platform itself (``None``: the demo and commands)."""
    if user is not None and not is_secretariat_staff(user):
        raise PermissionDenied


# ---------------------------------------------------------------------------
# Guides
# ---------------------------------------------------------------------------


def _clean_texts(texts: Mapping[str, str] | None) -> dict[str, str]:
    return {
        lang: (texts or {}).get(lang, "").strip()
        for lang in content.LANGUAGES
        if (texts or {}).get(lang, "").strip()
    }


@transaction.atomic
def create_guide(
    *,
    slug: str,
    title: Mapping[str, str],
    body: Mapping[str, str],
    summary: Mapping[str, str] | None = None,
    kind: str = Guide.Kind.MINI_GUIDE,
    product_groups: Iterable[str] = (),
    themes: Iterable[str] = (),
    criteria: Iterable[str] = (),
    acting_user: Any,
) -> Guide:
    """A new guide with its first draft; English title and text are required."""
    _check_secretariat(acting_user)
    if Guide.objects.filter(slug=slug).exists():
        raise LearningRuleBroken(_("A guide with this short name exists."), code="slug_taken")
    guide = Guide.objects.create(slug=slug, kind=kind, created_by=actor(acting_user))
    _set_classification(guide, product_groups=product_groups, themes=themes, criteria=criteria)
    version = GuideVersion(guide=guide, number=1, last_edited_by=actor(acting_user))
    _set_texts(version, {"title": title, "summary": summary or {}, "body": body})
    version.save()
    record(GUIDE_SAVED, guide, acting_user=acting_user, after={"version": 1})
    return guide


def _set_texts(version: GuideVersion, texts: Mapping[str, Mapping[str, str]]) -> None:
    for field in GUIDE_FIELDS:
        setattr(version, field, _clean_texts(texts.get(field)))
    if not version.title.get("en") or not version.body.get("en"):
        raise LearningRuleBroken(_("A guide needs an English title and text."), code="no_english")


def _set_classification(
    guide: Guide, *, product_groups: Iterable[str], themes: Iterable[str], criteria: Iterable[str]
) -> None:
    groups = list(ProductGroup.objects.filter(code__in=list(product_groups)))
    guide.product_groups.set(groups)
    themes = list(dict.fromkeys(themes))
    unknown = sorted(set(themes) - set(theme_codes()))
    if unknown:
        raise LearningRuleBroken(
            _("Unknown theme(s): %(codes)s.") % {"codes": ", ".join(unknown)}, code="theme"
        )
    guide.themes = themes
    guide.save(update_fields=["themes"])
    codes = list(dict.fromkeys(code.strip() for code in criteria if code.strip()))
    guide.criterion_links.exclude(criterion_code__in=codes).delete()
    for position, code in enumerate(codes):
        GuideCriterion.objects.update_or_create(
            guide=guide, criterion_code=code, defaults={"position": position}
        )


def _draft_of(guide: Guide, user: Any) -> GuideVersion:
    """The guide's draft, or a new one copied from the published version with its translation states."""
    draft = (
        GuideVersion.objects.select_for_update().filter(guide=guide, status=GuideVersion.Status.DRAFT).first()
    )
    if draft is not None:
        return draft
    current = guide.current
    assert current is not None  # a guide always has a draft or a published version
    draft = GuideVersion.objects.create(
        guide=guide, number=current.number + 1, title=dict(current.title), summary=dict(current.summary),
        body=dict(current.body), last_edited_by=actor(user),
    )  # fmt: skip
    for row in current.translations.all():
        row.pk, row.version = None, draft
        row.save()
    return draft


@transaction.atomic
def save_guide(
    guide: Guide,
    *,
    texts: Mapping[str, Mapping[str, str]],
    product_groups: Iterable[str],
    themes: Iterable[str],
    criteria: Iterable[str],
    change_note: str = "",
    acting_user: Any,
) -> GuideVersion:
    """Save the secretariat's edit into the guide's draft (started from the published version if none).

    For each field whose text changed in some language, the languages not changed with it need review
    (``translation.after_edit``), exactly as for a criterion of the framework."""
    _check_secretariat(acting_user)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    draft = _draft_of(guide, acting_user)
    before = {field: dict(getattr(draft, field)) for field in GUIDE_FIELDS}
    _set_texts(draft, texts)
    changed: dict[str, list[str]] = {}
    for field in GUIDE_FIELDS:
        after = getattr(draft, field)
        edited = [lang for lang in content.LANGUAGES if before[field].get(lang, "") != after.get(lang, "")]
        if not edited:
            continue
        changed[field] = edited
        source = translation.source_language(edited)
        _apply_states(
            draft,
            field,
            translation.after_edit(
                _states(draft, field),
                edited=edited,
                source_language=source,
                source_before=before[field].get(source, ""),
                source_after=after.get(source, ""),
            ),
        )
    draft.change_note = change_note or draft.change_note
    draft.last_edited_by = actor(acting_user)
    draft.save()
    _set_classification(guide, product_groups=product_groups, themes=themes, criteria=criteria)
    record(GUIDE_SAVED, guide, acting_user=acting_user, after={"version": draft.number, "changed": changed})
    return draft


def _states(version: GuideVersion, field: str) -> dict[str, translation.LanguageState | None]:
    return {
        row.language: translation.LanguageState(
            row.state, row.source_language, row.source_before, row.source_after
        )
        for row in version.translations.filter(field=field)
    }


def _apply_states(
    version: GuideVersion, field: str, states: Mapping[str, translation.LanguageState | None]
) -> None:
    rows = {row.language: row for row in version.translations.filter(field=field)}
    for lang, state in states.items():
        if state is None:
            continue
        # A language with no text yet is missing, not stale: nothing to review.
        if not getattr(version, field).get(lang) and state.state == translation.NEEDS_REVIEW:
            if lang in rows:
                rows[lang].delete()
            continue
        row = rows.get(lang) or GuideTranslation(version=version, field=field, language=lang)
        row.state, row.source_language = state.state, state.source_language
        row.source_before, row.source_after = state.source_before, state.source_after
        if state.state != translation.REVIEWED:
            row.reviewed_by, row.reviewed_at = None, None
        row.save()


@transaction.atomic
def mark_guide_reviewed(
    version: GuideVersion, field: str, language: str, *, acting_user: Any
) -> GuideTranslation:
    """A secretariat member checked one language of one field of a draft against its new source."""
    _check_secretariat(acting_user)
    row = (
        GuideTranslation.objects.select_for_update()
        .filter(version=version, field=field, language=language)
        .first()
    )
    if version.status != GuideVersion.Status.DRAFT or row is None:
        raise LearningRuleBroken(_("This translation is not waiting for review."), code="not_waiting")
    try:
        states = translation.after_review(_states(version, field), language)
    except translation.NotNeedingReview as error:
        raise LearningRuleBroken(
            _("This translation is not waiting for review."), code="not_waiting"
        ) from error
    assert states[language] is not None
    row.state = translation.REVIEWED
    row.reviewed_by, row.reviewed_at = actor(acting_user), timezone.now()
    row.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    record(
        GUIDE_TRANSLATION_REVIEWED, version.guide, acting_user=acting_user,
        after={"version": version.number, "field": field, "language": language},
    )  # fmt: skip
    return row


@transaction.atomic
def publish_guide(guide: Guide, *, acting_user: Any) -> GuideVersion:
    """The draft becomes the version readers see; the one before stays as history."""
    _check_secretariat(acting_user)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    draft = guide.draft
    if draft is None:
        raise LearningRuleBroken(_("There is no draft to publish."), code="no_draft")
    draft.status = GuideVersion.Status.PUBLISHED
    draft.published_at, draft.published_by = timezone.now(), actor(acting_user)
    draft.save(update_fields=["status", "published_at", "published_by"])
    unreviewed = sorted(
        f"{row.field} ({row.language})" for row in draft.translations.filter(state=translation.NEEDS_REVIEW)
    )
    record(
        GUIDE_PUBLISHED, guide, acting_user=acting_user,
        after={"version": draft.number, "unreviewed": unreviewed},
    )  # fmt: skip
    return draft


# ---------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------


def _check_event_fields(starts: datetime, ends: datetime, capacity: int, online_url: str) -> None:
    if timezone.is_naive(starts) or timezone.is_naive(ends):
        raise LearningRuleBroken(_("Give the time with its time zone."), code="naive")
    if ends <= starts:
        raise LearningRuleBroken(_("An event ends after it starts."), code="ends_before")
    if capacity < 1:
        raise LearningRuleBroken(_("An event has at least one place."), code="capacity")
    if online_url and not is_web_address(online_url):
        raise LearningRuleBroken(
            _("A link must be a web address starting with http:// or https://."), code="scheme"
        )


@transaction.atomic
def create_event(*, acting_user: Any, **fields: Any) -> Event:
    """A new event of a buyer group, a working group, or public (the secretariat only)."""
    event = Event(created_by=actor(acting_user), **fields)
    if event.buyer_group_id and event.working_group_id:
        raise LearningRuleBroken(_("An event belongs to one group at most."), code="two_groups")
    if acting_user is not None and not can_manage_event(acting_user, event):
        raise PermissionDenied
    _check_event_fields(event.starts, event.ends, event.capacity, event.online_url)
    event.save()
    record(
        EVENT_SAVED, event, acting_user=acting_user, organisation=_organiser(event),
        after={"capacity": event.capacity},
    )  # fmt: skip
    return event


def _organiser(event: Event) -> Organisation | None:
    """The organisation whose audit log shows an event's changes: a buyer group's coordinator."""
    return event.buyer_group.coordinator if event.buyer_group is not None else None


def _free_seat(event: Event) -> int | None:
    taken = set(event.registrations.exclude(seat=None).values_list("seat", flat=True))
    return next((seat for seat in range(1, event.capacity + 1) if seat not in taken), None)


def register(event: Event, *, acting_user: Any) -> Registration:
    """Register the user on the lowest free seat, or on the waiting list when the event is full.

    The event row is locked while a seat is chosen; should two registrations still pick the same seat
    (a database without row locks), the unique seat refuses the second, which then tries again."""
    for _attempt in range(3):
        try:
            return _register(event, acting_user)
        except IntegrityError:
            if Registration.objects.filter(event=event, user=acting_user).exists():
                raise LearningRuleBroken(_("You are registered already."), code="twice") from None
    raise LearningRuleBroken(_("Too many people registered at once; try again."), code="busy")


@transaction.atomic
def _register(event: Event, user: Any) -> Registration:
    if not user.is_authenticated:
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    existing = Registration.objects.filter(event=event, user=user).first()
    if existing is not None:
        return existing
    if event.ends <= timezone.now():
        raise LearningRuleBroken(_("This event is over."), code="over")
    seat = _free_seat(event)
    status = Registration.Status.REGISTERED if seat else Registration.Status.WAITING
    with transaction.atomic():  # a savepoint: a refused seat leaves the outer transaction usable
        registration = Registration.objects.create(event=event, user=user, status=status, seat=seat)
    record(EVENT_REGISTERED, event, acting_user=user, after={"status": status, "seat": seat})
    return registration


@transaction.atomic
def unregister(event: Event, *, acting_user: Any) -> Registration | None:
    """Cancel the user's registration; the first on the waiting list takes the freed seat.

    Returns the registration promoted from the waiting list, if any."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    registration = Registration.objects.filter(event=event, user=acting_user).first()
    if registration is None:
        return None
    seat = registration.seat
    registration.delete()
    promoted = None
    if seat is not None:
        promoted = (
            Registration.objects.filter(event=event, status=Registration.Status.WAITING)
            .order_by("created", "id")
            .first()
        )
        if promoted is not None:
            promoted.status, promoted.seat = Registration.Status.REGISTERED, seat
            promoted.promoted = timezone.now()
            promoted.save(update_fields=["status", "seat", "promoted"])
            # Told once the place is surely theirs: after the commit, never for a change rolled back.
            transaction.on_commit(lambda: _tell_promoted(event, promoted))
    record(
        EVENT_UNREGISTERED, event, acting_user=acting_user,
        after={"freed_seat": seat, "promoted": promoted.user_id if promoted else None},
    )  # fmt: skip
    return promoted


def _tell_promoted(event: Event, registration: Registration) -> None:
    """A plain-text mail to who got a place from the waiting list, in their own language, else in the
    event's, the one they chose to attend it in. A mail that cannot be handed to the server is logged,
    and the event page still tells them (``Registration.promoted``)."""
    address = registration.user.email
    if not address:
        return
    with override(own_language(registration.user) or event.language):
        subject = _("You have a place at %(title)s") % {"title": event.title}
        body = _(
            "A place became free at %(title)s (%(starts)s) and it is yours: you moved from the waiting list "
            "to place %(seat)s. If you can no longer come, cancel your registration on the event's page, so "
            "that the next person on the waiting list gets it: %(page)s"
        ) % {
            "title": event.title,
            "starts": date_format(timezone.localtime(event.starts), "DATETIME_FORMAT"),
            "seat": registration.seat,
            "page": page_address("learning:event", event.pk),
        }
    try:
        EmailMessage(subject, body, None, [address]).send()
    except (OSError, smtplib.SMTPException):
        logger.exception("The mail telling %s of a place at event %s was not sent", address, event.pk)


@transaction.atomic
def add_material(
    event: Event, *, title: str, acting_user: Any, url: str = "", data: bytes = b"", filename: str = ""
) -> EventMaterial:
    """A link or a file (an office or text format, size-checked) shown with the event."""
    if acting_user is not None and not can_manage_event(acting_user, event):
        raise PermissionDenied
    if bool(url) == bool(data):
        raise LearningRuleBroken(_("Give either a link or a file."), code="link_or_file")
    if url and not is_web_address(url):
        raise LearningRuleBroken(
            _("A link must be a web address starting with http:// or https://."), code="scheme"
        )
    stored = ""
    if data:
        check_size(data, filename)
        suffix = Path(filename).suffix.lower()
        if suffix not in DOCUMENT_TYPES:
            raise LearningRuleBroken(
                _("Files of type %(suffix)s are not accepted.") % {"suffix": suffix or "?"}, code="type"
            )
        folder = Path(settings.UPLOAD_DIR) / "event-materials"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}{suffix}"
        path.write_bytes(data)
        stored = str(path)
    material = EventMaterial.objects.create(
        event=event, title=title.strip() or filename, url=url, stored_file=stored,
        filename=Path(filename).name[:255], uploaded_by=actor(acting_user),
    )  # fmt: skip
    record(
        EVENT_MATERIAL_ADDED, event, acting_user=acting_user, organisation=_organiser(event),
        after={"title": material.title},
    )  # fmt: skip
    return material


@transaction.atomic
def make_calendar_feed(*, acting_user: Any) -> str:
    """A new secret address for the user's calendar feed, replacing the earlier one (which stops
    working at once). Returns the secret, shown once: only its digest is stored.

    Not audited: the address is the user's own and shows nothing the user may not already see."""
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied
    secret = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=acting_user, defaults={"digest": digest(secret)})
    return secret
