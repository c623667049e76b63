# ruff: noqa: F811  (the tests take the imported `nl` fixture as an argument, as pytest wants)
"""Monitoring's long work runs as jobs: new disclosure rules come into force together with the figures
they decide, never before; a full recomputation goes to the worker too.

Personas: Coco runs the Dutch group (five members); Sam is the secretariat, who sets the pact's rules.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from cfit.jobs.models import Job
from cfit.monitoring import actions
from cfit.monitoring.jobs import APPLY_RULES, REAGGREGATE
from cfit.monitoring.models import Aggregate, DisclosureRules
from tests.conftest import PASSWORD, Persona
from tests.test_monitoring_publication import nl, submitted  # noqa: F401  (the Dutch group fixture)

pytestmark = pytest.mark.django_db


def notebooks(scope: str = "nl") -> Any:
    return Aggregate.objects.filter(scope=scope, indicator="units_new", key="notebooks")


def test_stricter_rules_wait_for_their_job_and_then_hide_what_they_must(
    nl: dict[str, Any], secretary: Persona
) -> None:
    for organisation, units in zip(nl["members"][:3], (40, 41, 43), strict=True):
        submitted(nl["campaign"], organisation, units)
    assert notebooks().get().suppression == ""

    job = actions.request_disclosure_rules(min_reporters=4, dominance_percent=80, acting_user=secretary.user)

    # Queued, not yet applied: the rules in force are still the old ones, and so are the figures.
    assert job.kind == APPLY_RULES and job.state == Job.State.QUEUED
    assert DisclosureRules.current().min_reporters == 3
    assert notebooks().get().suppression == ""

    call_command("worker", "--burst", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert DisclosureRules.current().min_reporters == 4
    assert notebooks().get().suppression == "threshold"


def test_asking_twice_for_the_same_rules_queues_them_once(secretary: Persona) -> None:
    first = actions.request_disclosure_rules(
        min_reporters=5, dominance_percent=70, acting_user=secretary.user
    )
    second = actions.request_disclosure_rules(
        min_reporters=5, dominance_percent=70, acting_user=secretary.user
    )

    assert first.pk == second.pk
    assert Job.objects.filter(kind=APPLY_RULES).count() == 1


def test_rules_below_the_floor_are_refused_before_anything_is_queued(secretary: Persona) -> None:
    with pytest.raises(actions.MonitoringError):
        actions.request_disclosure_rules(min_reporters=2, dominance_percent=80, acting_user=secretary.user)
    with pytest.raises(actions.MonitoringError):
        actions.request_disclosure_rules(min_reporters=3, dominance_percent=99, acting_user=secretary.user)

    assert not Job.objects.exists()


def test_where_jobs_run_inline_the_rules_apply_at_once(
    nl: dict[str, Any], secretary: Persona, settings: Any
) -> None:
    settings.JOBS_IN_BACKGROUND = False
    for organisation, units in zip(nl["members"][:3], (40, 41, 43), strict=True):
        submitted(nl["campaign"], organisation, units)

    job = actions.request_disclosure_rules(min_reporters=4, dominance_percent=80, acting_user=secretary.user)

    assert job.state == Job.State.DONE
    assert notebooks().get().suppression == "threshold"


def test_the_admin_queues_new_rules_and_says_when_they_apply(secretary: Persona) -> None:
    secretary.user.is_staff = secretary.user.is_superuser = True
    secretary.user.save()
    client = Client()
    assert client.login(username=secretary.user.username, password=PASSWORD)
    rules = DisclosureRules.current()
    DisclosureRules.objects.get_or_create(pk=DisclosureRules.SINGLETON)

    response = client.post(
        f"/admin/monitoring/disclosurerules/{DisclosureRules.SINGLETON}/change/",
        {"min_reporters": 5, "dominance_percent": 75},
        follow=True,
    )

    assert response.status_code == 200
    assert "come into force once every figure is checked again" in response.content.decode()
    assert Job.objects.filter(kind=APPLY_RULES, state=Job.State.QUEUED).count() == 1
    assert DisclosureRules.current().min_reporters == rules.min_reporters


def test_a_full_recomputation_runs_as_a_job(nl: dict[str, Any]) -> None:
    from cfit.jobs import runner

    for organisation, units in zip(nl["members"][:3], (40, 41, 43), strict=True):
        submitted(nl["campaign"], organisation, units)
    Aggregate.objects.all().delete()

    job, _new = runner.enqueue(REAGGREGATE, key="monitoring-reaggregate")
    call_command("worker", "--burst", stdout=io.StringIO())

    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert notebooks().get().value == 124


def test_the_command_leaves_a_recomputation_to_the_worker() -> None:
    out = io.StringIO()
    call_command("monitoring", "reaggregate", "--queue", stdout=out)
    call_command("monitoring", "reaggregate", "--queue", stdout=out)

    assert "queued" in out.getvalue() and "already queued" in out.getvalue()
    assert Job.objects.filter(kind=REAGGREGATE, state=Job.State.QUEUED).count() == 1
