from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cfit.accounts import eforms_codes
from cfit.accounts.eforms_codes import BuyerActivity, BuyerLegalType
from cfit.joining.countries import country_name


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
    # -- the buyer's details in its eForms contract notices (cfit.tenders.eforms), entered once here by
    # its administrators; every notice of the organisation repeats them. All optional: what is left
    # blank is not written, and the buyer completes it in its eSender.
    legal_type = models.CharField(
        _("legal type"),
        max_length=32,
        choices=BuyerLegalType.choices,
        blank=True,
        help_text=_("The kind of public buyer the organisation is in procurement law (eForms BT-11)."),
    )
    main_activity = models.CharField(
        _("main activity"),
        max_length=16,
        choices=BuyerActivity.choices,
        blank=True,
        help_text=_("The organisation's main area of activity as a public authority (eForms BT-10)."),
    )
    registration_number = models.CharField(
        _("registration number"),
        max_length=100,
        blank=True,
        help_text=_(
            "The organisation's number in its country's business or government register (eForms BT-501)."
        ),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    post_code = models.CharField(_("post code"), max_length=16, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    nuts_code = models.CharField(
        _("NUTS region"),
        max_length=5,
        blank=True,
        help_text=_(
            "The NUTS code of level 3 of the organisation's region: five characters, e.g. NL350 or "
            "FRK26 (eForms BT-507)."
        ),
    )
    telephone = models.CharField(
        _("telephone"),
        max_length=eforms_codes.TELEPHONE_MAX_LENGTH,
        blank=True,
        help_text=_("Digits, spaces, hyphens and brackets, with a leading + for the country code."),
    )
    # -- the review body of the buyer's country (OPT-301-Lot-Review): the notices name it as an
    # organisation of its own, with the review deadlines national law sets (BT-99)
    review_body_name = models.CharField(
        _("review body"),
        max_length=200,
        blank=True,
        help_text=_(
            "The body that hears review procedures against the organisation's procurement decisions, "
            "e.g. a court or a complaints board (eForms OPT-301)."
        ),
    )
    review_body_registration_number = models.CharField(
        _("review body's registration number"), max_length=100, blank=True
    )
    review_body_post_code = models.CharField(_("review body's post code"), max_length=16, blank=True)
    review_body_town = models.CharField(_("review body's town"), max_length=100, blank=True)
    review_body_nuts_code = models.CharField(
        _("review body's NUTS region"),
        max_length=5,
        blank=True,
        help_text=_("The NUTS code of level 3 of the review body's region, in the organisation's country."),
    )
    review_body_email = models.EmailField(_("review body's e-mail"), blank=True)
    review_deadlines = models.TextField(
        _("review deadlines"),
        blank=True,
        help_text=_(
            "The deadlines for asking for a review, as national law sets them, in the language of the "
            "organisation's notices (eForms BT-99)."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    #: The notice details that name the review body, in the order of the form.
    REVIEW_BODY = (
        "review_body_name",
        "review_body_registration_number",
        "review_body_post_code",
        "review_body_town",
        "review_body_nuts_code",
        "review_body_email",
        "review_deadlines",
    )
    #: The fields of the notice details, in the order of the form.
    NOTICE_DETAILS = (
        "legal_type",
        "main_activity",
        "registration_number",
        "street",
        "post_code",
        "town",
        "nuts_code",
        "telephone",
        *REVIEW_BODY,
    )
    #: Details a complete notice can do without (the review body's e-mail is a courtesy).
    OPTIONAL_DETAILS = ("review_body_email",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def country_name(self) -> str:
        """The country as the reader's language names it (the pages; files and the API keep the code)."""
        return country_name(self.country)

    @property
    def is_participant(self) -> bool:
        return self.type in self.PARTICIPANT_TYPES

    @property
    def is_secretariat(self) -> bool:
        return self.type == self.Type.SECRETARIAT

    @property
    def has_notice_details(self) -> bool:
        return any(getattr(self, name) for name in self.NOTICE_DETAILS)

    def missing_notice_details(self) -> list[str]:
        """The names of the notice details not filled in (the buyer completes them in its eSender): the
        review body once while it has no name, then each of its details still missing."""
        fields = {field.name: field for field in self._meta.concrete_fields}
        wanted = [name for name in self.NOTICE_DETAILS if name not in self.OPTIONAL_DETAILS]
        if not self.review_body_name:
            wanted = [name for name in wanted if name not in self.REVIEW_BODY[1:]]
        return [str(fields[name].verbose_name) for name in wanted if not getattr(self, name)]

    def clean(self) -> None:
        """The notice details' rules that are cheap and certain: a NUTS code of level 3 in the
        organisation's country, a telephone number as eForms writes one, no street without a town."""
        super().clean()
        problems: dict[str, ValidationError] = {}
        for name in ("nuts_code", "review_body_nuts_code"):
            problem = self._nuts_problem(getattr(self, name))
            if problem is not None:
                problems[name] = problem
        if self.telephone and not eforms_codes.is_telephone(self.telephone):
            problems["telephone"] = ValidationError(
                _("Write the number with digits, spaces, hyphens and brackets only, e.g. +31 70 123 45 67."),
                code="telephone_form",
            )
        if self.street and not self.town:
            problems["town"] = ValidationError(
                _("An address with a street needs its town."), code="street_without_town"
            )
        reviewed = [name for name in self.REVIEW_BODY[1:] if getattr(self, name)]
        if reviewed and not self.review_body_name:
            problems["review_body_name"] = ValidationError(
                _("Name the review body whose details these are."), code="review_body_unnamed"
            )
        if problems:
            raise ValidationError(problems)

    def _nuts_problem(self, nuts: str) -> ValidationError | None:
        """What is wrong with a NUTS code of this organisation's country, if anything."""
        if not nuts:
            return None
        prefix = eforms_codes.nuts_prefix(self.country)
        if not eforms_codes.is_nuts_level_3(nuts):
            return ValidationError(
                _(
                    "A NUTS region is a code of five capital letters and digits, e.g. %(example)s: "
                    "two letters of the country and three of the region (level 3)."
                ),
                code="nuts_form",
                params={"example": f"{prefix}123"},
            )
        if not nuts.startswith(prefix):
            return ValidationError(
                _("A NUTS region in this organisation's country starts with %(prefix)s."),
                code="nuts_country",
                params={"prefix": prefix},
            )
        if eforms_codes.is_nuts_listed_country(prefix) and not eforms_codes.is_nuts_region(nuts):
            suggestions = eforms_codes.nuts_suggestions(nuts)
            if suggestions:
                return ValidationError(
                    _(
                        "%(code)s is not a NUTS region of level 3 in the eForms code list. "
                        "The nearest regions are %(suggestions)s."
                    ),
                    code="nuts_unknown",
                    params={"code": nuts, "suggestions": ", ".join(suggestions)},
                )
            return ValidationError(
                _("%(code)s is not a NUTS region of level 3 in the eForms code list."),
                code="nuts_unknown",
                params={"code": nuts},
            )
        return None

    @property
    def nuts_name(self) -> str | None:
        """The name of the organisation's NUTS region, e.g. "Utrecht" for NL350."""
        return eforms_codes.nuts_name(self.nuts_code) if self.nuts_code else None

    @property
    def review_body_nuts_name(self) -> str | None:
        """The name of the review body's NUTS region."""
        return eforms_codes.nuts_name(self.review_body_nuts_code) if self.review_body_nuts_code else None


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


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self, now: Any) -> ApiTokenQuerySet:
        """Tokens that sign in now: neither revoked nor expired."""
        return self.filter(revoked__isnull=True, expires__gt=now)


class ApiToken(models.Model):
    """A personal token with which a user's program calls the JSON API (``Authorization: Bearer``),
    with the user's own permissions, or fewer: a read-only token only reads.

    Only the SHA-256 digest of the secret is kept (the secret is 256 random bits, shown once when it is
    made): a copy of the database signs nobody in. Every token expires; a revoked one stays listed."""

    #: How long a token may live, in days, as the page offers it.
    LIFETIMES = (30, 90, 365)
    #: Tokens a user may hold at once that still sign in.
    MAX_ACTIVE = 20

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “asset system sync”.")
    )
    #: The secret's first characters, shown to tell tokens apart.
    prefix = models.CharField(_("begins with"), max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(_("read only"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now: Any) -> bool:
        return self.revoked is None and self.expires > now


class Profile(models.Model):
    """What a user keeps for themselves: their language. Made when first needed; a user without one
    reads the pages in their browser's language and mails in the language of what they are about (a
    campaign's, a buyer group's, a tender's)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of your pages on a new device, and of the mails cfit sends you."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"
