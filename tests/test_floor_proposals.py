"""The baseline moves up when a legal floor comes into force: a draft is proposed, never published.

``propose_floor_raises`` finds the published requirements that ask less than a floor in force and
opens a draft raising them, each field with a change entry naming the regulation and article, before
and after. Run twice it changes nothing; a published version never changes. The rules are tested as
properties: whatever the requirement and its floors, after the raise none is below a floor in force.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfit.criteria import actions, content, floors
from cfit.criteria.models import FieldChange, FieldTranslation, FrameworkVersion, Requirement, VersionEvent

# The Cyber Resilience Act's support period (Art. 13(8)) applies from 11 December 2027; the framework
# files state it on dock-firmware-b.update-years. A published version loaded before then may ask 3 years.
CRA_DATE = date(2027, 12, 11)
CRA = "Regulation (EU) 2024/2847"
TITLE = dict.fromkeys(content.LANGUAGES, "T")


def floor(value: float | bool, applies_from: date, until: date | None = None) -> dict[str, Any]:
    return {
        "regulation": "Regulation (EU) 2099/1",
        "article": "Art. 1",
        "value": value,
        "applies_from": applies_from,
        "applies_until": until,
        "scope": "all products",
    }


# ---------------------------------------------------------------------------
# The rule, as a property of any requirement and its floors
# ---------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
values = st.integers(min_value=0, max_value=40).map(float)


@st.composite
def numeric_requirements(draw: Any) -> content.Requirement:
    better = draw(st.sampled_from(["higher", "lower"]))
    kind = draw(st.sampled_from(["integer", "number"]))
    low, high = sorted(draw(st.lists(values, min_size=2, max_size=2)))
    shape = draw(st.sampled_from(["min", "max", "range", "expected"]))
    bounds: dict[str, Any] = {
        "min": {"min_value": low},
        "max": {"max_value": high},
        "range": {"min_value": low, "max_value": high},
        "expected": {"expected_value": int(low) if kind == "integer" else low},
    }[shape]
    floor_values = st.integers(min_value=0, max_value=400).map(lambda n: n / (1 if kind == "integer" else 10))
    floors_ = draw(
        st.lists(
            st.builds(floor, floor_values, days, st.none() | days).filter(
                lambda f: f["applies_until"] is None or f["applies_until"] >= f["applies_from"]
            ),
            max_size=3,
        )
    )
    return content.Requirement.model_validate(
        {
            "id": "x-b.y",
            "title": TITLE,
            "data_type": kind,
            "unit": "years",
            "better": better,
            "legal_floors": floors_,
            **bounds,
        }
    )


@st.composite
def yes_no_requirements(draw: Any) -> content.Requirement:
    expected = draw(st.booleans())
    return content.Requirement.model_validate(
        {
            "id": "x-b.y",
            "title": TITLE,
            "data_type": "boolean",
            "expected_value": expected,
            "better": draw(st.sampled_from([None, "higher" if expected else "lower"])),
            "legal_floors": draw(st.lists(st.builds(floor, st.just(True), days), max_size=2)),
        }
    )


@settings(max_examples=400, deadline=None, database=None)
@given(requirement=numeric_requirements() | yes_no_requirements(), on=days)
def test_after_the_raise_no_floor_in_force_is_above_the_requirement(
    requirement: content.Requirement, on: date
) -> None:
    raised = content.raised_to_floors(requirement, on)

    assert not [f for f in raised.legal_floors if f.in_force(on) and raised.below_floor(f)]
    # only towards the law: a requirement at every floor is left as it is, and nothing is lowered
    if not any(f.in_force(on) and requirement.below_floor(f) for f in requirement.legal_floors):
        assert raised == requirement
    for change in content.floor_raises(requirement, on):
        if change.field in ("min_value", "expected_value") and requirement.better == "higher":
            assert change.before is None or change.after >= change.before  # type: ignore[operator]
        if change.field == "max_value" and requirement.better == "lower":
            assert change.before is None or change.after <= change.before  # type: ignore[operator]


def test_a_floor_not_yet_in_force_or_expired_raises_nothing() -> None:
    requirement = content.Requirement.model_validate(
        {
            "id": "x-b.y",
            "title": TITLE,
            "data_type": "integer",
            "min_value": 3,
            "unit": "years",
            "better": "higher",
            "legal_floors": [floor(5, date(2027, 12, 11)), floor(6, date(2020, 1, 1), date(2025, 1, 1))],
        }
    )

    assert content.floor_raises(requirement, date(2027, 12, 10)) == []
    raised = content.floor_raises(requirement, date(2027, 12, 11))
    assert [(r.field, r.before, r.after) for r in raised] == [("min_value", 3, 5)]
    assert raised[0].reason == "Regulation (EU) 2099/1, Art. 1 (applies from 2027-12-11)"


# ---------------------------------------------------------------------------
# The proposal: a draft, change entries, idempotent, the published version untouched
# ---------------------------------------------------------------------------


def requirement_in(version: FrameworkVersion, code: str) -> Requirement:
    return Requirement.objects.get(criterion__version=version, code=code)


def lowered(framework: content.Framework, changes: dict[str, dict[str, Any]], code: str) -> content.Framework:
    """The criteria bound by legal floors, some asking less (as a version published before a floor)."""
    criteria = []
    for criterion in framework.criteria:
        if not any(r.legal_floors for r in criterion.requirements):
            continue
        requirements = [
            r.model_copy(update=changes[r.id]) if r.id in changes else r for r in criterion.requirements
        ]
        criteria.append(criterion.model_copy(update={"requirements": requirements}))
    return framework.model_copy(update={"version": code, "criteria": criteria})


@pytest.fixture
def before_the_cra(framework: FrameworkVersion, framework_content: content.Framework) -> FrameworkVersion:
    """A version published in 2026 asking 3 years of security updates, below the CRA from 2027-12-11."""
    version, _ = actions.load_framework(
        lowered(framework_content, {"dock-firmware-b.update-years": {"min_value": 3.0}}, "2099.1")
    )
    return version


def published_state(version: FrameworkVersion) -> tuple[str, str, Any]:
    version.refresh_from_db()
    return (
        version.status,
        actions.fingerprint(actions.version_to_content(version)),
        version.published_at,
    )


@pytest.mark.django_db
def test_a_floor_in_force_opens_a_draft_naming_its_regulation(before_the_cra: FrameworkVersion) -> None:
    published = published_state(before_the_cra)

    early = floors.propose_floor_raises(on=CRA_DATE - timedelta(days=1))
    proposal = floors.propose_floor_raises(on=CRA_DATE)

    assert early.outcome == floors.Outcome.NOTHING
    assert proposal.outcome == floors.Outcome.OPENED and proposal.version is not None
    draft = proposal.version
    assert draft.status == FrameworkVersion.Status.DRAFT and draft.based_on == before_the_cra
    assert requirement_in(draft, "dock-firmware-b.update-years").min_value == 5
    change = FieldChange.objects.get(version=draft)
    assert (change.field, change.before, change.after) == ("dock-firmware-b.update-years.min_value", 3.0, 5.0)
    assert CRA in change.reason and "Article 13(8)" in change.reason
    assert CRA in "\n".join(actions.field_changes_text(draft))
    # the criterion's texts may quote the old number: every language waits for review
    assert FieldTranslation.objects.filter(
        version=draft, criterion_code="dock-firmware-b", field="text", state="needs_review"
    ).count() == len(content.LANGUAGES)
    assert draft.events.filter(kind=VersionEvent.Kind.FLOORS_PROPOSED).exists()
    assert published_state(before_the_cra) == published
    assert FrameworkVersion.objects.latest_published() == before_the_cra


@pytest.mark.django_db
def test_running_it_again_opens_no_second_draft(before_the_cra: FrameworkVersion) -> None:
    first = floors.propose_floor_raises(on=CRA_DATE)

    again = floors.propose_floor_raises(on=CRA_DATE + timedelta(days=30))

    assert again.outcome == floors.Outcome.WAITING and again.version == first.version
    assert FrameworkVersion.objects.filter(based_on=before_the_cra).count() == 1
    assert FieldChange.objects.filter(version=first.version).count() == 1


@pytest.mark.django_db
def test_a_floor_coming_later_is_added_to_the_waiting_draft(
    framework: FrameworkVersion, framework_content: content.Framework
) -> None:
    version, _ = actions.load_framework(
        lowered(
            framework_content,
            {
                "dock-firmware-b.update-years": {"min_value": 3.0},  # CRA, 2027-12-11
                "mob-replaceable-battery-b.user-replaceable": {"expected_value": False, "better": None},
            },
            "2099.2",
        )
    )
    battery_day = date(2027, 2, 18)  # Batteries Regulation Art. 11(1)

    first = floors.propose_floor_raises(on=battery_day)
    second = floors.propose_floor_raises(on=CRA_DATE)

    assert first.outcome == floors.Outcome.OPENED and second.outcome == floors.Outcome.ADDED
    assert first.version == second.version
    assert [r.requirement for r in second.raises] == ["dock-firmware-b.update-years"]
    draft = second.version
    assert draft is not None
    battery = requirement_in(draft, "mob-replaceable-battery-b.user-replaceable")
    assert battery.expected_value is True
    assert floors.raises_needed(draft, CRA_DATE) == []
    assert floors.propose_floor_raises(on=CRA_DATE).outcome == floors.Outcome.WAITING
    assert version.is_published


@pytest.mark.django_db
def test_a_proposal_in_review_is_reported_not_changed(
    framework: FrameworkVersion, framework_content: content.Framework, secretary: Any
) -> None:
    actions.load_framework(
        lowered(
            framework_content,
            {
                "dock-firmware-b.update-years": {"min_value": 3.0},
                "mob-replaceable-battery-b.user-replaceable": {"expected_value": False, "better": None},
            },
            "2099.4",
        )
    )
    draft = floors.propose_floor_raises(on=date(2027, 2, 18)).version
    assert draft is not None
    actions.submit_for_review(draft, acting_user=secretary.user, code="2099.5", release_notes="Batteries.")

    report = floors.propose_floor_raises(on=CRA_DATE)

    assert report.outcome == floors.Outcome.WAITING and report.version == draft
    assert [r.requirement for r in report.pending] == ["dock-firmware-b.update-years"]
    assert "send it back to draft" in report.describe()
    assert requirement_in(draft, "dock-firmware-b.update-years").min_value == 3


@pytest.mark.django_db
def test_the_command_and_the_versions_page_show_the_waiting_proposal(
    before_the_cra: FrameworkVersion, secretary: Any, capsys: Any
) -> None:
    call_command("criteria", "propose-floors", "--on", CRA_DATE.isoformat())
    out = capsys.readouterr().out
    call_command("criteria", "propose-floors", "--on", CRA_DATE.isoformat())
    again = capsys.readouterr().out
    client = Client()
    client.force_login(secretary.user)

    versions = client.get("/criteria/versions/").content.decode()
    draft = floors.waiting_proposal()

    assert draft is not None and draft.code in out and "dock-firmware-b.update-years.min_value" in out
    assert CRA in out and "waiting" in again
    assert 'id="floor-proposal"' in versions and draft.code in versions
    detail = client.get(f"/criteria/versions/{draft.code}/").content.decode()
    assert 'id="floor-proposal"' in detail and "Article 13(8)" in detail
    # the public does not see the secretariat's notice
    assert 'id="floor-proposal"' not in Client().get("/criteria/versions/").content.decode()


FLOORED = [
    ("wc-security-updates-b.years", {"min_value": 2.0}),
    ("wc-security-updates-a.updates", {"min_value": 4.0}),
    ("mob-spare-delivery-b.working-days", {"max_value": 15.0}),
    ("mob-spare-delivery-a.working-days-after-market", {"max_value": 20.0}),
    ("mob-os-updates-b.years", {"min_value": 1.0}),
    ("sv-repair-a.firmware-years", {"min_value": 6.0}),
    ("dock-power-b.eps-efficiency", {"min_value": 80.0}),
    ("dock-power-b.eps-no-load", {"max_value": 0.5}),
    ("nb-replaceable-battery-a.user-replaceable", {"expected_value": False, "better": None}),
    ("hs-charger-b.usb-c", {"expected_value": False, "better": None}),
]


@pytest.mark.django_db
@settings(
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    chosen=st.lists(st.sampled_from(FLOORED), min_size=1, max_size=4, unique_by=lambda item: item[0]),
    on=st.dates(min_value=date(2026, 1, 1), max_value=date(2031, 12, 31)),
)
def test_no_requirement_of_the_proposal_is_below_a_floor_in_force_and_nothing_published_changes(
    framework: FrameworkVersion,
    framework_content: content.Framework,
    chosen: list[tuple[str, dict[str, Any]]],
    on: date,
) -> None:
    with transaction.atomic():
        version, _ = actions.load_framework(lowered(framework_content, dict(chosen), "2099.9"))
        published = {v.pk: published_state(v) for v in FrameworkVersion.objects.published()}

        proposal = floors.propose_floor_raises(on=on)
        again = floors.propose_floor_raises(on=on)

        expected = floors.raises_needed(version, on)
        if expected:
            assert proposal.outcome == floors.Outcome.OPENED and proposal.version is not None
            findings = content.floor_findings(actions.version_to_content(proposal.version), on)
            assert [f for f in findings if f.in_force] == []
            assert again.outcome == floors.Outcome.WAITING
        else:
            assert proposal.outcome == again.outcome == floors.Outcome.NOTHING
        assert {v.pk: published_state(v) for v in FrameworkVersion.objects.published()} == published
        assert (
            not FrameworkVersion.objects.exclude(status="published")
            .exclude(events__kind=VersionEvent.Kind.FLOORS_PROPOSED)
            .filter(based_on=version)
            .exists()
        )
        transaction.set_rollback(True)
