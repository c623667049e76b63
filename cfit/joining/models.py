"""An organisation's application to join the pact, from submission to the secretariat's decision.

The application keeps what the organisation said about itself and how it signed: an uploaded signed PDF
(with its SHA-256) or a signature in the platform (name, role, date, and the version and SHA-256 of the
exact text signed, see ``pact_text``). On approval the organisation and its first administrator are
created (``actions.approve``); until then nothing of the applicant is public.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cfit.accounts.models import Organisation
from cfit.joining import pact_text
from cfit.joining.countries import country_name


class PactTextQuerySet(models.QuerySet["PactText"]):
    def offered(self) -> PactTextQuerySet:
        """The versions offered for signature by now, newest first."""
        return self.filter(offered_from__lte=timezone.now()).order_by("-offered_from", "-pk")


class PactText(models.Model):
    """A version of the text an organisation signs when it joins in the platform.

    The secretariat puts in the pact's official wording (in the admin) as a new version with the date from
    which it is offered; the newest offered version is the one signed. A version's text never changes once
    someone signed it: a signature points at it by version and SHA-256. The first version is shipped with
    cfit (``pact_text``) so that a new installation can take applications at once."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    text = models.TextField(_("text"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    offered_from = models.DateTimeField(_("offered from"), default=timezone.now)
    created = models.DateTimeField(auto_now_add=True)

    objects = PactTextQuerySet.as_manager()

    class Meta:
        ordering = ["-offered_from"]
        verbose_name = _("pact text")
        verbose_name_plural = _("pact texts")

    def __str__(self) -> str:
        return self.version

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            before = PactText.objects.filter(pk=self.pk).values_list("text", "version").first()
            if (
                before is not None
                and before[0] != self.text
                and Application.objects.filter(pact_version=before[1]).exclude(pact_sha256="").exists()
            ):
                raise ValidationError(
                    _("Version %(version)s has been signed: add a new version instead of changing it.")
                    % {"version": before[1]}
                )
        self.sha256 = pact_text.digest(self.text)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def current(cls) -> PactText:
        """The version offered for signature now (the shipped first version where none is stored)."""
        offered = cls.objects.offered().first()
        if offered is not None:
            return offered
        shipped, _created = cls.objects.get_or_create(
            version=pact_text.CURRENT, defaults={"text": pact_text.text_of(pact_text.CURRENT)}
        )
        return shipped

    @classmethod
    def text_of(cls, version: str) -> str:
        return cls.objects.filter(version=version).values_list("text", flat=True).first() or ""


class ApplicationQuerySet(models.QuerySet):
    def of_applicant(self, user: object) -> ApplicationQuerySet:
        return self.filter(applicant=user)

    def to_review(self) -> ApplicationQuerySet:
        """What waits for the secretariat: submitted, or answered after it asked for more."""
        return self.filter(state=Application.State.SUBMITTED)


class Application(models.Model):
    class State(models.TextChoices):
        #: waits for the secretariat
        SUBMITTED = "submitted", _("Submitted")
        #: the secretariat asked the applicant for more; the applicant answers and it is submitted again
        MORE_ASKED = "more_asked", _("More information asked")
        #: the organisation and its administrator exist
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    class Signing(models.TextChoices):
        UPLOADED = "uploaded", _("Signed pact uploaded (PDF)")
        IN_PLATFORM = "in_platform", _("Signed in the platform")

    #: Who may move an application from one state to another (the secretariat all but MORE_ASKED →
    #: SUBMITTED, which is the applicant's answer).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        State.SUBMITTED: (State.APPROVED, State.REFUSED, State.MORE_ASKED),
        State.MORE_ASKED: (State.SUBMITTED, State.REFUSED),
        State.APPROVED: (),
        State.REFUSED: (),
    }
    #: The ways of taking part one applies for (the secretariat is not applied for).
    TYPES = (
        Organisation.Type.PROCURING_PARTICIPANT,
        Organisation.Type.COORDINATING_PARTICIPANT,
        Organisation.Type.SUPPORTER,
    )

    # -- the organisation
    organisation_name = models.TextField(_("organisation name"))
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code."))
    type = models.CharField(_("joins as"), max_length=32, choices=Organisation.Type.choices)
    users_served = models.PositiveIntegerField(
        _("users served"),
        default=0,
        help_text=_("End users of the organisation's ICT (employees, students…)."),
    )
    contact_name = models.TextField(_("contact name"))
    contact_email = models.EmailField(_("contact e-mail"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pact_applications",
        verbose_name=_("applicant"),
        help_text=_("Becomes the organisation's first administrator on approval."),
    )
    # -- how it signed
    signing = models.CharField(_("signed by"), max_length=12, choices=Signing.choices)
    pact_version = models.CharField(_("pact text version"), max_length=20)
    pact_sha256 = models.CharField(
        _("SHA-256 of the pact text"), max_length=64, help_text=_("The exact text signed in the platform.")
    )
    signer_name = models.TextField(_("signed by (name)"), blank=True)
    signer_role = models.TextField(_("signatory's role"), blank=True)
    signed_on = models.DateField(_("signed on"))
    stored_file = models.CharField(max_length=500, blank=True)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("SHA-256 of the uploaded file"), max_length=64, blank=True)
    # -- the conversation and the decision
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SUBMITTED)
    message = models.TextField(
        _("secretariat's message"), blank=True, help_text=_("Why it was refused, or what more it needs.")
    )
    answer = models.TextField(_("applicant's answer"), blank=True)
    organisation = models.OneToOneField(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
        help_text=_("Created on approval."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided = models.DateTimeField(_("decided on"), null=True, blank=True)
    submitted = models.DateTimeField(_("submitted on"))
    created = models.DateTimeField(auto_now_add=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted"]
        verbose_name = _("application to join")
        verbose_name_plural = _("applications to join")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    type__in=["procuring_participant", "coordinating_participant", "supporter"]
                ),
                name="application_type_is_a_way_of_joining",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.get_state_display()})"

    @property
    def audit_label(self) -> str:
        """The name an audit record keeps: no state label, which would stay in the writer's language (the
        record's before and after hold the state's code, named in the reader's language)."""
        return self.organisation_name

    @property
    def country_name(self) -> str:
        """The country as the reader's language names it (the pages; files and the API keep the code)."""
        return country_name(self.country)

    def may_become(self, state: str) -> bool:
        return state in self.TRANSITIONS.get(self.state, ())

    @property
    def is_open(self) -> bool:
        return bool(self.TRANSITIONS.get(self.state))
