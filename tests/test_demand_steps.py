"""A statement's collective demand is published in steps, so that comparing two versions reveals no
signatory. Found by a walkthrough: with three signatories the public total for notebooks was 3,300 units;
after a fourth signed, 4,200: anyone comparing the two read that the newcomer buys 900. The same with a
withdrawal or a changed volume.

Personas (tests/test_pact.py): Rita, administrator of Rijkswaterstaat; Lena, administrator of Ville de
Lyon; the municipalities that sign beside them; Otto, an outsider reading the public page and the API.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from cfit.audit.models import AuditRecord
from cfit.monitoring.disclosure import TOTAL, Rules, assess
from cfit.pact import actions
from cfit.pact.demand import CollectiveDemand, Volumes, next_version
from cfit.pact.models import DemandPublication, Statement
from tests.conftest import Persona
from tests.test_pact import (  # noqa: F401 (fixtures)
    another_participant,
    demand_row,
    lyon_admin,
    rws_admin,
    sign,
    signed_in,
    statement,
    text,
    working_group,
)

GROUPS = ["notebooks", "monitors"]


# ---------------------------------------------------------------------------
# Any sequence of signings, withdrawals and changes of volumes
# ---------------------------------------------------------------------------


def amounts() -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([0, 1, 10, 100, 900, 1000]), st.integers(0, 50_000))


@st.composite
def changes(draw: st.DrawFn) -> tuple[str, dict[str, tuple[int, Decimal]] | None]:
    """One organisation signs, changes its volumes (signs again) or withdraws (``None``)."""
    organisation = f"o{draw(st.integers(0, 7))}"
    if draw(st.integers(0, 4)) == 0:
        return organisation, None
    volumes = {}
    for group in GROUPS:
        if draw(st.booleans()):
            volumes[group] = (draw(amounts()), Decimal(draw(amounts())) / 4)
    return organisation, volumes


def shown(demand: CollectiveDemand) -> dict[str, tuple[int, Decimal]]:
    return {
        f.code: (f.units, f.spend)
        for f in (*demand.rows, demand.total)
        if f.units is not None and f.spend is not None
    }


def contributions(volumes: Volumes, code: str, measure: int) -> dict[str, float]:
    found: dict[str, float] = {}
    for (organisation, group), figures in volumes.items():
        if code in (TOTAL, group):
            found[organisation] = found.get(organisation, 0.0) + float(figures[measure])
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.lists(changes(), min_size=1, max_size=25),
    st.builds(Rules, st.integers(3, 4), st.sampled_from([0.5, 0.6, 0.8, 0.95])),
    st.booleans(),
)
def test_no_two_published_versions_differ_by_one_signatory(
    sequence: list[tuple[str, dict[str, tuple[int, Decimal]] | None]], rules: Rules, opened_empty: bool
) -> None:
    """Whatever is signed, changed and withdrawn, by whoever: the difference of any figure between two
    published versions (consecutive or not) that both show it comes from at least *n* organisations, none
    giving more than *k* of it, in units and in euros; and a shown figure is what its version counted."""
    signed: dict[tuple[str, str], tuple[int, Decimal]] = {}
    published: list[tuple[Volumes, CollectiveDemand]] = []
    if opened_empty:  # a statement opens with an empty version; older ones start at their first signing
        first = next_version([], {}, GROUPS, rules)
        assert first is not None
        published.append(({}, first))
    for organisation, volumes in sequence:
        signed = {cell: v for cell, v in signed.items() if cell[0] != organisation}
        for group, figures in (volumes or {}).items():
            signed[(organisation, group)] = figures
        demand = next_version(
            [(basis, list(shown(version))) for basis, version in published], signed, GROUPS, rules
        )
        if demand is not None:
            published.append((dict(signed), demand))

    for basis, version in published:
        for code, (units, spend) in shown(version).items():
            assert units == sum(contributions(basis, code, 0).values())
            assert spend == sum(Decimal(str(v)) for v in contributions(basis, code, 1).values())
    for (before, old), (after, new) in itertools.combinations(published, 2):
        for code in set(shown(old)) & set(shown(new)):
            for measure in (0, 1):
                was, now = contributions(before, code, measure), contributions(after, code, measure)
                step = [
                    (o, (now.get(o, 0.0) - was.get(o, 0.0),))
                    for o in set(was) | set(now)
                    if now.get(o, 0.0) != was.get(o, 0.0)
                ]
                if step:
                    assert assess(step, rules) is None, (code, measure, step)


def test_a_signatory_who_signs_alone_leaves_the_published_figures_as_they_were() -> None:
    three = {(f"o{n}", "notebooks"): (1000 + 100 * n, Decimal(800_000)) for n in range(3)}
    first = next_version([], three, GROUPS, Rules())
    assert first is not None and shown(first)["notebooks"] == (3300, Decimal(2_400_000))
    published = [(three, list(shown(first)))]

    assert next_version(published, {**three, ("o3", "notebooks"): (900, Decimal(1))}, GROUPS, Rules()) is None
    assert next_version(published, {**three, ("o0", "notebooks"): (1, Decimal(1))}, GROUPS, Rules()) is None
    four = {**three, ("o3", "notebooks"): (900, Decimal(700_000))}
    first_of_four = next_version([], four, GROUPS, Rules())
    assert first_of_four is not None
    withdrawn = {cell: v for cell, v in four.items() if cell[0] != "o0"}
    assert next_version([(four, list(shown(first_of_four)))], withdrawn, GROUPS, Rules()) is None
    # three newcomers, none giving most of the change: published
    more = {**three, **{(f"o{n}", "notebooks"): (900, Decimal(700_000)) for n in (3, 4, 5)}}
    assert next_version(published, more, GROUPS, Rules()) is not None
    # ... but not when one of them gives most of it, though not most of the figure
    dominated = {**more, ("o5", "notebooks"): (9000, Decimal(7_000_000))}  # 83 % of the change
    assert next_version(published, dominated, GROUPS, Rules()) is None


# ---------------------------------------------------------------------------
# The attack through the page and the API
# ---------------------------------------------------------------------------


def public_demand(slug: str = "notebooks-2027") -> dict[str, Any]:
    found = Client().get(f"/api/v1/statements/{slug}")
    assert found.status_code == 200
    data: dict[str, Any] = found.json()
    return data


def units_by_group(data: dict[str, Any]) -> dict[str, int | None]:
    return {row["product_group"]: row["units_per_year"] for row in data["demand"]}


@pytest.fixture
def three_signed(statement: Statement, rws_admin: Persona, lyon_admin: Persona) -> Statement:  # noqa: F811
    sign(signed_in(rws_admin), "rijkswaterstaat", units_notebooks="1000", spend_notebooks="800000")
    sign(signed_in(lyon_admin), "ville-de-lyon", units_notebooks="1100", spend_notebooks="880000")
    volumes = {"notebooks": (1200, Decimal(960000))}
    actions.sign_statement(statement, another_participant(1), volumes, acting_user=None)
    return statement


def test_a_newcomers_volume_cannot_be_read_by_comparing_the_page_or_the_api(
    three_signed: Statement,
    rws_admin: Persona,  # noqa: F811
) -> None:
    before_page = text(Client().get("/statements/notebooks-2027/"))
    before = public_demand()
    assert units_by_group(before)["notebooks"] == 3300
    assert units_by_group(before)["total"] == 3300
    assert before["demand_updated"] is not None and before["demand_pending"] is False
    assert demand_row(before_page, "demand-total") == ["3", "3300", "2640000.00"]

    # a fourth signs for 900
    fourth = another_participant(2)
    actions.sign_statement(three_signed, fourth, {"notebooks": (900, Decimal(720000))}, acting_user=None)
    after_page = text(Client().get("/statements/notebooks-2027/"))
    after = public_demand()
    assert units_by_group(after) == units_by_group(before)
    assert [row["spend_eur_per_year"] for row in after["demand"]] == [
        row["spend_eur_per_year"] for row in before["demand"]
    ]
    assert after["demand_updated"] == before["demand_updated"] and after["demand_pending"] is True
    assert demand_row(after_page, "demand-total") == ["3", "3300", "2640000.00"]
    assert "4200" not in after_page and "4,200" not in after_page
    assert "counted at the next update" in after_page
    # the newcomer is listed as a signatory: who signs is public; what it buys is not
    assert [s["name"] for s in after["signatory_list"]].count(fourth.name) == 1
    assert after["signatories"] == 4

    # a withdrawal, or one signatory's changed volumes, do not move the figures either
    rita = signed_in(rws_admin)
    sign(rita, "rijkswaterstaat", units_notebooks="1500", spend_notebooks="800000")
    assert units_by_group(public_demand()) == units_by_group(before)
    rita.post("/statements/notebooks-2027/withdraw/", {"organisation": "rijkswaterstaat"})
    assert units_by_group(public_demand()) == units_by_group(before)

    # one more signs: the change since the last version (two newcomers and a withdrawal) is published
    volumes = {"notebooks": (1000, Decimal(800000))}
    actions.sign_statement(three_signed, another_participant(3), volumes, acting_user=None)
    latest = public_demand()
    assert units_by_group(latest)["notebooks"] == 1100 + 1200 + 900 + 1000
    assert latest["demand_pending"] is False and latest["demand_updated"] > before["demand_updated"]
    # and the next newcomer alone waits again
    actions.sign_statement(three_signed, another_participant(4), volumes, acting_user=None)
    assert units_by_group(public_demand()) == units_by_group(latest)
    assert public_demand()["demand_pending"] is True
    # opened empty, then after each of the first three signatures, then the step of three
    assert DemandPublication.objects.filter(statement=three_signed).count() == 5


def test_the_audit_record_says_whether_the_demand_was_updated(three_signed: Statement) -> None:
    actions.sign_statement(
        three_signed, another_participant(2), {"notebooks": (900, Decimal(1))}, acting_user=None
    )
    reasons = list(
        AuditRecord.objects.filter(action=AuditRecord.Action.STATEMENT_SIGNED)
        .order_by("pk")
        .values_list("reason", flat=True)
    )
    assert reasons[-2].startswith("collective demand: version")
    assert reasons[-1].startswith("collective demand: kept")


def test_the_last_update_is_said_in_the_readers_language(three_signed: Statement) -> None:
    actions.sign_statement(
        three_signed, another_participant(2), {"notebooks": (900, Decimal(1))}, acting_user=None
    )
    for language in ("en", "fr", "nl", "de", "nb"):
        page = text(Client().get("/statements/notebooks-2027/", headers={"accept-language": language}))
        assert 'id="demand-updated"' in page
        assert demand_row(page, "demand-total")[:2] == ["3", "3300"]
