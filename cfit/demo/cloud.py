"""Demo cloud use for `make demo`: Rijkswaterstaat's FOCUS export of three months on AWS and Google
Cloud, so that the cloud pages show a footprint per family and region and the comparisons (another
region, m5 to Graviton) have a workload to move. Idempotent: the same export is imported once."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model

from cfit.accounts.models import Organisation
from cfit.cloud.actions import import_cloud_usage
from cfit.cloud.models import CloudUsage

COLUMNS = (
    "BillingPeriodStart", "ChargeCategory", "ChargeDescription", "ChargePeriodStart", "ConsumedQuantity",
    "ConsumedUnit", "ProviderName", "RegionId", "ServiceCategory", "ServiceName", "BilledCost",
)  # fmt: skip
#: provider, region, category, service, description, unit, quantity per month
USAGE = (
    ("AWS", "eu-west-1", "Compute", "Amazon Elastic Compute Cloud", "Linux m5.xlarge Instance Hour", "Hours", 2920),
    ("AWS", "eu-west-1", "Compute", "Amazon Elastic Compute Cloud", "Linux c5.2xlarge Instance Hour", "Hours", 1460),
    ("AWS", "us-east-1", "Compute", "Amazon Elastic Compute Cloud", "Linux r5.large Instance Hour", "Hours", 730),
    ("AWS", "eu-west-1", "Storage", "Amazon Simple Storage Service", "GB-month of storage used", "GB-Months", 5000),
    ("AWS", "eu-west-1", "Networking", "AWS Data Transfer", "data transfer out to the internet", "GB", 800),
    ("Google Cloud", "europe-west4", "Compute", "Compute Engine", "N2 instance: n2-standard-4", "Hours", 1460),
)  # fmt: skip
MONTHS = ("2026-01", "2026-02", "2026-03")


def demo_export() -> bytes:
    out = io.StringIO()
    out.write(",".join(COLUMNS) + "\n")
    for month in MONTHS:
        for provider, region, category, service, description, unit, quantity in USAGE:
            cells = (
                f"{month}-01T00:00:00Z", "Usage", description, f"{month}-01T00:00:00Z", str(quantity), unit,
                provider, region, category, service, "1.0",
            )  # fmt: skip
            out.write(",".join(cells) + "\n")
    return out.getvalue().encode()


def create_demo_cloud() -> None:
    organisation = Organisation.objects.filter(slug="rijkswaterstaat").first()
    if organisation is None:
        return
    if CloudUsage.unscoped.filter(organisation=organisation).exists():
        return
    user = get_user_model().objects.filter(username="assets").first()
    import_cloud_usage(organisation, demo_export(), "rijkswaterstaat-cloud-2026-q1.csv", acting_user=user)
