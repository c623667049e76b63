"""The device register of an organisation: asset lines, their life-cycle events, and register imports.

An asset line stands for ``quantity`` identical devices. Lines are the organisation's internal data:
they are reached only through the scoped manager (see ``accounts.scoping``), never across
organisations. The footprint of a line is not stored: it is computed from the line and the current
reference data by the impact engine, so that a corrected factor corrects every figure.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cfit.accounts.scoping import OrganisationOwned, ScopedManager, ScopedQuerySet
from cfit.impact.register import (
    LEAVING_ROUTES,
    Acquisition,
    Condition,
    DateOrder,
    ProductGroup,
    Route,
    SanitisationMethod,
    Status,
)
from cfit.joining.countries import country_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _choices(enum: type[StrEnum], labels: dict[str, StrOrPromise]) -> list[tuple[str, StrOrPromise]]:
    return [(member.value, labels[member.value]) for member in enum]


PRODUCT_GROUPS = _choices(
    ProductGroup,
    {
        "notebooks": _("Notebooks"),
        "desktops": _("Desktops"),
        "thin-clients": _("Thin clients"),
        "monitors": _("Monitors"),
        "tablets": _("Tablets"),
        "smartphones": _("Smartphones"),
        "servers": _("Servers"),
        "printers": _("Printers"),
    },
)
CONDITIONS = _choices(Condition, {"new": _("New"), "refurbished": _("Refurbished")})
ACQUISITIONS = _choices(
    Acquisition, {"bought": _("Bought"), "leased": _("Leased"), "service": _("As a service")}
)
STATUSES = _choices(
    Status,
    {"in_use": _("In use"), "in_stock": _("In stock"), "in_repair": _("In repair"), "retired": _("Retired")},
)
ROUTES = _choices(
    Route,
    {
        "internal_reuse": _("Reused internally"),
        "reuse": _("Sold or donated for reuse"),
        "refurbished": _("Refurbished by a partner"),
        "recycled": _("Recycled"),
        "lost": _("Lost"),
    },
)
DATE_ORDERS = _choices(
    DateOrder,
    {
        "auto": _("As the file shows: day first, unless its dates put a day over 12 second"),
        "day_first": _("Day first: 03/04/2024 is 3 April 2024"),
        "month_first": _("Month first: 03/04/2024 is 4 March 2024"),
    },
)
SANITISATION_METHODS = _choices(
    SanitisationMethod,
    {
        "nist_clear": _("NIST SP 800-88 Clear"),
        "nist_purge": _("NIST SP 800-88 Purge"),
        "nist_destroy": _("NIST SP 800-88 Destroy"),
        "ieee_clear": _("IEEE 2883 Clear"),
        "ieee_purge": _("IEEE 2883 Purge"),
        "ieee_destruct": _("IEEE 2883 Destruct"),
        "other": _("Another method"),
    },
)


class AssetQuerySet(ScopedQuerySet):
    def active(self) -> AssetQuerySet:
        return self.exclude(status=Status.RETIRED)

    def retired(self) -> AssetQuerySet:
        return self.filter(status=Status.RETIRED)

    def wiping_not_evidenced(self) -> AssetQuerySet:
        """Retired lines that left for another user (sold, donated, refurbished) with no record of their
        data wiping: neither a method nor a certificate."""
        return self.filter(
            status=Status.RETIRED,
            end_of_use_route__in=[r.value for r in LEAVING_ROUTES],
            sanitisation_method="",
            sanitisation_certificate="",
        )


#: Scoped like every organisation-owned manager, with the queryset's methods (declared here so
#: django-stubs can resolve the manager's type).
AssetManager = ScopedManager.from_queryset(AssetQuerySet)


class Asset(OrganisationOwned):
    # -- identity
    asset_key = models.TextField(
        _("asset key"),
        help_text=_("The register's own key (asset tag, inventory number); re-imports update by it."),
    )
    product_group = models.CharField(_("product group"), max_length=20, choices=PRODUCT_GROUPS)
    manufacturer = models.CharField(_("manufacturer"), max_length=200)
    model = models.CharField(_("model"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    # -- acquisition
    purchase_date = models.DateField(_("purchase or lease date"))
    condition = models.CharField(_("condition at purchase"), max_length=12, choices=CONDITIONS, default="new")
    acquisition = models.CharField(_("acquisition"), max_length=12, choices=ACQUISITIONS, default="bought")
    country = models.CharField(_("country of use"), max_length=2)
    # -- life
    status = models.CharField(_("status"), max_length=12, choices=STATUSES, default="in_use")
    retired_date = models.DateField(_("retirement date"), null=True, blank=True)
    end_of_use_route = models.CharField(_("end-of-use route"), max_length=16, choices=ROUTES, blank=True)
    sanitisation_certificate = models.CharField(
        _("data-sanitisation certificate"),
        max_length=200,
        blank=True,
        help_text=_("Reference of the wiping certificate."),
    )
    sanitisation_method = models.CharField(
        _("data-sanitisation method"),
        max_length=16,
        choices=SANITISATION_METHODS,
        blank=True,
        # In the database too: the register import inserts lines in SQL and leaves the method out.
        default="",
        db_default="",
        help_text=_("How the data was wiped: NIST SP 800-88 or IEEE 2883, and the level."),
    )
    # -- specs (optional; they sharpen the footprint estimate)
    weight_kg = models.FloatField(_("mass (kg)"), null=True, blank=True)
    screen_size_in = models.FloatField(_("screen size (inch)"), null=True, blank=True)
    memory_gb = models.FloatField(_("memory (GB)"), null=True, blank=True)
    storage_gb = models.FloatField(_("storage (GB)"), null=True, blank=True)
    number_cpu = models.PositiveSmallIntegerField(_("processors"), null=True, blank=True)
    yearly_kwh = models.FloatField(_("energy use (kWh per year)"), null=True, blank=True)
    # -- bookkeeping
    source_import = models.ForeignKey(
        "fleet.AssetImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[AssetManager[Self]] = AssetManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["product_group", "manufacturer", "model", "id"]
        verbose_name = _("asset line")
        verbose_name_plural = _("asset lines")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "asset_key"], name="one_asset_per_key_and_organisation"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="asset_quantity_positive"),
        ]
        indexes = [
            # the dashboard and the list filter on these
            models.Index(fields=["organisation", "product_group"], name="asset_org_group"),
            models.Index(fields=["organisation", "status"], name="asset_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.model} × {self.quantity}"

    @property
    def country_name(self) -> str:
        """The country as the reader's language names it (the pages; files and the API keep the code)."""
        return country_name(self.country)

    @property
    def is_retired(self) -> bool:
        return self.status == Status.RETIRED


class AssetEvent(models.Model):
    class Kind(models.TextChoices):
        DEPLOYED = "deployed", _("Deployed")
        REPAIRED = "repaired", _("Repaired")
        UPGRADED = "upgraded", _("Upgraded")
        REDEPLOYED = "redeployed", _("Redeployed")
        RETIRED = "retired", _("Retired")
        SANITISED = "sanitised", _("Data wiped")

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("life-cycle event")
        verbose_name_plural = _("life-cycle events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class AssetImport(OrganisationOwned):
    """A register file on its way in: uploaded, mapped, checked and stored, or refused."""

    class State(models.TextChoices):
        MAPPING = "mapping", _("Waiting for the column mapping")
        VALUES = "values", _("Waiting for the value mapping")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", pgettext_lazy("an import that stopped on an error", "Failed")

    filename = models.CharField(_("file"), max_length=255)
    stored_file = models.CharField(
        max_length=500, help_text=_("Path of the uploaded file until it is imported.")
    )
    headers = models.JSONField(default=list)
    #: Where the file's table is, as found on upload (a title above the header, a sheet of notes first).
    sheet = models.CharField(
        _("sheet"), max_length=255, blank=True, help_text=_("The workbook's sheet read (none for a CSV).")
    )
    header_row = models.PositiveIntegerField(
        _("header row"), default=1, help_text=_("The file row holding the column headers.")
    )
    mapping = models.JSONField(default=dict)
    values = models.JSONField(
        default=dict,
        help_text=_("The organisation's words for codes this import used: column → normalised word → code."),
    )
    default_country = models.CharField(_("default country"), max_length=2, blank=True)
    date_order = models.CharField(
        _("numeric dates"), max_length=12, choices=DATE_ORDERS, default=DateOrder.AUTO.value
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.MAPPING)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_lines = models.PositiveIntegerField(_("lines added"), default=0)
    updated_lines = models.PositiveIntegerField(_("lines updated"), default=0)
    problems = models.JSONField(
        default=list, help_text=_("The refusal's problems, grouped by message, as codes with parameters.")
    )
    notes = models.JSONField(
        default=list,
        help_text=_(
            "What the reading did that the importer should know (a totals row left out, how dates were read)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[ScopedManager[Self]] = ScopedManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["-created"]
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.REFUSED, self.State.FAILED)

    #: The stages of a running import (``actions.run_import``), in words: ``stage`` holds the code.
    STAGES: ClassVar[dict[str, Any]] = {
        "queued": _("waiting for its turn"),
        "reading": _("reading the file"),
        "checking": _("checking the rows"),
        "storing": _("storing the lines"),
    }

    @property
    def stage_label(self) -> str:
        """The stage of a running import in the reader's words; nothing once it has finished (its state
        says how), nor for a stage without words."""
        return "" if self.is_finished else str(self.STAGES.get(self.stage, ""))


class SavedColumnMapping(OrganisationOwned):
    """Which standard column a header of the organisation's register files holds, as last chosen:
    offered first the next time a file has that header."""

    header = models.TextField(_("header"), help_text=_("As normalised: lower case, spaces as _."))
    target = models.CharField(_("standard column"), max_length=40)
    updated = models.DateTimeField(auto_now=True)

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[ScopedManager[Self]] = ScopedManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["header"]
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "header"], name="one_saved_target_per_header")
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.target}"


class SavedValueMapping(OrganisationOwned):
    """An organisation's own word for a code of a coded column (mapped once in an import's value
    step): every later import reads it as that code."""

    column = models.CharField(_("column"), max_length=40)
    value = models.TextField(_("word"), help_text=_("As normalised: lower case, spaces as _."))
    code = models.CharField(_("code"), max_length=20)
    updated = models.DateTimeField(auto_now=True)

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[ScopedManager[Self]] = ScopedManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["column", "value"]
        verbose_name = _("saved value mapping")
        verbose_name_plural = _("saved value mappings")
        constraints = [
            # the import reads an organisation's words by column (``saved_values``)
            models.UniqueConstraint(
                fields=["organisation", "column", "value"], name="one_saved_code_per_word"
            )
        ]

    def __str__(self) -> str:
        return f"{self.column}: {self.value} → {self.code}"


class DisposalReport(OrganisationOwned):
    """A disposal partner's report (an IT asset disposition or refurbishing partner): per asset tag, the
    date it received the device, what it did with the data and where the device went. Read in steps
    (columns, words, preview) and applied all at once (``disposal_actions.apply_disposal_report``)."""

    class State(models.TextChoices):
        COLUMNS = "columns", _("Waiting for the column mapping")
        WORDS = "words", _("Waiting for the words of destinations and methods")
        PREVIEW = "preview", _("Waiting for confirmation")
        DONE = "done", _("Applied")

    filename = models.CharField(_("file"), max_length=255)
    stored_file = models.CharField(
        max_length=500, help_text=_("Path of the uploaded file until it is applied.")
    )
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, help_text=_("The file's header → the column it holds."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.COLUMNS)
    retired_lines = models.PositiveIntegerField(_("lines retired"), default=0)
    wiped_lines = models.PositiveIntegerField(_("lines with their data wiping added"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("applied by"),
    )  # fmt: skip
    outcome = models.JSONField(
        default=dict, blank=True,
        help_text=_(
            "Once applied: each line of the file by what applying it did (retired, data wiping added, "
            "unchanged, not in the register), as the preview showed it."
        ),
    )  # fmt: skip

    unscoped: ClassVar[models.Manager[Self]] = models.Manager()
    objects: ClassVar[ScopedManager[Self]] = ScopedManager()

    class Meta(OrganisationOwned.Meta):
        ordering = ["-created"]
        verbose_name = _("disposal report")
        verbose_name_plural = _("disposal reports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"
