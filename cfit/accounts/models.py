from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationQuerySet(models.QuerySet):
    def participants(self) -> OrganisationQuerySet:
        return self.filter(type__in=Organisation.PARTICIPANT_TYPES)

    def of_user(self, user: object) -> OrganisationQuerySet:
        return self.filter(memberships__user=user)


class Organisation(models.Model):
    """A body that takes part in the pact: a buyer, a government, a supporter or the secretariat."""

    class Type(models.TextChoices):
        #: buys ICT and applies the criteria
        PROCURING_PARTICIPANT = "procuring_participant", _("Procuring participant")
        #: a government that runs a buyer group and monitoring
        COORDINATING_PARTICIPANT = "coordinating_participant", _("Coordinating participant")
        #: supplier, refurbisher, NGO or label body: takes part in the dialogue, never a participant
        SUPPORTER = "supporter", _("Supporter")
        #: maintains the framework and publishes pact-wide results
        SECRETARIAT = "secretariat", _("Secretariat")

    PARTICIPANT_TYPES = (Type.PROCURING_PARTICIPANT, Type.COORDINATING_PARTICIPANT)

    # -- identity
    name = models.TextField(_("name"))
    slug = models.SlugField(
        _("short name"), max_length=80, unique=True, help_text=_("Used in addresses and commands.")
    )
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. NL."))
    type = models.CharField(_("type"), max_length=32, choices=Type.choices)
    # -- the pact's goal is expressed in end users of the participants' ICT
    users_served = models.PositiveIntegerField(
        _("users served"),
        default=0,
        help_text=_("End users of the organisation's ICT (employees, students…)."),
    )
    signed_on = models.DateField(
        _("signed the pact on"),
        null=True,
        blank=True,
        help_text=_("Participants: when they signed the pact."),
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_participant(self) -> bool:
        return self.type in self.PARTICIPANT_TYPES

    @property
    def is_secretariat(self) -> bool:
        return self.type == self.Type.SECRETARIAT


class Membership(models.Model):
    """A user's role in an organisation; a user may belong to several organisations."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")  #: manages members and everything the organisation owns
        PROCURER = "procurer", _("Procurer")  #: builds tenders and evaluates offers
        ASSET_MANAGER = "asset_manager", _("Asset manager")  #: keeps the device register
        VIEWER = "viewer", _("Viewer")  #: reads the organisation's data

    # What each role may do is in one table: cfit.accounts.permissions.

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_user_and_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class FailedSignIn(models.Model):
    """One failed sign-in, kept for the throttling window (cfit.accounts.throttle) and then deleted.

    In the database rather than Django's cache: the default cache is per process, so with several
    gunicorn workers an attacker would get each worker's allowance; the database is shared by all.
    """

    #: The name typed, lower-cased: unknown names count too, so the throttle does not reveal accounts.
    username = models.CharField(_("username"), max_length=150)
    #: The client's network address (see throttle.client_address), empty if unknown.
    address = models.CharField(_("network address"), max_length=64, blank=True)
    attempted = models.DateTimeField(_("attempted"))

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        # The throttle counts the recent failures of one name and of one address.
        indexes = [
            models.Index(fields=["username", "attempted"], name="failed_signin_by_username"),
            models.Index(fields=["address", "attempted"], name="failed_signin_by_address"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address or '?'} at {self.attempted:%Y-%m-%d %H:%M:%S}"
