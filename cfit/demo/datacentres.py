"""Demo data-centre reports for `make demo`: one provider with two data centres over three years, one of
them linked to a Rijkswaterstaat hosting tender.

The figures are made up but plausible; two are wrong on purpose, to show the flags: Amsterdam-1 states
a WUE for 2025 without reporting its water input, and Rotterdam-2 reports more IT energy than total
energy for 2025 (a PUE below 1.0)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from cfit.accounts.models import Membership, Organisation
from cfit.accounts.scoping import system_scope
from cfit.datacentres import actions
from cfit.datacentres.models import Facility, FacilityLot
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PROVIDER = ("polder-datacenters", "Polder Datacenters BV", "NL")
PROVIDER_USER = "provider"
TENDER_REFERENCE = "RWS-2027-DC1"
#: The criteria the demo hosting lot uses, besides its defaults (their limits come from the framework).
CRITERIA = ("dc-pue-a", "dc-ref-a", "dc-water-a", "dc-refrigerant-b")

FACILITIES: list[dict[str, Any]] = [
    {
        "name": "Polder DC Amsterdam-1",
        "country": "NL",
        "climate": "cool",
        "operating_since": 2016,
        "years": {
            2023: dict(
                installed_it_power_kw=1200,
                total_energy_kwh=9_800_000,
                it_energy_kwh=7_000_000,
                water_input_m3=8_400,
                potable_water_input_m3=1_200,
                waste_heat_reused_kwh=400_000,
                renewable_energy_kwh=9_800_000,
                refrigerant_gwp=675,
            ),
            2024: dict(
                installed_it_power_kw=1200,
                total_energy_kwh=9_400_000,
                it_energy_kwh=7_100_000,
                water_input_m3=7_800,
                potable_water_input_m3=1_000,
                waste_heat_reused_kwh=900_000,
                renewable_energy_kwh=9_400_000,
                refrigerant_gwp=675,
                stated_pue=1.32,
            ),
            # WUE stated, water input not reported: flagged
            2025: dict(
                installed_it_power_kw=1400,
                total_energy_kwh=9_100_000,
                it_energy_kwh=7_200_000,
                waste_heat_reused_kwh=1_100_000,
                renewable_energy_kwh=8_000_000,
                refrigerant_gwp=675,
                stated_wue=0.35,
            ),
        },
    },
    {
        "name": "Polder DC Rotterdam-2",
        "country": "NL",
        "climate": "cool",
        "operating_since": 2021,
        "years": {
            2024: dict(
                installed_it_power_kw=600,
                total_energy_kwh=4_000_000,
                it_energy_kwh=2_900_000,
                water_input_m3=2_000,
                renewable_energy_kwh=3_000_000,
            ),
            # IT energy above the total: a PUE of 0.91, flagged
            2025: dict(
                installed_it_power_kw=600,
                total_energy_kwh=3_000_000,
                it_energy_kwh=3_300_000,
                water_input_m3=1_900,
                renewable_energy_kwh=3_000_000,
            ),
        },
    },
]


def create_demo_datacentres(password: str) -> tuple[str, str, StrOrPromise]:
    """Idempotent; returns the provider's demo account (username, organisation, role)."""
    provider, _ = Organisation.objects.update_or_create(
        slug=PROVIDER[0],
        defaults={"name": PROVIDER[1], "country": PROVIDER[2], "type": Organisation.Type.SUPPORTER},
    )
    user, _ = get_user_model().objects.update_or_create(
        username=PROVIDER_USER,
        defaults={"first_name": "Paul", "last_name": "Provider", "email": "provider@example.org"},
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    Membership.objects.update_or_create(
        user=user, organisation=provider, defaults={"role": Membership.Role.ADMIN}
    )
    with system_scope():
        facilities = []
        for spec in FACILITIES:
            facility = Facility.unscoped.filter(organisation=provider, name=spec["name"]).first()
            if facility is None:
                fields = {k: v for k, v in spec.items() if k != "years"}
                facility = actions.create_facility(provider=provider, acting_user=user, **fields)
            actions.file_reports(
                facility=facility, years=sorted(spec["years"].items()), via="template", acting_user=user
            )
            facilities.append(facility)
        _link_demo_tender(facilities[0])
    return PROVIDER_USER, provider.name, Membership.Role.ADMIN.label


def _link_demo_tender(facility: Facility) -> None:
    """A draft hosting tender of Rijkswaterstaat whose lot uses Amsterdam-1 (as if its offer named it)."""
    buyer = Organisation.objects.filter(slug="rijkswaterstaat").first()
    if buyer is None:
        return
    tender = Tender.unscoped.filter(organisation=buyer, reference=TENDER_REFERENCE).first()
    if tender is None:
        tender = tender_actions.create_tender(
            buyer,
            title="Hosting en colocatie 2027",
            reference=TENDER_REFERENCE,
            language="nl",
            acting_user=None,
        )
        new_lot = tender_actions.add_lot(
            tender,
            product_group="data-centre-services",
            ambitions={"carbon": "ambitious"},
            estimated_value=Decimal(1_200_000),  # EUR excl. VAT: a notice and a release state it
            acting_user=None,
        )
        present = set(new_lot.lot_criteria.values_list("criterion__code", flat=True))
        for code in CRITERIA:
            if code not in present:
                tender_actions.add_criterion(new_lot, code, acting_user=None)
    lot = tender.lots.order_by("number").first()
    if lot is not None:
        FacilityLot.objects.get_or_create(facility=facility, lot=lot)
