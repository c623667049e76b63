"""How the partnership is organised: who takes part and how, buyer groups, working groups, and the joint
statements of demand that participants sign.

Participation itself is a property of the organisation (``accounts.Organisation.type`` and
``signed_on``); the rules that guard it (a supporter is never a participant) live in ``actions``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cfit.accounts.models import Organisation
from cfit.joining.countries import country_name

LANGUAGE_CHOICES = settings.LANGUAGES


class BuyerGroupQuerySet(models.QuerySet):
    def led_by(self, organisation: Organisation) -> BuyerGroupQuerySet:
        return self.filter(coordinator=organisation)

    def with_member(self, organisation: Organisation) -> BuyerGroupQuerySet:
        return self.filter(
            memberships__organisation=organisation, memberships__state=GroupMembership.State.ACTIVE
        )


class BuyerGroup(models.Model):
    """A national or regional group of buyers, run by a coordinating participant, in its own language."""

    class Scope(models.TextChoices):
        NATIONAL = "national", _("National")
        REGIONAL = "regional", _("Regional")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.NATIONAL)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, default="en")
    coordinator = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="led_buyer_groups", verbose_name=_("coordinator")
    )
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = BuyerGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("buyer group")
        verbose_name_plural = _("buyer groups")

    def __str__(self) -> str:
        return self.name

    @property
    def country_name(self) -> str:
        """The country as the reader's language names it (the pages; files and the API keep the code)."""
        return country_name(self.country)

    def clean(self) -> None:
        if self.coordinator_id and self.coordinator.type != Organisation.Type.COORDINATING_PARTICIPANT:
            raise ValidationError(
                {"coordinator": _("A buyer group is led by a coordinating participant.")},
                code="not_coordinator",
            )


class GroupMembership(models.Model):
    """An organisation in a buyer group: invited by the coordinator or asking to join, then active."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")  #: the coordinator asked; the organisation has not answered
        REQUESTED = "requested", _("Requested")  #: the organisation asked; the coordinator has not answered
        ACTIVE = "active", _("Member")
        DECLINED = "declined", _("Declined")

    group = models.ForeignKey(BuyerGroup, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="group_memberships")
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    created = models.DateTimeField(auto_now_add=True)
    decided = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["group", "organisation__name"]
        verbose_name = _("buyer group membership")
        verbose_name_plural = _("buyer group memberships")
        constraints = [
            models.UniqueConstraint(fields=["group", "organisation"], name="one_membership_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.group} ({self.get_state_display()})"


class WorkingGroup(models.Model):
    """An international working group, per product group or theme: it writes criteria and guidance and
    drafts joint statements of demand."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    topic = models.CharField(
        _("product group or theme"),
        max_length=120,
        help_text=_("E.g. notebooks, smartphones, social justice."),
    )
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return self.name


class WorkingGroupMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")  #: supporters and experts give input without a say

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="working_groups")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["group", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "organisation"], name="one_seat_per_working_group")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"

    @property
    def audit_label(self) -> str:
        return f"{self.organisation} in {self.group}"

    @staticmethod
    def refusal(organisation: Organisation, role: str) -> ValidationError | None:
        """Why ``organisation`` may not hold a seat of ``role``, or None. Chairs and members are
        participants; a supporter (supplier, NGO, label body) gives input as an observer only, never as
        a participant; the secretariat runs the groups and holds no seat."""
        if organisation.type == Organisation.Type.SECRETARIAT:
            return ValidationError(
                _("The secretariat runs the working groups: it holds no seat in them."), code="secretariat"
            )
        if role not in WorkingGroupMember.Role.values:
            return ValidationError(_("Unknown role in a working group."), code="unknown_role")
        if role != WorkingGroupMember.Role.OBSERVER and not organisation.is_participant:
            return ValidationError(
                _("%(name)s is a supporter: it takes part in a working group as an observer only.")
                % {"name": organisation.name},
                code="supporter",
            )
        return None

    def clean(self) -> None:
        # The admin's form too: no way in lets a supporter hold a participant's seat.
        if self.organisation_id:
            refusal = self.refusal(self.organisation, self.role)
            if refusal is not None:
                raise refusal


class WorkingGroupRequest(models.Model):
    """An organisation's request for a seat in a working group, answered by the secretariat or a chair.
    One row per organisation and group: asking again after a refusal (or after leaving) reopens it."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")  #: nobody has answered yet
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="requests")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="working_group_requests"
    )
    role = models.CharField(
        _("role asked for"),
        max_length=10,
        choices=WorkingGroupMember.Role.choices,
        help_text=_("Member or observer: a chair is seated by the secretariat."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REQUESTED)
    created = models.DateTimeField(auto_now_add=True)
    decided = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["group", "created"]
        verbose_name = _("request to join a working group")
        verbose_name_plural = _("requests to join a working group")
        constraints = [
            models.UniqueConstraint(fields=["group", "organisation"], name="one_request_per_working_group")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} asks to join {self.group} ({self.state})"

    @property
    def audit_label(self) -> str:
        return f"{self.organisation} asks to join {self.group}"


class WorkingGroupDocument(models.Model):
    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, default="en")
    url = models.URLField(_("link"), blank=True)
    stored_file = models.CharField(max_length=500, blank=True)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded"]
        verbose_name = _("working group document")
        verbose_name_plural = _("working group documents")

    def __str__(self) -> str:
        return self.title


class StatementQuerySet(models.QuerySet):
    def published(self) -> StatementQuerySet:
        return self.filter(status=Statement.Status.PUBLISHED)


class Statement(models.Model):
    """A joint statement of demand: what the signatories will ask from the market, and how much they buy."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Open for signature")
        #: its authors closed it for good: no new signature, no change of volumes (not to be confused
        #: with a signatory withdrawing its signature while the statement is open)
        CLOSED = "closed", _("Closed")

    working_group = models.ForeignKey(WorkingGroup, on_delete=models.PROTECT, related_name="statements")
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    title = models.JSONField(_("title"), help_text=_("{language: text}; English is required."))
    text = models.JSONField(_("text"), help_text=_("{language: text}; English is required."))
    product_groups = models.JSONField(_("product groups"), default=list)
    criteria = models.JSONField(_("criteria referred to"), default=list, help_text=_("Criterion ids."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published = models.DateTimeField(_("published on"), null=True, blank=True)
    closed = models.DateTimeField(_("closed on"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "-created"]
        verbose_name = _("joint statement of demand")
        verbose_name_plural = _("joint statements of demand")

    def __str__(self) -> str:
        return self.title_in("en")

    def title_in(self, language: str) -> str:
        return str(self.title.get(language) or self.title.get("en") or self.slug)

    def text_in(self, language: str) -> str:
        return str(self.text.get(language) or self.text.get("en") or "")

    def has_language(self, language: str) -> bool:
        """Whether the statement is written in ``language`` (else its pages show the English text)."""
        return bool(self.text.get(language))


class Signature(models.Model):
    """A participant's signature of a statement, with the yearly volume it expects to buy."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="signatures")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed = models.DateTimeField(_("signed on"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["statement", "organisation"], name="one_signature_each")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} signed {self.statement}"


class SignatureVolume(models.Model):
    """Expected yearly demand of a signatory for one product group."""

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="volumes")
    product_group = models.CharField(_("product group"), max_length=40)
    units_per_year = models.PositiveIntegerField(_("units per year"), default=0)
    spend_eur_per_year = models.DecimalField(
        _("spend per year (EUR)"), max_digits=14, decimal_places=2, default=0
    )

    class Meta:
        ordering = ["product_group"]
        constraints = [
            models.UniqueConstraint(fields=["signature", "product_group"], name="one_volume_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.product_group}: {self.units_per_year}"


class DemandPublication(models.Model):
    """One published version of a statement's collective demand.

    The collective demand is published in steps, never live: a change of the signatures (a signing, a
    withdrawal, new volumes) is published only if what a reader can work out by comparing the new figures
    with each earlier version passes the disclosure rules (``cfit.pact.demand.publish_demand``). Each
    version keeps the volumes it was computed from (``basis``), to weigh the next step against it, and the
    figures as shown (``figures``), which every channel reads."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="demand_publications")
    number = models.PositiveIntegerField(_("version"))
    published = models.DateTimeField(_("updated on"))

    class Meta:
        ordering = ["statement", "-number"]
        verbose_name = _("published collective demand")
        verbose_name_plural = _("published collective demands")
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="one_demand_version_each")
        ]

    def __str__(self) -> str:
        return f"{self.statement} v{self.number}"


class DemandPublicationVolume(models.Model):
    """A signatory's volumes for one product group as counted in a published version. Never shown: it is
    what the next step is weighed against."""

    publication = models.ForeignKey(DemandPublication, on_delete=models.CASCADE, related_name="basis")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    product_group = models.CharField(_("product group"), max_length=40)
    units_per_year = models.PositiveIntegerField(_("units per year"))
    spend_eur_per_year = models.DecimalField(_("spend per year (EUR)"), max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "organisation", "product_group"], name="one_published_volume_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication}: {self.product_group}"


class DemandPublicationFigure(models.Model):
    """A figure of a published version as shown: a product group's or the total (``code`` "total");
    ``units`` and ``spend`` are empty when the figure is hidden, ``suppressed`` says why."""

    publication = models.ForeignKey(DemandPublication, on_delete=models.CASCADE, related_name="figures")
    code = models.CharField(_("product group"), max_length=40)
    signatories = models.PositiveIntegerField(_("signatories"))
    units = models.PositiveIntegerField(_("units per year"), null=True, blank=True)
    spend = models.DecimalField(
        _("spend per year (EUR)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    suppressed = models.CharField(_("hidden because"), max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["publication", "code"], name="one_published_figure_each"),
            models.CheckConstraint(
                condition=models.Q(suppressed="", units__isnull=False, spend__isnull=False)
                | models.Q(~models.Q(suppressed=""), units__isnull=True, spend__isnull=True),
                name="published_figure_shown_or_hidden",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication}: {self.code}"
