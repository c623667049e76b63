"""The smelter check of delivered templates as pages show it, and the share of conformant smelters.

The look-up findings were stored when the template was delivered (the template's own list does not
change); the conformance status is looked up in the list in force on the report's effective date (the
latest list dated on or before it), so a report is judged by what was known when it was made.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cfit.contracts.models import Contract
from cfit.duediligence.checks import ConformanceList, ListedSmelter, conformance_findings
from cfit.duediligence.models import MineralsReport, Smelter, SmelterList, SmelterStatus
from cfit.duediligence.problems import message, status_label
from cfit.duediligence.template import ReportedSmelter


@dataclass
class SmelterRow:
    smelter: Smelter
    status: str  #: a status of ``checks.STATUSES``, "unlisted", "unidentified", or "" without a list
    findings: list[str]

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass
class Share:
    metal: str
    smelters: int
    conformant: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.conformant / self.smelters, 1) if self.smelters else None


@dataclass
class ReportCheck:
    report: MineralsReport
    smelter_list: SmelterList | None
    rows: list[SmelterRow] = field(default_factory=list)

    @property
    def shares(self) -> list[Share]:
        return shares(self.rows)

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.findings)


def _conformance(smelter_list: SmelterList | None, ids: Iterable[str]) -> ConformanceList | None:
    if smelter_list is None:
        return None
    rows = SmelterStatus.objects.filter(smelter_list=smelter_list, smelter_id__in=set(ids))
    return ConformanceList(
        smelter_list.as_of,
        str(smelter_list.version),
        {r.smelter_id: ListedSmelter(r.smelter_id, r.name, r.metal, r.country, r.status) for r in rows},
    )


def report_check(report: MineralsReport) -> ReportCheck:
    smelters = list(report.smelters.all())
    day = report.effective_date or report.created.date()
    smelter_list = SmelterList.objects.in_force(day)
    conformance = _conformance(smelter_list, [s.smelter_id for s in smelters if s.smelter_id])
    check = ReportCheck(report, smelter_list)
    for smelter in smelters:
        texts = [message(f["code"], f.get("params", {})) for f in smelter.findings]
        status = "unidentified" if not smelter.smelter_id else ""
        if conformance is not None:
            reported = ReportedSmelter(
                smelter.row, smelter.metal, smelter.smelter_id, smelter.name, smelter.lookup_name,
                smelter.country, smelter.source,
            )  # fmt: skip
            status, found = conformance_findings(reported, conformance)
            texts += [message(f.code, dict(f.params)) for f in found]
        check.rows.append(SmelterRow(smelter, status, texts))
    return check


def shares(rows: Iterable[SmelterRow]) -> list[Share]:
    """Per metal: distinct identified smelters and how many are conformant."""
    seen: dict[str, dict[str, bool]] = defaultdict(dict)
    for row in rows:
        if row.smelter.smelter_id:
            seen[row.smelter.metal][row.smelter.smelter_id] = row.status == "conformant"
    return [Share(metal, len(ids), sum(ids.values())) for metal, ids in sorted(seen.items())]


def contract_checks(contract: Contract) -> list[ReportCheck]:
    # A CMRT the supplier replaced or withdrew is kept in the trail, not checked: the one standing is.
    reports = (
        contract.minerals_reports.filter(submission__set_aside="")
        .select_related("submission")
        .prefetch_related("smelters")
    )
    return [report_check(r) for r in reports]


@dataclass
class YearShares:
    year: int
    shares: list[Share]


def trend(reports: Iterable[MineralsReport]) -> list[YearShares]:
    """Per year of the reports' effective dates: the share of conformant smelters per metal, each
    smelter counted once a year (a supplier reporting it in two templates of a year counts once)."""
    by_year: dict[int, list[SmelterRow]] = defaultdict(list)
    for report in reports:
        by_year[report.year].extend(report_check(report).rows)
    return [YearShares(year, shares(rows)) for year, rows in sorted(by_year.items())]


def supplier_contracts(contract: Contract) -> Any:
    """The buyer's contracts with the same supplier (its organisation on cfit, else its name)."""
    same = Contract.unscoped.filter(organisation_id=contract.organisation_id)
    if contract.supplier_organisation_id:
        return same.filter(supplier_organisation_id=contract.supplier_organisation_id)
    return same.filter(supplier_name=contract.supplier_name)


def supplier_trend(contract: Contract) -> list[YearShares]:
    reports = MineralsReport.objects.filter(
        contract__in=supplier_contracts(contract), submission__set_aside=""
    ).prefetch_related("smelters")
    return trend(reports)
