"""Reading collective results: published aggregates for everyone, unpublished ones for who runs the scope.

Everything here reads the materialised ``Aggregate`` and ``Coverage`` rows: a results page or API call
costs a couple of indexed queries, whatever the number of reports behind it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from cfit.monitoring.indicators import BY_CODE
from cfit.monitoring.models import Aggregate, Campaign, Coverage


@dataclass(frozen=True)
class Scope:
    key: str  #: "pact" or a buyer group's slug
    group_id: int | None


def published_years(scope: Scope) -> list[int]:
    """Years whose results this scope's campaign published (pact-wide campaigns for the pact)."""
    campaigns = Campaign.objects.filter(results_published__isnull=False)
    campaigns = (
        campaigns.filter(group__isnull=True)
        if scope.group_id is None
        else campaigns.filter(group_id=scope.group_id)
    )
    return sorted(campaigns.values_list("year", flat=True))


def results(scope: Scope, years: list[int]) -> dict[str, Any]:
    """``{"years": [...], "coverage": {year: {...}}, "indicators": {code: {year: {key: {...}}}}}``."""
    cells = Aggregate.objects.filter(scope=scope.key, year__in=years).values_list(
        "year", "indicator", "key", "value", "reporters", "prefilled", "estimated"
    )
    indicators: dict[str, dict[int, dict[str, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for year, code, key, value, reporters, prefilled, estimated in cells:
        indicators[code][year][key] = {
            "value": round(value, 3) if value is not None else None,
            "reporters": reporters,
            "prefilled": prefilled,
            "estimated": estimated,
        }
    coverage = {
        c.year: {
            "members": c.members,
            "reported": c.counted,
            "accepted": c.accepted,
            "users_served": c.users_served,
        }
        for c in Coverage.objects.filter(scope=scope.key, year__in=years)
    }
    return {
        "scope": scope.key,
        "years": years,
        "coverage": coverage,
        "indicators": {
            code: {year: dict(keys) for year, keys in sorted(indicators[code].items())}
            for code in BY_CODE  # in the order of the report
            if code in indicators
        },
    }


def rows(data: dict[str, Any]) -> list[list[Any]]:
    """The results as a table for CSV and XLSX: one row per year, indicator and breakdown."""
    out: list[list[Any]] = [
        [
            "scope",
            "year",
            "indicator",
            "breakdown",
            "value",
            "unit",
            "reporters",
            "members",
            "prefilled",
            "estimated",
        ]
    ]
    for code, by_year in data["indicators"].items():
        indicator = BY_CODE[code]
        for year, keys in by_year.items():
            members = data["coverage"].get(year, {}).get("members", "")
            for key, cell in keys.items():
                out.append([
                    data["scope"], year, code, key, cell["value"], indicator.unit and str(indicator.unit),
                    cell["reporters"], members, cell["prefilled"], cell["estimated"],
                ])  # fmt: skip
    return out
