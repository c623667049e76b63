"""The engine's results as typed, frozen values: what ``summary`` returns and the API answers.

Pydantic models rather than dataclasses because the JSON API (django-ninja) uses them as its response
schemas as they are: one definition of a figure for the engine, the pages, the API and its OpenAPI
document. Emissions are in kgCO2e; every emissions figure is a ``Span`` (low, value, high).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class Result(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(Result):
    """A figure with its range: the low and high bounds computed with all the low (high) factors."""

    low: float
    value: float
    high: float


class GroupFigures(Result):
    """The devices in use of one product group."""

    devices: int
    embodied_kgco2e: Span
    use_kgco2e_per_year: Span
    annual_kgco2e: Span
    embodied_sources: dict[str, int]  #: devices per source of the embodied figure (pcf, estimate, default)


class ServiceLife(Result):
    """Service life of retired devices, weighted by quantity."""

    devices: int
    mean_years: float
    median_years: float


class RouteFigures(Result):
    """Retired devices that went one end-of-use route, in units and in kg."""

    units: int
    share_units: float
    kg: float
    share_kg: float


class Circularity(Result):
    retired_devices: int
    service_life: dict[str, ServiceLife]  #: per product group
    service_life_all: ServiceLife | None  #: None without retired devices
    end_of_use_routes: dict[str, RouteFigures]  #: per route; "unknown" where the register names none
    routes_over_time: dict[int, dict[str, int]]  #: units per year of retirement and route
    refurbished_purchase_share: float
    units_without_mass: int


class AgeDistribution(Result):
    """Devices per whole year: the age of those in use, the service life of those retired (8: 8 and more)."""

    age: dict[int, int]
    service_life: dict[int, int]


class PurchaseYear(Result):
    devices: int
    refurbished: int
    embodied_kgco2e: Span


class FootprintSource(Result):
    """A source of the factors a figure was computed with."""

    id: str
    title: str
    url: str = ""
    licence: str = ""
    year: int | None = None


class FleetFigures(Result):
    """A fleet's figures as of a date: the devices in use, their footprint, circularity, sources."""

    method: str
    as_of: date
    lines: int
    devices: int
    embodied_kgco2e: Span
    use_kgco2e_per_year: Span
    annual_kgco2e: Span
    by_product_group: dict[str, GroupFigures]
    circularity: Circularity
    age_distribution: AgeDistribution
    by_purchase_year: dict[int, PurchaseYear]
    sources: list[FootprintSource]


class ScenarioFigures(Result):
    """The footprint per year of the devices in use, now and under a what-if, and the saving; with the
    factors the levers apply and their sources (the fleet's own factors are its figures' sources)."""

    method: str
    life_extension_years: float
    refurbished_share: float
    reuse_share: float
    second_life_years: float
    annual_kgco2e: Span
    scenario_annual_kgco2e: Span
    saving_kgco2e_per_year: Span
    refurbished_footprint_share: Span  #: a refurbished device's embodied footprint, as a share of a new one's
    sources: list[FootprintSource]  #: of the refurbished share and the second life
