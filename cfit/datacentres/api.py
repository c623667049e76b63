"""/api/v1/datacentres/: a provider files its data centres' yearly EED values; the provider and the buyers
of linked lots read them with the derived indicators, flags and checks (session authentication)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cfit.accounts.tokens import API_AUTH
from cfit.datacentres import actions
from cfit.datacentres.access import facilities_for_user, get_facility_for_user, linked_lots_for_user
from cfit.datacentres.checks import YearView, year_views
from cfit.datacentres.indicators import CheckResult
from cfit.datacentres.models import Facility
from cfit.datacentres.present import finding_message

router = Router(tags=["datacentres"], auth=API_AUTH)

NonNegative = Field(default=None, ge=0, allow_inf_nan=False)


class FacilityOut(Schema):
    id: int
    name: str
    provider: str
    #: "own": the organisation (``provider``) runs it for its own IT; "service": it hosts customers
    operator: str
    country: str
    climate: str
    operating_since: int | None
    eu_database: str
    is_provider: bool


class DataCentreValuesIn(Schema):
    """One year's values in the units of Delegated Regulation (EU) 2024/1364; absent or null = not reported."""

    year: int = Field(ge=2000, le=2100)
    installed_it_power_kw: float | None = NonNegative
    total_floor_area_m2: float | None = NonNegative
    computer_room_floor_area_m2: float | None = NonNegative
    total_energy_kwh: float | None = NonNegative
    it_energy_kwh: float | None = NonNegative
    water_input_m3: float | None = NonNegative
    potable_water_input_m3: float | None = NonNegative
    waste_heat_reused_kwh: float | None = NonNegative
    renewable_energy_kwh: float | None = NonNegative
    incoming_traffic_eb: float | None = NonNegative
    outgoing_traffic_eb: float | None = NonNegative
    data_stored_pb: float | None = NonNegative
    refrigerant_gwp: float | None = NonNegative
    stated_pue: float | None = NonNegative
    stated_wue: float | None = NonNegative
    stated_erf: float | None = NonNegative
    stated_ref: float | None = NonNegative


class DataCentreIndicatorOut(Schema):
    value: float | None
    unit: str
    source: str
    missing_inputs: list[str]


class DataCentreFindingOut(Schema):
    code: str
    severity: str
    field: str
    message: str


class DataCentreCheckOut(Schema):
    field: str
    value: float | None
    limit: float
    at_most: bool
    unit: str
    outcome: str
    source: str


class DataCentreYearOut(Schema):
    year: int
    values: dict[str, float | None]
    indicators: dict[str, DataCentreIndicatorOut]
    findings: list[DataCentreFindingOut]
    pact_checks: list[DataCentreCheckOut]
    tender_checks: list[DataCentreCheckOut]


class FacilityDetailOut(FacilityOut):
    years: list[DataCentreYearOut]


def _facility_out(facility: Facility, is_provider: bool) -> dict[str, Any]:
    return {
        "id": facility.pk,
        "name": facility.name,
        "provider": facility.organisation.name,
        "operator": facility.operator,
        "country": facility.country,
        "climate": facility.climate,
        "operating_since": facility.operating_since,
        "eu_database": facility.eu_database,
        "is_provider": is_provider,
    }


def _check_out(result: CheckResult) -> dict[str, Any]:
    t = result.threshold
    return {
        "field": t.field,
        "value": result.value,
        "limit": t.limit,
        "at_most": t.at_most,
        "unit": t.unit,
        "outcome": result.outcome.value,
        "source": t.source,
    }


def _year_out(view: YearView) -> dict[str, Any]:
    return {
        "year": view.report.year,
        "values": {
            key: view.figures.value(key) for key in view.figures.__dataclass_fields__ if key != "stated"
        },
        "indicators": {
            str(i): {"value": d.value, "unit": d.unit, "source": d.source, "missing_inputs": list(d.missing)}
            for i, d in view.derived.items()
        },
        "findings": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "field": str(f.field),
                "message": finding_message(f),
            }
            for f in view.findings
        ],
        "pact_checks": [_check_out(r) for r in view.pact],
        "tender_checks": [_check_out(r) for r in view.tender],
    }


def _detail(request: HttpRequest, facility_id: int) -> dict[str, Any]:
    access = get_facility_for_user(request.user, facility_id)
    lots = [] if access.is_provider else linked_lots_for_user(request.user, access.facility)
    views = year_views(access.facility, list(access.facility.reports.all()), lots)
    return {**_facility_out(access.facility, access.is_provider), "years": [_year_out(v) for v in views]}


@router.get("/datacentres/", response=list[FacilityOut], summary="The data centres you may see")
def datacentre_list(request: HttpRequest) -> Any:
    own, linked = facilities_for_user(request.user)
    return [_facility_out(f, True) for f in own] + [_facility_out(f, False) for f in linked]


@router.get(
    "/datacentres/{facility_id}/",
    response=FacilityDetailOut,
    summary="A data centre's yearly reports with the derived indicators, flags and checks",
)
def datacentre_detail(request: HttpRequest, facility_id: int) -> Any:
    return _detail(request, facility_id)


@router.post(
    "/datacentres/{facility_id}/reports/",
    response=FacilityDetailOut,
    summary="File (or replace) one year's values of your data centre",
)
def datacentre_file(request: HttpRequest, facility_id: int, payload: DataCentreValuesIn) -> Any:
    access = get_facility_for_user(request.user, facility_id, file=True)
    values = payload.dict(exclude={"year"})
    actions.file_reports(
        facility=access.facility, years=[(payload.year, values)], via="api", acting_user=request.user
    )
    return _detail(request, facility_id)
