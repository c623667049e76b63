"""The disclosure rules (``cfit/monitoring/disclosure.py``), without a database: worked examples, then
properties tried on thousands of random tables by trying to break what the module promises.

An attacker here knows every published cell and which organisations are in which scope, and may be a
participant who knows its own figures. The audit works in the space of the organisations' figures
themselves (one variable per organisation and key), independently of how the module reasons.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfit.monitoring.disclosure import (
    PUBLISHED,
    TOTAL,
    Cell,
    Decision,
    Reason,
    Rules,
    Table,
    assess,
    protect,
    summarise,
)

RULES = Rules()

# -- the audit: what can be computed from the published cells


def variables(table: Table) -> list[tuple[str, str]]:
    return sorted(table.contributions)


def members(table: Table, cell: Cell) -> list[tuple[str, str]]:
    scope, key = cell
    return [(o, k) for o, k in variables(table) if o in table.scopes[scope] and (key == TOTAL or k == key)]


def vector(table: Table, cell: Cell) -> np.ndarray:
    inside = set(members(table, cell))
    return np.array([1.0 if v in inside else 0.0 for v in variables(table)])


def published(table: Table, decisions: Mapping[Cell, Decision]) -> np.ndarray:
    rows = [vector(table, c) for c, d in decisions.items() if d.published]
    return np.array(rows) if rows else np.zeros((0, len(variables(table))))


def rank(matrix: np.ndarray) -> int:
    return int(np.linalg.matrix_rank(matrix)) if matrix.size else 0


def derivable(matrix: np.ndarray, row: np.ndarray) -> bool:
    """Whether ``row`` is a linear combination of the rows of ``matrix``."""
    return rank(np.vstack([matrix, row])) == rank(matrix)


def figures_exposed(table: Table, matrix: np.ndarray, organisations: tuple[str, ...]) -> bool:
    """Whether some combination of published cells consists of these organisations' figures only: one
    organisation's figure (or sum of figures) for an outsider, another's for a participant."""
    if not matrix.size:
        return False
    outside = [i for i, (o, _k) in enumerate(variables(table)) if o not in organisations]
    return rank(matrix[:, outside]) < rank(matrix)


def audit(table: Table, rules: Rules, decisions: Mapping[Cell, Decision]) -> list[str]:
    """Every way found to break the promises; empty if none."""
    problems = []
    matrix = published(table, decisions)
    contributions = table.contributions
    for cell, decision in decisions.items():
        if decision.published and assess(
            [(o, contributions[(o, k)]) for o, k in members(table, cell)], rules
        ):
            problems.append(f"published {cell} fails the rules")
        if decision.published:
            # Counted here again, not by ``assess``: an organisation giving a measure nothing hides no
            # one in it (the others' total less one's own is the last one's figure).
            cell_members = members(table, cell)
            for m in range(len(contributions[cell_members[0]])):
                givers = {o for o, k in cell_members if contributions[(o, k)][m] != 0}
                if givers and len(givers) < rules.min_reporters:
                    problems.append(f"published {cell} has {len(givers)} organisation(s) giving measure {m}")
        if decision.reason in (Reason.THRESHOLD, Reason.DOMINANCE) and derivable(matrix, vector(table, cell)):
            problems.append(f"suppressed {cell} can be computed from the published cells")
    organisations = sorted({o for o, _k in contributions})
    for group in itertools.chain(((o,) for o in organisations), itertools.combinations(organisations, 2)):
        if figures_exposed(table, matrix, group):
            problems.append(f"the figures of {group} can be computed")
    shown = [c for c, d in decisions.items() if d.published]
    for big, part in itertools.permutations(shown, 2):
        inner, outer = set(members(table, part)), set(members(table, big))
        if big[1] == part[1] and inner < outer:
            rest = [(o, contributions[(o, k)]) for o, k in outer - inner]
            if assess(rest, rules):
                problems.append(f"{big} minus {part} fails the rules")
    for total in (c for c in shown if c[1] == TOTAL):
        hidden = set(members(table, total))
        for part in (c for c in shown if c[0] == total[0] and c[1] != TOTAL):
            hidden -= set(members(table, part))
        if hidden and assess([(o, contributions[(o, k)]) for o, k in hidden], rules):
            problems.append(f"{total} minus its shown parts fails the rules")
    return problems


# -- random tables


@st.composite
def tables(draw: st.DrawFn, max_organisations: int = 9) -> Table:
    """A pact, up to four buyer groups (overlapping, or not covering everyone), up to four keys, with
    or without totals; figures from zero to heavy-tailed, one or three measures."""
    count = draw(st.integers(3, max_organisations))
    organisations = [f"o{i}" for i in range(count)]
    scopes = {"pact": frozenset(organisations)}
    for g in range(draw(st.integers(1, 4))):
        scopes[f"g{g}"] = frozenset(draw(st.sets(st.sampled_from(organisations), min_size=1, max_size=count)))
    keys = [f"k{i}" for i in range(draw(st.integers(1, 4)))]
    measures = draw(st.sampled_from([1, 3]))
    # mostly alike figures (cells that pass), sometimes zero or a dominant one
    value = st.one_of(
        st.sampled_from([5.0, 8.0, 10.0, 12.0, 20.0]), st.sampled_from([0.0, 1.0, 100.0, 1000.0])
    )
    contributions = {}
    for organisation in organisations:
        for key in keys:
            if draw(st.integers(0, 3)):  # three times in four: reported
                contributions[(organisation, key)] = tuple(draw(value) for _ in range(measures))
    return Table(scopes, contributions, totals=draw(st.booleans()))


rules_strategy = st.builds(Rules, st.integers(3, 4), st.sampled_from([0.5, 0.6, 0.8, 0.9, 0.95]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), rules_strategy)
def test_a_published_table_gives_away_no_organisations_figure(table: Table, rules: Rules) -> None:
    """Every published cell passes the rules; no suppressed cell, no figure (or sum of figures) of one
    organisation can be computed from the published cells, by an outsider or by one participant who adds
    its own figures; no published cell minus a nested one, and no published total minus its published
    parts, fails the rules."""
    decisions = protect(table, rules)

    assert audit(table, rules, decisions) == []


@settings(max_examples=300, deadline=None)
@given(tables(), rules_strategy)
def test_every_cell_with_a_figure_gets_a_decision_and_suppression_says_why(
    table: Table, rules: Rules
) -> None:
    decisions = protect(table, rules)

    cells = {(scope, key) for scope in table.scopes for key in {k for _o, k in table.contributions}}
    expected = {c for c in cells if members(table, c)}
    if table.totals:
        expected |= {(scope, TOTAL) for scope in table.scopes if members(table, (scope, TOTAL))}
    assert set(decisions) == expected
    for cell, decision in decisions.items():
        primary = assess([(o, table.contributions[(o, k)]) for o, k in members(table, cell)], rules)
        if primary is not None:
            assert decision.reason == primary  # a cell that fails the rules says which
        else:
            assert decision.reason in (None, Reason.SECONDARY)


@settings(max_examples=200, deadline=None)
@given(tables(), st.randoms(use_true_random=False))
def test_decisions_do_not_depend_on_order_names_or_scale(table: Table, random: object) -> None:
    decisions = protect(table, RULES)

    shuffled = list(table.contributions.items())
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    renamed = {o: f"x{n}" for n, o in enumerate(sorted({o for o, _k in table.contributions}, reverse=True))}
    reordered = Table(dict(table.scopes), dict(shuffled), table.totals)
    scaled = Table(
        table.scopes, {c: tuple(m * 7.5 for m in ms) for c, ms in table.contributions.items()}, table.totals
    )
    relabelled = Table(
        {s: frozenset(renamed.get(o, o) for o in found) for s, found in table.scopes.items()},
        {(renamed[o], k): ms for (o, k), ms in table.contributions.items()},
        table.totals,
    )

    assert protect(reordered, RULES) == decisions
    assert protect(scaled, RULES) == decisions
    primary = {c for c, d in decisions.items() if d.reason in (Reason.THRESHOLD, Reason.DOMINANCE)}
    assert {
        c for c, d in protect(relabelled, RULES).items() if d.reason in (Reason.THRESHOLD, Reason.DOMINANCE)
    } == primary


# -- the primary rules: what truly holds, and what does not

contribution_lists = st.lists(
    st.tuples(st.sampled_from("abcdefgh"), st.tuples(st.floats(0, 1e6, allow_nan=False))), max_size=10
)


@given(contribution_lists, contribution_lists)
def test_two_aggregates_that_pass_the_rules_pass_them_together(first: list, second: list) -> None:
    """The union of passing aggregates passes (the largest share of a union is at most the largest share
    of its parts): why a table whose inner cells all pass needs no secondary suppression at all."""
    if assess(first, RULES) is None and assess(second, RULES) is None:
        assert assess(first + second, RULES) is None


@given(contribution_lists)
def test_another_reporter_of_zero_never_makes_a_figure_unsafe(contributions: list) -> None:
    if assess(contributions, RULES) is None:
        assert assess([*contributions, ("zero-reporter", (0.0,))], RULES) is None


@given(contribution_lists, rules_strategy, rules_strategy)
def test_stricter_rules_never_show_what_laxer_rules_hide(
    contributions: list, one: Rules, other: Rules
) -> None:
    strict = Rules(max(one.min_reporters, other.min_reporters), min(one.dominance, other.dominance))
    lax = Rules(min(one.min_reporters, other.min_reporters), max(one.dominance, other.dominance))
    if assess(contributions, lax) is not None:
        assert assess(contributions, strict) is not None


def test_adding_a_contributor_can_hide_a_figure_that_was_shown() -> None:
    """Not monotone, and not meant to be: a large newcomer dominates a figure that was safe before
    (which is why every refresh decides again, instead of keeping earlier decisions)."""
    before = [("a", (10.0,)), ("b", (10.0,)), ("c", (10.0,))]

    assert assess(before, RULES) is None
    assert assess([*before, ("d", (1000.0,))], RULES) == Reason.DOMINANCE


# -- worked examples


def table(scopes: dict[str, str], figures: dict[str, dict[str, float]], *, totals: bool = False) -> Table:
    """``scopes``: scope -> organisations as letters; ``figures``: organisation -> {key: value}."""
    return Table(
        {scope: frozenset(letters) for scope, letters in scopes.items()},
        {(o, k): (v,) for o, by_key in figures.items() for k, v in by_key.items()},
        totals=totals,
    )


def test_one_report_in_of_five_hides_everything() -> None:
    one = table({"pact": "abcde", "nl": "abcde"}, {"a": {"users": 9500.0, "notebooks": 300_000.0}})

    decisions = protect(one, RULES)

    assert set(decisions.values()) == {Decision(Reason.THRESHOLD)}


def test_a_dominant_organisation_hides_the_figure() -> None:
    found = protect(table({"pact": "abc"}, {"a": {"k": 95.0}, "b": {"k": 3.0}, "c": {"k": 2.0}}), RULES)

    assert found == {("pact", "k"): Decision(Reason.DOMINANCE)}


def test_a_group_hidden_in_a_pact_of_groups_takes_another_group_with_it() -> None:
    """The pact adds up three groups: with one group hidden, the pact minus the two others would give it
    back; the smallest of the others is hidden too."""
    figures = {o: {"k": 10.0 + n} for n, o in enumerate("abcdefg")}
    groups = table({"pact": "abcdefg", "g1": "ab", "g2": "cde", "g3": "fg"}, figures)

    decisions = protect(groups, RULES)

    assert decisions[("g1", "k")] == Decision(Reason.THRESHOLD)
    assert decisions[("g3", "k")] == Decision(Reason.THRESHOLD)
    assert decisions[("pact", "k")] == PUBLISHED
    assert decisions[("g2", "k")] == PUBLISHED  # g1 and g3 hide each other


def test_a_hidden_breakdown_takes_another_with_it_when_the_total_is_shown() -> None:
    figures = {
        "a": {"notebooks": 10.0, "tablets": 1.0, "phones": 5.0},
        "b": {"notebooks": 12.0, "phones": 6.0},
        "c": {"notebooks": 9.0, "phones": 7.0},
    }
    decisions = protect(table({"pact": "abc"}, figures, totals=True), RULES)

    assert decisions[("pact", "tablets")] == Decision(Reason.THRESHOLD)
    assert decisions[("pact", TOTAL)].published and decisions[("pact", "notebooks")].published
    assert decisions[("pact", "phones")] == Decision(Reason.SECONDARY)  # the smaller of the two others


def test_two_participants_outside_a_group_are_not_given_each_others_figure() -> None:
    """The pact minus a group leaves the two participants outside it: each would learn the other's."""
    figures = {o: {"k": 10.0} for o in "abcdef"}
    decisions = protect(table({"pact": "abcdef", "g": "abcd"}, figures), RULES)

    assert not (decisions[("pact", "k")].published and decisions[("g", "k")].published)
    assert decisions[("pact", "k")].published  # the pact is kept, the group goes


def test_summary_counts_every_reason() -> None:
    decisions = {
        ("p", "a"): PUBLISHED,
        ("p", "b"): Decision(Reason.THRESHOLD),
        ("p", "c"): Decision(Reason.SECONDARY),
    }

    assert summarise(decisions) == {"published": 1, "threshold": 1, "dominance": 0, "secondary": 1}


@pytest.mark.parametrize(("minimum", "share"), [(2, 0.8), (0, 0.8), (3, 0.3), (3, 1.0), (3, 0.99)])
def test_rules_refuse_fewer_than_three_reporters_or_a_share_outside_50_to_95(
    minimum: int, share: float
) -> None:
    with pytest.raises(ValueError):
        Rules(minimum, share)


def test_the_module_does_not_need_django() -> None:
    code = "import sys, cfit.monitoring.disclosure; assert 'django' not in sys.modules, 'django imported'"

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr


def test_an_organisation_giving_a_measure_nothing_hides_no_one_in_it() -> None:
    """Units of 500 and 500 and a third signatory's 0 units (but euros): either of the two read the
    other's units from the total, though three organisations are behind it (found on a statement of
    demand: it was shown)."""
    three = Table(
        {"pact": frozenset("abc")},
        {("a", "k"): (500.0, 1000.0), ("b", "k"): (500.0, 1000.0), ("c", "k"): (0.0, 1000.0)},
    )

    assert protect(three, RULES) == {("pact", "k"): Decision(Reason.THRESHOLD)}
    assert assess([("a", (500.0,)), ("b", (500.0,)), ("c", (0.0,))], RULES) == Reason.THRESHOLD
    # A figure that is zero for all reveals nothing more: it is shown.
    assert assess([("a", (0.0,)), ("b", (0.0,)), ("c", (0.0,))], RULES) is None
