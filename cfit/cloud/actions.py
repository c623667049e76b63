"""Operations on an organisation's cloud usage: import a FOCUS export, remove one."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cfit.accounts.models import Organisation
from cfit.cloud.compare import workload_table
from cfit.cloud.focus import read_focus
from cfit.cloud.footprint import compute_footprint, price_usage
from cfit.cloud.models import CloudUsage
from cfit.cloud.present import label
from cfit.cloud.reference import CloudReference, load_cloud_factors
from cfit.impact.store import current_reference
from cfit.uploads import refuse


def platform_reference() -> CloudReference:
    """The cloud coefficients with the platform's grid table (editable by the secretariat), as the
    fleet's figures use it."""
    impact = current_reference()
    return load_cloud_factors(grid=impact.grid, grid_sources=impact.sources)


def import_cloud_usage(
    organisation: Organisation, data: bytes, filename: str, *, acting_user: Any, isolate_parquet: bool = True
) -> CloudUsage:
    """Read, check and compute a FOCUS export and store it with its figures; all or nothing.

    ``cfit.uploads.ImportRefused`` names every problem of a file that cannot be read, has no usage cfit counts, or
    was imported before by the organisation."""
    digest = hashlib.sha256(data).hexdigest()
    earlier = CloudUsage.unscoped.filter(organisation=organisation, sha256=digest).first()
    if earlier is not None:
        # the day where the organisation is (the site's time zone), said in its language by the page
        day = timezone.localdate(earlier.uploaded_at).isoformat()
        raise refuse(
            filename,
            _("this export was imported on %(date)s: it is counted once") % {"date": day},
            code="already_imported",
            params={"date": day},
        )
    reference = platform_reference()
    focus = read_focus(
        data,
        filename,
        reference.focus_columns,
        vcpu_per_ocpu=reference.vcpu_per_ocpu,
        isolate_parquet=isolate_parquet,
    )
    priced = price_usage(focus, reference)
    footprint = compute_footprint(focus, reference, priced)
    months = sorted(m for m in footprint.by_month if m != "unknown")
    if not footprint.counted_rows or not months:
        reasons = ", ".join(f"{label(reason)}: {n}" for reason, n in footprint.not_counted.items()) or "—"
        raise refuse(
            filename,
            _("no usage row that cfit counts (%(reasons)s)") % {"reasons": reasons},
            code="no_usage",
            params={"reasons": reasons},
        )
    with transaction.atomic():
        return CloudUsage.unscoped.create(
            organisation=organisation,
            filename=filename[:255],
            sha256=digest,
            uploaded_by=acting_user,
            focus_version=footprint.focus_version,
            method=footprint.method,
            first_month=months[0],
            last_month=months[-1],
            rows=footprint.rows,
            counted_rows=footprint.counted_rows,
            energy_kwh_low=footprint.energy_kwh.low,
            energy_kwh=footprint.energy_kwh.value,
            energy_kwh_high=footprint.energy_kwh.high,
            emissions_kgco2e_low=footprint.emissions_kgco2e.low,
            emissions_kgco2e=footprint.emissions_kgco2e.value,
            emissions_kgco2e_high=footprint.emissions_kgco2e.high,
            result=footprint.as_dict(),
            workload=workload_table(priced).to_dicts(),
        )


def remove_cloud_usage(usage: CloudUsage, *, acting_user: Any) -> None:
    """Take an export out of the organisation's figures (a wrong file, a duplicate under another name)."""
    with transaction.atomic():
        CloudUsage.unscoped.filter(pk=usage.pk).delete()
