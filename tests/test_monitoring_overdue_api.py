"""Whether a campaign or a report is late, through the API as on the pages: an integrator's dashboard
reads each campaign's and report's deadline, whether it is overdue and by how many days (the pages'
own ``Campaign.days_overdue``), and asks for only the late ones.

Personas as in ``test_monitoring``: Coco runs the Dutch buyer group, Pia (Rijkswaterstaat) and Uma
(Utrecht) are members; Louise (Ville de Lyon) is in the French group, run by Fred.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.monitoring import actions
from cfit.monitoring.models import Campaign, Report

from .conftest import Persona
from .test_api_integrator import conforms
from .test_api_tokens import make_token, program
from .test_monitoring import filled, signed_in, world  # noqa: F401

pytestmark = pytest.mark.django_db


def dashboard(persona: Persona) -> Client:
    return program(make_token(persona, read_only=True, name="dashboard"))


def due(campaign: Campaign, days_ago: int, status: str = Campaign.Status.OPEN) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(
        deadline=timezone.localdate() - timedelta(days=days_ago), status=status
    )


def test_a_campaign_says_it_is_overdue_as_its_page_does_and_the_late_ones_are_listed_alone(
    world: dict[str, Any],  # noqa: F811
    coordinator: Persona,
) -> None:
    """Coco's dashboard did not know that the NL campaign was 5 days late though its page said so:
    each campaign now says its deadline, whether it is overdue and by how many days, and
    ``overdue=true`` lists the late ones alone; a closed campaign is never late."""
    nl = world["campaign_nl"]
    coming = actions.open_campaign(
        year=2026, group=world["nl"], title="NL 2026", opens=date(2026, 1, 1), deadline=date(2027, 3, 31),
        acting_user=None,
    )  # fmt: skip
    closed = actions.open_campaign(
        year=2024, group=world["nl"], title="NL 2024", opens=date(2025, 1, 1), deadline=date(2025, 3, 31),
        acting_user=None,
    )  # fmt: skip
    due(nl, 5)
    due(coming, -10)
    due(closed, 200, Campaign.Status.CLOSED)
    coco = dashboard(coordinator)

    every = conforms(coco.get("/api/v1/monitoring/campaigns"), "get", "/api/v1/monitoring/campaigns")
    late = coco.get("/api/v1/monitoring/campaigns", {"overdue": "true"}).json()
    on_time = coco.get("/api/v1/monitoring/campaigns", {"overdue": "false"}).json()
    page = signed_in(coordinator).get(f"/monitoring/campaigns/{nl.pk}/").content.decode()

    assert {c["title"]: (c["deadline"], c["overdue"], c["days_overdue"]) for c in every} == {
        "NL 2025": (str(timezone.localdate() - timedelta(days=5)), True, 5),
        "NL 2026": (str(timezone.localdate() + timedelta(days=10)), False, 0),
        "NL 2024": (str(timezone.localdate() - timedelta(days=200)), False, 0),
    }
    assert [c["id"] for c in late] == [nl.pk]
    assert sorted(c["id"] for c in on_time) == sorted([coming.pk, closed.pk])
    assert f'data-campaign="{nl.pk}" data-days="5"' in page  # the page's badge says the same
    assert coco.get("/api/v1/monitoring/campaigns", {"overdue": "late"}).status_code == 422


def test_a_report_still_written_in_is_overdue_with_its_campaign_and_listed_alone(
    world: dict[str, Any],  # noqa: F811
    procurer: Persona,
    coordinator: Persona,
    outsider: Persona,
) -> None:
    """Pia's draft in the late NL campaign is overdue by as many days as the campaign; her report of the
    year before, submitted, is not; ``overdue=true`` lists the draft alone, for her and for Coco reading
    what was shared with her. Louise reads neither."""
    earlier = actions.open_campaign(
        year=2024, group=world["nl"], title="NL 2024", opens=date(2025, 1, 1), deadline=date(2025, 3, 31),
        acting_user=None,
    )  # fmt: skip
    submitted = filled(earlier, procurer.organisation, {("units_new", "notebooks"): 30})
    actions.submit(submitted, acting_user=None)
    draft = filled(world["campaign_nl"], procurer.organisation, {("units_new", "notebooks"): 40}, shared=True)
    due(world["campaign_nl"], 3)
    due(earlier, 300)
    pia, coco, louise = dashboard(procurer), dashboard(coordinator), dashboard(outsider)

    every = conforms(pia.get("/api/v1/monitoring/reports"), "get", "/api/v1/monitoring/reports")
    late = pia.get("/api/v1/monitoring/reports", {"overdue": "true"}).json()
    on_time = pia.get("/api/v1/monitoring/reports", {"overdue": "false"}).json()
    shared_late = coco.get("/api/v1/monitoring/reports", {"as_coordinator": "true", "overdue": "true"}).json()
    one = conforms(
        pia.get(f"/api/v1/monitoring/reports/{draft.pk}"), "get", "/api/v1/monitoring/reports/{report_id}"
    )

    assert [(r["id"], r["overdue"], r["days_overdue"]) for r in every["reports"]] == [
        (draft.pk, True, 3),
        (submitted.pk, False, 0),  # submitted: not late, whatever its campaign
    ]
    assert every["reports"][0]["deadline"] == str(timezone.localdate() - timedelta(days=3))
    assert [r["id"] for r in late["reports"]] == [draft.pk] and late["count"] == 1
    assert [r["id"] for r in on_time["reports"]] == [submitted.pk]
    assert [r["id"] for r in shared_late["reports"]] == [draft.pk]
    assert (one["overdue"], one["days_overdue"], one["campaign"]) == (True, 3, world["campaign_nl"].pk)
    assert louise.get(f"/api/v1/monitoring/reports/{draft.pk}").status_code == 404
    assert louise.get("/api/v1/monitoring/reports", {"overdue": "true"}).json()["count"] == 0


def test_the_overdue_filters_and_the_days_overdue_always_agree(
    world: dict[str, Any],  # noqa: F811
    procurer: Persona,
) -> None:
    """The lists filter in the database, the answers count days in Python: for any deadline, campaign
    status and report state, a campaign or a report is in ``overdue()`` exactly when its
    ``days_overdue`` is more than 0."""
    campaign = world["campaign_nl"]
    report = filled(campaign, procurer.organisation, {("units_new", "notebooks"): 40})
    today = timezone.localdate()

    @settings(max_examples=60, deadline=None)
    @given(
        days_ago=st.integers(min_value=-400, max_value=400),
        status=st.sampled_from(Campaign.Status.values),
        state=st.sampled_from(Report.State.values),
    )
    def agree(days_ago: int, status: str, state: str) -> None:
        due(campaign, days_ago, status)
        Report.objects.filter(pk=report.pk).update(state=state)
        found_campaign = Campaign.objects.get(pk=campaign.pk)
        found_report = Report.objects.select_related("campaign").get(pk=report.pk)

        late_campaign = Campaign.objects.overdue(today).filter(pk=campaign.pk).exists()
        late_report = Report.objects.overdue(today).filter(pk=report.pk).exists()

        assert late_campaign == (found_campaign.days_overdue(today) > 0)
        assert late_report == (found_report.days_overdue(today) > 0)
        assert found_report.days_overdue(today) in (0, found_campaign.days_overdue(today))

    agree()
