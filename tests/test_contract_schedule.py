"""Obligation schedules over a contract period, as properties (no database)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfit.contracts.schedule import (
    CriterionKind,
    Frequency,
    Kind,
    RequirementView,
    add_years,
    due_dates,
    what_is_due,
    years_started,
)

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
lengths = st.integers(min_value=0, max_value=12 * 366)
#: The machine is shared: generation may be slow under load, which says nothing about the schedule.
shared_machine = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@shared_machine
@given(starts, lengths)
def test_yearly_obligations_one_per_year_started_all_inside_the_period(start: date, days: int) -> None:
    end = start + timedelta(days=days)

    dates = due_dates(Frequency.YEARLY, start, end)

    # Count the contract years started by hand: the k-th year starts k years after the start.
    started = sum(1 for k in range(20) if add_years(start, k) <= end)
    assert len(dates) == started == years_started(start, end)
    assert all(start <= day <= end for day in dates)
    assert dates == sorted(set(dates))
    assert dates[-1] == min(end, add_years(start, started) - timedelta(days=1))


@shared_machine
@given(starts, lengths)
def test_a_one_off_obligation_falls_inside_the_period(start: date, days: int) -> None:
    end = start + timedelta(days=days)

    (day,) = due_dates(Frequency.ONCE, start, end)

    assert start <= day <= end


@shared_machine
@given(starts, lengths, st.lists(st.integers(min_value=-400, max_value=5000), max_size=8))
def test_per_delivery_obligations_follow_deliveries_inside_the_period(
    start: date, days: int, offsets: list[int]
) -> None:
    end = start + timedelta(days=days)
    deliveries = [start + timedelta(days=o) for o in offsets]

    dates = due_dates(Frequency.PER_DELIVERY, start, end, deliveries=deliveries)

    assert len(dates) == sum(1 for d in deliveries if start <= d <= end)
    assert all(start <= day <= end for day in dates)


def test_a_leap_day_start_keeps_its_years() -> None:
    assert due_dates(Frequency.YEARLY, date(2028, 2, 29), date(2031, 2, 28)) == [
        date(2029, 2, 27),
        date(2030, 2, 27),
        date(2031, 2, 27),
        date(2031, 2, 28),
    ]


def test_what_is_due_follows_the_criterion() -> None:
    share = RequirementView("ws-smelters-rmap-a.share", "number", "%")
    years = RequirementView("wc-service-agreement-a.years", "integer", "years")
    yes = RequirementView("wc-take-back-a.en50614", "boolean", "")

    assert (
        what_is_due(CriterionKind.CONTRACT_PERFORMANCE_CLAUSE, "smelters", [share], has_labels=False).kind
        == Kind.FIGURE
    )
    take_back = what_is_due(
        CriterionKind.CONTRACT_PERFORMANCE_CLAUSE, "wc-take-back", [yes], has_labels=False
    )
    assert [f.unit for f in take_back.figures] == ["units", "kg"]
    plain = what_is_due(CriterionKind.CONTRACT_PERFORMANCE_CLAUSE, "cmrt", [yes], has_labels=False)
    assert (plain.kind, plain.frequency) == (Kind.DOCUMENT, Frequency.YEARLY)
    spec = what_is_due(CriterionKind.TECHNICAL_SPECIFICATION, "energy", [years], has_labels=True)
    assert (spec.kind, spec.frequency) == (Kind.DECLARATION, Frequency.ONCE)


def test_the_schedule_does_not_need_django() -> None:
    import subprocess
    import sys

    code = "import sys, cfit.contracts.schedule; assert 'django' not in sys.modules, 'django imported'"

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr
