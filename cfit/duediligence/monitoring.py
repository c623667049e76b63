"""The yearly report's contract and due-diligence figures of an organisation, from its contracts.

- contracts in force in the year carrying a contract performance clause of the due-diligence category;
- obligations that fell due in the year, and the share delivered by the due date (the first delivery's
  time, whatever was decided after);
- smelters reported: distinct identified smelters per metal in the templates effective in the year,
  and the share the conformance list in force calls conformant (only when a list was imported);
- corrective actions still open at the end of the year.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Min, Q
from django.utils import timezone

from cfit.accounts.models import Organisation
from cfit.contracts.models import Contract, Finding, Obligation, ObligationEvent, Submission
from cfit.criteria.models import CriterionType
from cfit.duediligence.figures import trend
from cfit.duediligence.models import MineralsReport, SmelterList

#: The criteria category whose clauses make a contract count as one with due-diligence clauses.
DUE_DILIGENCE = "due_diligence"


def contract_figures(organisation: Organisation, year: int) -> dict[tuple[str, str], float]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    contracts = Contract.unscoped.filter(organisation=organisation)
    if not contracts.exists():
        return {}
    values: dict[tuple[str, str], float] = {}
    in_force = contracts.filter(start_date__lte=end, end_date__gte=start)
    values[("contracts_dd_clauses", "")] = float(
        in_force.filter(
            criteria__type=CriterionType.CONTRACT_PERFORMANCE_CLAUSE,
            criteria__criterion__impact_category=DUE_DILIGENCE,
        )
        .distinct()
        .count()
    )
    due = (
        Obligation.objects.filter(contract__in=contracts, due_date__range=(start, end))
        # A delivery the supplier withdrew did not deliver: the first one that stood counts.
        .annotate(
            first_delivery=Min(
                "events__at",
                filter=Q(events__action=ObligationEvent.Action.DELIVERED)
                & Q(events__submission__set_aside__in=["", Submission.SetAside.REPLACED]),
            )
        )
        .values_list("due_date", "first_delivery")
    )
    rows = list(due)
    if rows:
        on_time = sum(
            1
            for due_date, delivered in rows
            if delivered is not None and timezone.localtime(delivered).date() <= due_date
        )
        values[("obligations_due", "")] = float(len(rows))
        values[("obligations_on_time_share", "")] = round(100 * on_time / len(rows), 1)
    reports = [
        r
        for r in MineralsReport.objects.filter(
            contract__in=contracts, submission__set_aside=""
        ).prefetch_related("smelters")
        if r.year == year
    ]
    if reports:
        year_shares = [s for y in trend(reports) for s in y.shares]
        reported = sum(s.smelters for s in year_shares)
        values[("smelters_reported", "")] = float(reported)
        if reported and SmelterList.objects.exists():
            conformant = sum(s.conformant for s in year_shares)
            values[("smelters_conformant_share", "")] = round(100 * conformant / reported, 1)
    end_of_year = timezone.make_aware(datetime.combine(end, time.max))
    values[("corrective_actions_open", "")] = float(
        Finding.objects.filter(contract__in=contracts, raised_at__lte=end_of_year)
        .filter(Q(status=Finding.Status.OPEN) | Q(closed_at__gt=end_of_year))
        .count()
    )
    return values
