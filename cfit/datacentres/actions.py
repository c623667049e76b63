"""Operations that change data centres, reports and links: one transaction each, naming who acted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cfit.accounts.models import Organisation
from cfit.accounts.permissions import Action, may
from cfit.audit.models import AuditRecord
from cfit.audit.recording import record
from cfit.datacentres.models import REPORT_KEYS, Facility, FacilityLot, FacilityReport
from cfit.tenders.models import Lot


def may_host_customers(organisation: Organisation) -> bool:
    """Whether the organisation registers data centres that host customers: providers (suppliers) do;
    a buyer registers only the ones it runs itself."""
    return organisation.type == Organisation.Type.SUPPORTER


@transaction.atomic
def create_facility(*, provider: Organisation, acting_user: Any, **fields: Any) -> Facility:
    """Register a data centre in the name of ``provider``, the organisation that operates it (the caller
    checked the acting user may file for it): a provider's hosts customers unless it says otherwise; a
    buyer's is its own, and a buyer registering a provider's is refused."""
    hosts = may_host_customers(provider)
    operator = fields.setdefault("operator", Facility.Operator.SERVICE if hosts else Facility.Operator.OWN)
    if operator != Facility.Operator.OWN and not hosts:
        raise ValidationError(
            _(
                "A buyer registers only the data centres it runs itself. A provider's data centre is "
                "linked to your tender's lot with the code the provider gives."
            ),
            code="not_own",
        )
    facility = Facility(organisation=provider, **fields)
    facility.full_clean(validate_unique=False)  # the code is random; the database keeps it unique
    facility.save()
    record(
        AuditRecord.Action.FACILITY_CREATED, facility, acting_user=acting_user, organisation=provider,
        after={"code": facility.code, "name": facility.name},
    )  # fmt: skip
    return facility


@transaction.atomic
def file_reports(
    *,
    facility: Facility,
    years: Sequence[tuple[int, Mapping[str, float | None]]],
    via: str,
    acting_user: Any,
) -> list[FacilityReport]:
    """File one or more years of a facility: each year's values replace what was filed for that year.

    All or nothing (one transaction). A value left out or ``None`` is "not reported". Indicators are
    never stored: they are derived from the values when shown.
    """
    filed = []
    # Flat, as the audit page shows a record: "2025 total_energy_kwh" → value, the values given only.
    before: dict[str, float | None] = {}
    after: dict[str, float | None] = {}
    for year, values in years:
        unknown = set(values) - set(REPORT_KEYS)
        if unknown:
            raise ValidationError(_("Unknown values: %(names)s") % {"names": ", ".join(sorted(unknown))})
        report, created = FacilityReport.objects.get_or_create(facility=facility, year=year)
        if not created:
            before.update(
                {
                    f"{year} {key}": getattr(report, key)
                    for key in REPORT_KEYS
                    if getattr(report, key) is not None
                }
            )
        for key in REPORT_KEYS:
            setattr(report, key, values.get(key))
        report.via, report.filed_by = via, acting_user
        report.full_clean()
        report.save()
        after.update(
            {f"{year} {key}": getattr(report, key) for key in REPORT_KEYS if getattr(report, key) is not None}
        )
        filed.append(report)
    if filed:
        # One record per filing: the years' values before (where a year was filed already) and after.
        record(
            AuditRecord.Action.FACILITY_REPORTS_FILED, facility, acting_user=acting_user,
            organisation=facility.organisation, before=before or None, after=after,
        )  # fmt: skip
    return filed


@transaction.atomic
def link_facility_to_lot(*, lot: Lot, facility_code: str, acting_user: Any) -> FacilityLot:
    """The buyer links the facility with this code to its lot, after which its members see the reports.

    Raised ValidationError if no facility has the code (the same message whether or not it exists
    elsewhere: the code is the provider's to give).
    """
    if not may(acting_user, Action.TENDER_EDIT, lot.tender.organisation_id):
        raise PermissionDenied
    facility = Facility.unscoped.filter(code=facility_code.strip().upper()).first()
    if facility is None:
        raise ValidationError(
            _("No data centre has this code. Ask the provider for the code of its facility.")
        )
    link, created = FacilityLot.objects.get_or_create(
        facility=facility, lot=lot, defaults={"linked_by": acting_user}
    )
    if created:
        record(
            AuditRecord.Action.FACILITY_LINKED, link, acting_user=acting_user,
            organisation=lot.tender.organisation, after={"facility": facility.code, "lot": lot.number},
        )  # fmt: skip
    return link


@transaction.atomic
def unlink_facility(*, link: FacilityLot, acting_user: Any) -> None:
    if not may(acting_user, Action.TENDER_EDIT, link.lot.tender.organisation_id):
        raise PermissionDenied
    record(
        AuditRecord.Action.FACILITY_UNLINKED, link, acting_user=acting_user,
        organisation=link.lot.tender.organisation, before={"facility": link.facility.code, "lot": link.lot.number},
    )  # fmt: skip
    link.delete()
