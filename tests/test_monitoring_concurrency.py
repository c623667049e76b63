"""Submissions at the same moment, on PostgreSQL: each refresh of a year's figures waits for the one before
(an advisory lock per year), so that none fails on the unique cells and none misses a report.

SQLite serialises writing transactions itself (``transaction_mode = IMMEDIATE``): these tests need the
production engine and skip elsewhere.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from cfit.accounts.models import Organisation
from cfit.monitoring import actions, aggregation
from cfit.monitoring.models import PACT, Aggregate, Campaign, Coverage, Report, ResultsEdition
from cfit.pact import actions as pact
from cfit.pact.models import GroupMembership
from tests.conftest import Persona

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent transactions need PostgreSQL (SQLite serialises writes itself)",
    ),
]
MEMBERS = 12


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        Aggregate.objects.values_list(
            "scope", "year", "indicator", "key", "value", "low", "high", "reporters", "suppression"
        )
    )


def run_at_once(work: list[Any]) -> list[BaseException]:
    """Run each callable in its own thread (and database connection), all released at the same moment."""
    barrier = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def run(job: Any) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as error:  # collected and reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_simultaneous_submissions_all_count_and_equal_a_full_recomputation(coordinator: Persona) -> None:
    group = pact.create_buyer_group(
        coordinator.organisation, name="NL", slug="nl", country="NL", language="nl"
    )
    campaign = actions.open_campaign(
        year=2025,
        group=group,
        title="NL 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    reports = []
    for n in range(MEMBERS):
        organisation = Organisation.objects.create(
            slug=f"member-{n}", name=f"Member {n}", country="NL", type=Organisation.Type.PROCURING_PARTICIPANT
        )
        GroupMembership.objects.create(group=group, organisation=organisation, state="active")
        report = actions.start_report(campaign, organisation, acting_user=None)
        actions.save_values(
            report,
            {("units_new", "notebooks"): 100 + n, ("ict_spend_eur", "notebooks"): 1000 * (n + 1)},
            bounds={},
            acting_user=None,
        )
        reports.append(report.pk)

    errors = run_at_once(
        [lambda pk=pk: actions.submit(Report.objects.get(pk=pk), acting_user=None) for pk in reports]
    )

    assert errors == []
    notebooks = Aggregate.objects.get(scope="nl", year=2025, indicator="units_new", key="notebooks")
    assert (notebooks.value, notebooks.reporters) == (sum(100 + n for n in range(MEMBERS)), MEMBERS)
    assert Coverage.objects.get(scope=PACT, year=2025).counted == MEMBERS
    refreshed = snapshot()
    aggregation.refresh(None)
    assert snapshot() == refreshed


def test_simultaneous_decisions_and_a_full_recomputation_do_not_collide(coordinator: Persona) -> None:
    group = pact.create_buyer_group(
        coordinator.organisation, name="NL", slug="nl", country="NL", language="nl"
    )
    campaign = actions.open_campaign(
        year=2025,
        group=group,
        title="NL 2025",
        opens=date(2026, 1, 1),
        deadline=date(2026, 3, 31),
        acting_user=None,
    )
    reports = []
    for n in range(6):
        organisation = Organisation.objects.create(
            slug=f"member-{n}", name=f"Member {n}", country="NL", type=Organisation.Type.PROCURING_PARTICIPANT
        )
        GroupMembership.objects.create(group=group, organisation=organisation, state="active")
        report = actions.start_report(campaign, organisation, acting_user=None)
        actions.save_values(report, {("units_new", "monitors"): 10 + n}, acting_user=None)
        reports.append(actions.submit(report, acting_user=None).pk)

    errors = run_at_once(
        [
            lambda pk=pk: actions.decide(Report.objects.get(pk=pk), accept=True, acting_user=None)
            for pk in reports
        ]
        + [lambda: aggregation.refresh(None), lambda: aggregation.refresh(2025)]
    )

    assert errors == []
    assert Coverage.objects.get(scope="nl", year=2025).accepted == 6
    refreshed = snapshot()
    aggregation.refresh(None)
    assert snapshot() == refreshed


def test_publishing_while_reports_come_in_neither_deadlocks_nor_loses_an_edition(
    coordinator: Persona, secretary: Persona
) -> None:
    """Publishing saves the campaign (a new results edition) and then refreshes; a submission refreshes
    (the years' locks) and then ends the edition: both take the edition's row before the years."""
    group = pact.create_buyer_group(
        coordinator.organisation, name="NL", slug="nl", country="NL", language="nl"
    )
    campaigns = [
        actions.open_campaign(
            year=year,
            group=group,
            title=f"NL {year}",
            opens=date(2026, 1, 1),
            deadline=date(2026, 3, 31),
            acting_user=None,
        )  # fmt: skip
        for year in (2024, 2025)
    ]
    reports = []
    for n in range(6):
        organisation = Organisation.objects.create(
            slug=f"member-{n}", name=f"Member {n}", country="NL", type=Organisation.Type.PROCURING_PARTICIPANT
        )
        GroupMembership.objects.create(group=group, organisation=organisation, state="active")
        for campaign in campaigns:
            report = actions.start_report(campaign, organisation, acting_user=None)
            actions.save_values(report, {("units_new", "monitors"): 10 + n}, acting_user=None)
            reports.append(report.pk)
    before = ResultsEdition.current()

    errors = run_at_once(
        [lambda pk=pk: actions.submit(Report.objects.get(pk=pk), acting_user=None) for pk in reports]
        + [
            lambda c=c: actions.publish_results(Campaign.objects.get(pk=c.pk), acting_user=coordinator.user)
            for c in campaigns
        ]
        + [
            lambda: actions.set_disclosure_rules(
                min_reporters=3, dominance_percent=85, acting_user=secretary.user
            )
        ]
    )

    assert errors == []
    assert ResultsEdition.current() >= before + len(reports) + len(campaigns) + 1
    assert Coverage.objects.get(scope="nl", year=2025).counted == 6


def test_one_report_submitted_twice_at_once_is_submitted_and_told_once(
    coordinator: Persona, settings: Any
) -> None:
    """Two clicks on "Submit" (two tabs, a double tap on a phone) reach two workers: each read the draft
    before the other wrote, and both submitted it, mailing the coordinator twice. The report's row is
    locked now: the second waits for the first, finds the report in, and is refused."""
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    coordinator.user.email = "coco@example.org"
    coordinator.user.save(update_fields=["email"])
    group = pact.create_buyer_group(
        coordinator.organisation, name="NL", slug="nl", country="NL", language="nl"
    )
    campaign = actions.open_campaign(
        year=2025, group=group, title="NL 2025", opens=date(2026, 1, 1), deadline=date(2026, 3, 31),
        acting_user=None,
    )  # fmt: skip
    organisation = Organisation.objects.create(
        slug="member", name="Member", country="NL", type=Organisation.Type.PROCURING_PARTICIPANT
    )
    GroupMembership.objects.create(group=group, organisation=organisation, state="active")
    report = actions.start_report(campaign, organisation, acting_user=None)

    errors = run_at_once([lambda: actions.submit(Report.objects.get(pk=report.pk), acting_user=None)] * 2)

    assert [type(error) for error in errors] == [actions.MonitoringError]
    assert Report.objects.get(pk=report.pk).state == Report.State.SUBMITTED
    assert [m.to for m in mail.outbox] == [["coco@example.org"]]
