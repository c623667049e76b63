"""Knowledge sessions and events: public, or for one buyer group or working group; registration up to a
capacity; materials shared afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cfit.pact.models import BuyerGroup, WorkingGroup


class Event(models.Model):
    title = models.TextField(_("title"))
    description = models.TextField(_("description"), blank=True)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    location = models.TextField(_("location"), blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), default=0, help_text=_("0: no limit."))
    #: Neither group: public. One group: visible to that group only.
    buyer_group = models.ForeignKey(
        BuyerGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    working_group = models.ForeignKey(
        WorkingGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    materials = models.TextField(
        _("materials"), blank=True, help_text=_("Slides, recordings, notes: shown once the event is over.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="event_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=models.Q(buyer_group__isnull=True) | models.Q(working_group__isnull=True),
                name="event_of_at_most_one_group",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.buyer_group_id is None and self.working_group_id is None

    @property
    def is_over(self) -> bool:
        return self.ends <= timezone.now()


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_registration_per_person")]

    def __str__(self) -> str:
        return f"{self.user} at {self.event}"
