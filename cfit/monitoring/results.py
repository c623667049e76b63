"""Reading collective results: published aggregates for everyone, unpublished ones for who runs the scope.

Everything here reads the materialised ``Aggregate`` and ``Coverage`` rows and the disclosure decision
stored with each (``protection.py``): a results page or API call costs a couple of indexed queries,
whatever the number of reports behind it, and a figure the rules hide never leaves this module — only
the reason why it is hidden does. Every channel (pages, charts, CSV, XLSX, API) reads through here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, JSONField, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cfit.impact.titles import source_title
from cfit.monitoring.disclosure import TOTAL, Reason, Rules
from cfit.monitoring.indicators import BY_CODE
from cfit.monitoring.models import PACT, Aggregate, Campaign, Coverage, DisclosureRules

BOUNDED = [code for code, indicator in BY_CODE.items() if indicator.bounded]


@dataclass(frozen=True)
class Scope:
    key: str  #: "pact" or a buyer group's slug
    group_id: int | None


def campaign_scope(campaign: Campaign) -> Scope:
    group = campaign.group
    return Scope(group.slug if group is not None else PACT, campaign.group_id)


def published_years(scope: Scope) -> list[int]:
    """Years whose results this scope's campaign published (pact-wide campaigns for the pact)."""
    campaigns = Campaign.objects.filter(results_published__isnull=False)
    campaigns = (
        campaigns.filter(group__isnull=True)
        if scope.group_id is None
        else campaigns.filter(group_id=scope.group_id)
    )
    return sorted(campaigns.values_list("year", flat=True))


def reason_text(reason: str, rules: Rules) -> str:
    """Why a figure is hidden, in a few words of the reader's language."""
    if reason == Reason.THRESHOLD:
        return ngettext(
            "fewer than %(n)s reporting organisation",
            "fewer than %(n)s reporting organisations",
            rules.min_reporters,
        ) % {"n": rules.min_reporters}
    if reason == Reason.DOMINANCE:
        return _("one organisation gives more than %(share)s %% of it") % {
            "share": round(rules.dominance * 100)
        }
    return _("hidden so that another hidden figure cannot be worked out")


def results(scope: Scope, years: list[int]) -> dict[str, Any]:
    """The collective results of a scope and years, as every channel shows them::

        {"scope", "years", "rules": {"min_reporters", "dominance"}, "method_url", "sources": {id: {...}},
         "coverage": {year: {...}}, "indicators": {code: {year: {key: cell}}}}

    A shown cell has its value (emissions with ``low`` and ``high``, ``method`` and ``sources``), the
    number of reports behind it and how many of them pre-filled or estimated it; a hidden cell has only
    ``suppressed``, the reason code."""
    rules = DisclosureRules.current()
    # Only bounded figures have sources: the others' (empty) lists are not read, nor decoded.
    provenance = Case(
        When(indicator__in=BOUNDED, then=F("sources")), default=Value(None), output_field=JSONField()
    )
    cells = (
        Aggregate.objects.filter(scope=scope.key, year__in=years)
        .annotate(provenance=provenance)
        .values_list(
            "year", "indicator", "key", "value", "low", "high", "reporters", "prefilled", "estimated",
            "suppression", "method", "provenance",
        )
    )  # fmt: skip
    indicators: dict[str, dict[int, dict[str, dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    sources: dict[str, dict[str, str]] = {}
    for (
        year,
        code,
        key,
        value,
        low,
        high,
        reporters,
        prefilled,
        estimated,
        suppression,
        method,
        found,
    ) in cells:
        indicator = BY_CODE.get(code)
        if indicator is None:
            continue
        if suppression:
            indicators[code][year][key] = {
                "value": None, "low": None, "high": None, "reporters": None, "prefilled": None,
                "estimated": None, "suppressed": suppression, "method": None, "sources": None,
            }  # fmt: skip
            continue
        cell: dict[str, Any] = {
            "value": _round(value), "low": _round(low), "high": _round(high), "reporters": reporters,
            "prefilled": prefilled, "estimated": estimated, "suppressed": None, "method": None, "sources": None,
        }  # fmt: skip
        if indicator.bounded:
            cell["method"] = method or None
            cell["sources"] = [s["id"] for s in found or []]
            for source in found or []:
                sources.setdefault(
                    source["id"], {"title": source["title"], "url": web_address(source["url"])}
                )
        indicators[code][year][key] = cell
    coverage = {
        c.year: {
            "members": c.members,
            "reported": c.counted,
            "accepted": c.accepted,
            "users_served": None if c.users_served_suppression else c.users_served,
            "users_served_share": (
                None
                if c.users_served_suppression or not c.members_users_served
                else round(min(c.users_served / c.members_users_served, 1.0), 3)
            ),
            "users_served_suppressed": c.users_served_suppression or None,
        }
        for c in Coverage.objects.filter(scope=scope.key, year__in=years)
    }
    return {
        "scope": scope.key,
        "years": years,
        "rules": {"min_reporters": rules.min_reporters, "dominance": rules.dominance},
        "method_url": reverse("monitoring:method"),
        "sources": dict(sorted(sources.items())),
        "coverage": coverage,
        "indicators": {
            code: {year: _ordered(keys) for year, keys in sorted(indicators[code].items())}
            for code in BY_CODE  # in the order of the report
            if code in indicators
        },
    }


def web_address(url: str) -> str:
    """A source's address if it is a web address (never a ``javascript:`` one in a link), else empty."""
    return url if url.startswith(("https://", "http://")) else ""


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


def _ordered(keys: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The breakdown in stored order, its total last."""
    return {k: keys[k] for k in sorted(keys, key=lambda k: (k == TOTAL, k))}


HEADER = [
    "scope", "year", "indicator", "breakdown", "value", "low", "high", "unit", "reporters", "members",
    "prefilled", "estimated", "suppressed", "method", "method_url", "sources", "source_titles", "source_urls",
]  # fmt: skip
#: Between the ids (and titles) of a figure's sources in one cell: titles hold commas and semicolons.
SOURCES_SEPARATOR = " | "
SOURCES_HEADER = ["source", "title", "url"]


def rows(data: dict[str, Any]) -> list[list[Any]]:
    """The results as a table for CSV and XLSX: one row per year, indicator and breakdown; a hidden
    figure's row names the reason in ``suppressed`` and nothing else. A figure computed from factors
    names its sources in the row itself, by id, by the title the results page shows and by address,
    and where its method is described (``method_url``, made absolute by the caller), so that a line
    copied out of the file still says where its number comes from."""
    out: list[list[Any]] = [list(HEADER)]
    for code, by_year in data["indicators"].items():
        indicator = BY_CODE[code]
        for year, keys in by_year.items():
            members = data["coverage"].get(year, {}).get("members", "")
            for key, cell in keys.items():
                ids = cell["sources"] or []
                titles = [source_title({"id": i, **data["sources"].get(i, {})}) for i in ids]
                urls = [data["sources"].get(i, {}).get("url", "") for i in ids]
                method_url = data["method_url"] if indicator.bounded and not cell["suppressed"] else ""
                out.append([
                    data["scope"], year, code, key, cell["value"], cell["low"], cell["high"],
                    indicator.unit and str(indicator.unit), cell["reporters"], members, cell["prefilled"],
                    cell["estimated"], cell["suppressed"] or "", cell["method"] or "", method_url,
                    SOURCES_SEPARATOR.join(ids), SOURCES_SEPARATOR.join(titles),
                    SOURCES_SEPARATOR.join(urls) if any(urls) else "",
                ])  # fmt: skip
    return out


def source_rows(data: dict[str, Any]) -> list[list[str]]:
    """The sources the figures of ``rows`` point to, one row each: id, title (as the page shows it),
    web address."""
    return [list(SOURCES_HEADER)] + [
        [source_id, source_title({"id": source_id, **source}), source["url"]]
        for source_id, source in data["sources"].items()
    ]


# -- the decision to publish


@dataclass
class Review:
    """What a coordinator sees before publishing a campaign's results."""

    campaign: Campaign
    rules: Rules
    members: int = 0
    reported: int = 0
    accepted: int = 0
    submitted: int = 0  #: in, but neither accepted nor returned yet
    users_share: float | None = None
    users_suppressed: str = ""
    cells: int = 0
    hidden: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def shown(self) -> int:
        return self.cells - sum(self.hidden.values())

    @property
    def fully_suppressed(self) -> bool:
        return self.cells > 0 and self.shown == 0

    @property
    def hidden_reasons(self) -> list[tuple[str, int, str]]:
        return [(r, n, reason_text(r, self.rules)) for r, n in self.hidden.items() if n]


def review(campaign: Campaign) -> Review:
    """The facts of a publication: coverage, how many figures the rules hide and why, and warnings."""
    scope = campaign_scope(campaign)
    found = Review(campaign, DisclosureRules.current())
    coverage = Coverage.objects.filter(scope=scope.key, year=campaign.year).first()
    if coverage is not None:
        found.members, found.reported, found.accepted = coverage.members, coverage.counted, coverage.accepted
        found.users_suppressed = coverage.users_served_suppression
        if not coverage.users_served_suppression and coverage.members_users_served:
            found.users_share = min(coverage.users_served / coverage.members_users_served, 1.0)
    else:  # no report counted yet: the figures of the year do not exist, the members do
        found.members = campaign.members().count()
    found.submitted = found.reported - found.accepted
    cells = Aggregate.objects.filter(scope=scope.key, year=campaign.year)
    found.cells = cells.count()
    found.hidden = {r.value: 0 for r in Reason}
    for suppression in cells.exclude(suppression="").values_list("suppression", flat=True):
        found.hidden[suppression] = found.hidden.get(suppression, 0) + 1
    rules = found.rules
    if found.reported < rules.min_reporters:
        found.warnings.append(
            ngettext(
                "Only %(reported)s of %(members)s members reported, fewer than the %(n)s the disclosure rules ask for a figure: every figure is hidden.",
                "Only %(reported)s of %(members)s members reported, fewer than the %(n)s the disclosure rules ask for a figure: every figure is hidden.",
                found.reported,
            )
            % {"reported": found.reported, "members": found.members, "n": rules.min_reporters}
        )
    elif found.members and found.reported * 2 < found.members:
        found.warnings.append(
            _(
                "Only %(reported)s of %(members)s members reported: the figures describe them, not the whole group."
            )
            % {"reported": found.reported, "members": found.members}
        )
    if found.submitted:
        found.warnings.append(
            ngettext(
                "%(n)s report is in but not accepted yet; it counts in the figures.",
                "%(n)s reports are in but not accepted yet; they count in the figures.",
                found.submitted,
            )
            % {"n": found.submitted}
        )
    if found.cells and not found.fully_suppressed and found.shown < found.cells:
        found.warnings.append(
            _("%(hidden)s of %(cells)s figures are hidden by the disclosure rules.")
            % {"hidden": found.cells - found.shown, "cells": found.cells}
        )
    return found
