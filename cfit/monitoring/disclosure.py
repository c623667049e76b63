"""Statistical disclosure control of collective figures: which cells of a table may be shown, and why not.

Plain Python on numpy, no Django: a table (the organisations of every scope, each organisation's
contributions) goes in, a decision per cell comes out, with a reason code for every suppressed cell. The
method is the one statistical offices apply to magnitude tables (Hundepool et al., *Statistical
Disclosure Control*, Wiley 2012, ch. 4; the ESSnet *Handbook on Statistical Disclosure Control*, 2010;
tau-Argus; Statistics Norway's GaussSuppression). ``docs/disclosure-control.md`` explains it for readers.

1. **Primary suppression.** A cell is sensitive when fewer than ``min_reporters`` organisations
   contribute to it (threshold rule; in each of its measures that is not zero, only the organisations
   whose part of it is not zero count), or when a single organisation gives more than ``dominance`` of its
   total, in any of its measures ((1, k) dominance rule). Contributions are added up per organisation
   first, so that an organisation's share of a total over several breakdowns counts as one.
2. **Secondary suppression by Gaussian elimination** (Langsrud, "Secondary cell suppression by Gaussian
   elimination", PSD 2024). Every published cell is a sum of *inner cells*: the contributions of the
   organisations that share the same scopes (a *stratum*) for one breakdown key. The cells that passed
   step 1 are candidates, taken largest first (the most informative are kept); a candidate is published
   only if, together with the cells published before it, it still lets no protected quantity be derived
   as a linear combination of published cells. Protected are:

   - every primarily suppressed cell, and every inner cell that fails the rules itself;
   - every difference of two nested cells (a buyer group against the pact, a scope's total against a
     breakdown) and every pair of breakdowns of a scope that would fail the rules (what one learns by
     subtracting the published parts from a published total);
   - every organisation, alone or with one other organisation (the *singleton problem*: a participant
     who subtracts its own figures): no combination of published cells may consist only of the figures
     of one or two organisations.

   After the elimination, a scope's published total whose unpublished parts together would fail the
   rules is suppressed too.

The guarantees, tested by trying to break them (``tests/test_disclosure.py``): no published cell fails
the rules; no suppressed cell, no organisation's figure and no sum of one organisation's figures can be
computed exactly from the published cells, neither by an outsider nor by one participant who adds its own
figures; no published total minus published parts, and no published cell minus a nested published cell,
fails the rules.

Measures are non-negative (the reports refuse negative figures); absolute values are used regardless.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

import numpy as np
import numpy.typing as npt

#: The least number of reporting organisations behind a published figure; a pact may ask for more.
MIN_REPORTERS = 3
#: The largest share of a figure one organisation may give, by default ((1, k) dominance with k = 80 %).
DEFAULT_DOMINANCE = 0.8
#: The key of a scope's total over an indicator's breakdown.
TOTAL = "total"
#: Relative tolerance of the linear algebra (the matrices hold 0 and 1 only).
TOLERANCE = 1e-9

Measures = tuple[float, ...]
Cell = tuple[str, str]  #: (scope, key)
Vector = npt.NDArray[np.float64]


class Reason(StrEnum):
    THRESHOLD = "threshold"  #: fewer reporting organisations than the rules ask
    DOMINANCE = "dominance"  #: one organisation gives more than the dominance share
    SECONDARY = "secondary"  #: hidden so that a suppressed figure cannot be derived from the others


@dataclass(frozen=True)
class Rules:
    """The pact's disclosure rules: at least ``min_reporters`` organisations behind a figure (never fewer
    than 3), and no organisation giving more than ``dominance`` (a share, from 0.5 to 0.95) of it."""

    min_reporters: int = MIN_REPORTERS
    dominance: float = DEFAULT_DOMINANCE

    def __post_init__(self) -> None:
        if self.min_reporters < MIN_REPORTERS:
            raise ValueError(f"min_reporters must be at least {MIN_REPORTERS}")
        if not 0.5 <= self.dominance <= 0.95:
            raise ValueError("dominance must be a share from 0.5 to 0.95")


@dataclass(frozen=True)
class Decision:
    reason: Reason | None = None

    @property
    def published(self) -> bool:
        return self.reason is None


PUBLISHED = Decision()


@dataclass(frozen=True)
class Table:
    """One indicator of one year, in every scope.

    ``scopes`` maps each scope to the organisations it covers, most important scope first (the pact,
    then buyer groups); ``contributions`` maps (organisation, key) to that organisation's measures for the
    key, the same number of measures everywhere (a figure and its bounds; for an average, its weight). An
    organisation without an entry did not report the key. With ``totals``, each scope also has a cell
    ``(scope, TOTAL)`` adding up all its keys."""

    scopes: Mapping[str, frozenset[str]]
    contributions: Mapping[tuple[str, str], Measures]
    totals: bool = False


def assess(contributions: Iterable[tuple[str, Measures]], rules: Rules) -> Reason | None:
    """The primary rules on an aggregate: ``None`` if it may be shown, else the first rule it fails.

    ``contributions`` are (organisation, measures) pairs; an organisation may appear more than once (its
    figures of several breakdowns) and counts once, with its measures added up. A total of zero passes
    the dominance rule: no organisation gives a share of it."""
    return _summarise(contributions).judge(rules)


@dataclass(frozen=True)
class _Summary:
    """What the rules need of an aggregate: its organisations, and per measure its total, the largest
    organisation's part and how many organisations give it something. Summaries of aggregates without a
    common organisation add up."""

    organisations: int
    totals: tuple[float, ...]
    largest: tuple[float, ...]
    #: Per measure, the organisations whose part of it is not zero: an organisation that gives a
    #: figure nothing hides no one in it (units of 500 and 500 and a third signatory's 0 units: either
    #: of the two reads the other's from the total).
    contributing: tuple[int, ...]

    def judge(self, rules: Rules) -> Reason | None:
        if self.organisations < rules.min_reporters:
            return Reason.THRESHOLD
        for total, contributing in zip(self.totals, self.contributing, strict=True):
            if total > 0 and contributing < rules.min_reporters:
                return Reason.THRESHOLD
        for total, largest in zip(self.totals, self.largest, strict=True):
            if total > 0 and largest > rules.dominance * total:
                return Reason.DOMINANCE
        return None


def _columns_summary(parts: Sequence[Sequence[float]]) -> _Summary:
    """The summary of distinct organisations' parts (one row of absolute measures each)."""
    columns = list(zip(*parts, strict=True))
    return _Summary(
        len(parts),
        tuple(sum(c) for c in columns),
        tuple(max(c) for c in columns),
        tuple(sum(1 for v in c if v != 0) for c in columns),
    )


def _summarise(contributions: Iterable[tuple[str, Measures]]) -> _Summary:
    per_organisation: dict[str, list[float]] = {}
    for organisation, measures in contributions:
        found = per_organisation.get(organisation)
        if found is None:
            per_organisation[organisation] = [abs(m) for m in measures]
        else:
            for i, m in enumerate(measures):
                found[i] += abs(m)
    return _columns_summary(list(per_organisation.values()))


def _summarise_distinct(contributions: Sequence[tuple[str, Measures]]) -> _Summary:
    """The summary of contributions of distinct organisations (an inner cell's)."""
    return _columns_summary([[abs(v) for v in m] for _o, m in contributions])


def _combine(parts: Iterable[_Summary]) -> _Summary:
    """The summary of a union of aggregates that share no organisation."""
    found = [p for p in parts if p.organisations]
    if not found:
        return _Summary(0, (), (), ())
    return _Summary(
        sum(p.organisations for p in found),
        tuple(sum(column) for column in zip(*(p.totals for p in found), strict=True)),
        tuple(max(column) for column in zip(*(p.largest for p in found), strict=True)),
        tuple(sum(column) for column in zip(*(p.contributing for p in found), strict=True)),
    )


@dataclass(frozen=True)
class _Inner:
    """An inner cell: the contributions for one key of the organisations sharing one set of scopes."""

    stratum: frozenset[str]
    key: str
    contributions: tuple[tuple[str, Measures], ...]
    organisations: frozenset[str]


def protect(table: Table, rules: Rules) -> dict[Cell, Decision]:
    """A decision for every cell of the table that has at least one contribution.

    Deterministic: the same table gives the same decisions, whatever the order of its mappings."""
    keys = {key for _organisation, key in table.contributions}
    if not table.totals and len(keys) > 1:
        # Without totals, no published cell adds up two keys: the cells of different keys are sums of
        # different inner cells, and whatever the published cells give away is given away by those of
        # one key. Each key is decided on its own, the same way and much faster.
        decisions: dict[Cell, Decision] = {}
        for key in sorted(keys):
            part = {cell: m for cell, m in table.contributions.items() if cell[1] == key}
            decisions.update(protect(Table(table.scopes, part), rules))
        return decisions
    inners, cells = _structure(table)
    if all(_summarise_distinct(inner.contributions).judge(rules) is None for inner in inners):
        # Every cell is a union of inner cells, and a union of cells that pass both rules passes them
        # too (the largest share of a union is at most the largest share of its parts). Nothing that
        # can be derived from the table is then sensitive: everything may be published.
        return {cell: PUBLISHED for cell in cells}
    return _Elimination(table, rules, inners, cells).run()


def _structure(table: Table) -> tuple[list[_Inner], dict[Cell, list[int]]]:
    found: dict[str, set[str]] = defaultdict(set)
    for scope, organisations in table.scopes.items():
        for organisation in organisations:
            found[organisation].add(scope)
    strata = {organisation: frozenset(scopes) for organisation, scopes in found.items()}
    grouped: dict[tuple[frozenset[str], str], list[tuple[str, Measures]]] = defaultdict(list)
    for (organisation, key), measures in table.contributions.items():
        stratum = strata.get(organisation)
        if stratum is not None:
            grouped[(stratum, key)].append((organisation, measures))
    inners = [
        _Inner(stratum, key, tuple(sorted(contributions)), frozenset(o for o, _ in contributions))
        for (stratum, key), contributions in sorted(grouped.items(), key=lambda i: (i[0][1], sorted(i[0][0])))
    ]
    order = {scope: n for n, scope in enumerate(table.scopes)}
    members: dict[Cell, list[int]] = defaultdict(list)
    for index, inner in enumerate(inners):
        for scope in inner.stratum:
            members[(scope, inner.key)].append(index)
            if table.totals:
                members[(scope, TOTAL)].append(index)
    cells = dict(sorted(members.items(), key=lambda item: (order[item[0][0]], item[0][1])))
    return inners, cells


@dataclass(frozen=True)
class _LargeStep:
    """A new direction of the published span on the large inner cells (see ``_reveals_small``)."""

    row: Vector
    coefficients: Vector
    norm: float


@dataclass(frozen=True)
class _SmallStep:
    """The published span's part on small inner cells, grown by one dimension."""

    space: Vector


class _Elimination:
    """Secondary suppression by Gaussian elimination, over the vectors of inner cells.

    ``basis`` is an orthonormal basis of the span of the cells published so far: a vector is derivable
    from them exactly when it lies in that span (its residual against the basis is zero)."""

    def __init__(self, table: Table, rules: Rules, inners: list[_Inner], cells: dict[Cell, list[int]]):
        self.table, self.rules, self.inners, self.cells = table, rules, inners, cells
        self.size = len(inners)
        # Summaries of what organisations contribute, to judge unions without adding up their figures
        # again: per inner cell, and per stratum over all keys (what a total holds of it). Inner cells of
        # one key, and different strata, share no organisation.
        self.inner_summary = [_summarise_distinct(inner.contributions) for inner in inners]
        by_stratum: dict[frozenset[str], list[tuple[str, Measures]]] = defaultdict(list)
        for inner in inners:
            by_stratum[inner.stratum].extend(inner.contributions)
        self.stratum_summary = {stratum: _summarise(found) for stratum, found in by_stratum.items()}
        self.inner_safe = [summary.judge(rules) is None for summary in self.inner_summary]
        self.primary = {
            cell: self._summary(cell, inner_cells).judge(rules) for cell, inner_cells in cells.items()
        }
        # Bases grow by one row per published cell: room for every cell is made once.
        self._basis = np.zeros((len(cells), self.size))
        self.rank = 0
        self.small = [i for i, inner in enumerate(inners) if len(inner.organisations) <= 2]
        self.large = [i for i, inner in enumerate(inners) if len(inner.organisations) > 2]
        # see _reveals_small
        self._basis_large = np.zeros((len(cells), len(self.large)))
        self._large_combination = np.zeros((len(cells), len(cells)))
        self.rank_large = 0
        self.small_space = np.zeros((0, len(self.small)))
        self.pending: _LargeStep | _SmallStep | None = None

    def _summary(self, cell: Cell, inner_cells: Iterable[int]) -> _Summary:
        """The summary of some inner cells of a cell: of one key, or of a total (whole strata)."""
        if cell[1] == TOTAL:
            strata = {self.inners[i].stratum for i in inner_cells}
            return _combine(self.stratum_summary[s] for s in strata)
        return _combine(self.inner_summary[i] for i in inner_cells)

    def _contributions(self, cell_or_inners: Cell | Iterable[int]) -> list[tuple[str, Measures]]:
        indexes = self.cells[cell_or_inners] if isinstance(cell_or_inners, tuple) else cell_or_inners
        return [c for i in indexes for c in self.inners[i].contributions]

    def _vector(self, indexes: Iterable[int]) -> Vector:
        vector = np.zeros(self.size)
        vector[list(indexes)] = 1.0
        return vector

    def run(self) -> dict[Cell, Decision]:
        decisions: dict[Cell, Decision] = {
            cell: Decision(reason) for cell, reason in self.primary.items() if reason is not None
        }
        protected = self._protected_vectors()
        scale = np.einsum("ij,ij->i", protected, protected)
        residuals = protected.copy()  # the protected vectors' components outside the published span
        published: list[Cell] = []
        for cell in self._candidates():
            vector = self._vector(self.cells[cell])
            residual = self._residual(vector)
            norm = float(np.linalg.norm(residual))
            if norm <= TOLERANCE * float(np.linalg.norm(vector)):
                published.append(cell)  # already derivable from published cells: it reveals nothing new
                continue
            direction = residual / norm
            after = np.einsum("ij,ij->i", residuals, residuals) - (residuals @ direction) ** 2
            if np.any(after <= TOLERANCE * scale) or self._reveals_small(direction):
                decisions[cell] = Decision(Reason.SECONDARY)
                continue
            residuals -= np.outer(residuals @ direction, direction)
            self._accept(direction)
            published.append(cell)
        for cell in self._totals_revealing_their_parts(published):
            decisions[cell] = Decision(Reason.SECONDARY)
        return {cell: decisions.get(cell, PUBLISHED) for cell in self.cells}

    @property
    def basis(self) -> Vector:
        return self._basis[: self.rank]

    @property
    def basis_large(self) -> Vector:
        return self._basis_large[: self.rank_large]

    @property
    def large_combination(self) -> Vector:
        return self._large_combination[: self.rank_large, : self.rank]

    def _residual(self, vector: Vector) -> Vector:
        """The part of ``vector`` outside the published span (Gram-Schmidt, twice for accuracy)."""
        residual = vector - self.basis.T @ (self.basis @ vector)
        return residual - self.basis.T @ (self.basis @ residual)

    def _candidates(self) -> list[Cell]:
        """Cells that passed the rules, the most informative first: more organisations, then a larger
        first measure, then the table's order of scopes (the pact first) and keys."""
        order = {cell: n for n, cell in enumerate(self.cells)}

        def weight(cell: Cell) -> tuple[int, float, int]:
            summary = self._summary(cell, self.cells[cell])
            return (-summary.organisations, -(summary.totals[0] if summary.totals else 0.0), order[cell])

        return sorted((c for c, reason in self.primary.items() if reason is None), key=weight)

    def _protected_vectors(self) -> Vector:
        """The vectors that must stay outside the published span (one per row)."""
        rows: list[Vector] = []
        for cell, reason in self.primary.items():
            if reason is not None:
                rows.append(self._vector(self.cells[cell]))
        for index, inner in enumerate(self.inners):
            # inner cells of one or two organisations are left to the singleton check
            if len(inner.organisations) > 2 and assess(inner.contributions, self.rules) is not None:
                rows.append(self._vector([index]))
        sets = {cell: frozenset(inner_cells) for cell, inner_cells in self.cells.items()}
        by_key: dict[str, list[Cell]] = defaultdict(list)
        for cell in self.cells:
            by_key[cell[1]].append(cell)
        for same_key in by_key.values():
            for first, second in combinations(same_key, 2):
                for big, part in ((first, second), (second, first)):
                    if sets[part] < sets[big]:
                        rest = sets[big] - sets[part]
                        if all(self.inner_safe[i] for i in rest):
                            continue  # a union of inner cells that pass the rules passes them
                        if self._summary(big, rest).judge(self.rules) is not None:
                            rows.append(self._vector(rest))
        by_scope: dict[str, list[Cell]] = defaultdict(list)
        for cell in self.cells:
            if cell[1] != TOTAL:
                by_scope[cell[0]].append(cell)
        for parts in by_scope.values():
            for first, second in combinations(parts, 2):
                if self.primary[first] is None and self.primary[second] is None:
                    continue
                union = sets[first] | sets[second]
                if assess(self._contributions(union), self.rules) is not None:
                    rows.append(self._vector(union))
        if not rows:
            return np.zeros((0, self.size))
        return np.asarray(np.unique(np.array(rows), axis=0), dtype=np.float64)

    def _reveals_small(self, direction: Vector) -> bool:
        """The singleton check: whether the published span, with ``direction`` added, would hold a
        vector that lies on the figures of one or two organisations only.

        Such a vector lies on small inner cells (of at most two organisations). The span's vectors that
        vanish on the other (large) inner cells form a space ``W`` whose dimension is the span's rank
        minus the rank of its restriction to the large inner cells: ``W`` grows only when the new
        direction adds nothing on the large inner cells. It is then extended by that direction minus
        the combination of published directions that has the same large part, and checked.

        Everything is kept incrementally: ``basis_large`` is an orthonormal basis of the span restricted
        to the large inner cells, ``large_combination`` gives its rows as combinations of the rows of
        ``basis`` (restricted), and ``small_space`` is an orthonormal basis of ``W`` on the small cells."""
        self.pending = None
        if not self.small:
            return False
        outside = direction[self.large]
        coefficients = self.basis_large @ outside
        rest = outside - self.basis_large.T @ coefficients
        norm = float(np.linalg.norm(rest))
        if norm > 1e-9:
            self.pending = _LargeStep(rest / norm, coefficients, norm)
            return False
        # ``outside`` is a combination of the published directions' large parts: subtract it
        combination = self.large_combination.T @ coefficients
        vector = direction - self.basis.T @ combination
        small_part = vector[self.small]
        if len(self._organisations_of(small_part)) <= 2:
            return True  # the new vector of the span itself lies on one or two organisations' figures
        small_part = small_part - self.small_space.T @ (self.small_space @ small_part)
        small_norm = float(np.linalg.norm(small_part))
        if small_norm <= 1e-9:
            return False
        extended = np.vstack([self.small_space, small_part / small_norm])
        if self._touches_at_most_two_organisations(extended.T):
            return True
        self.pending = _SmallStep(extended)
        return False

    def _organisations_of(self, small_vector: Vector) -> set[str]:
        return {
            o
            for n in np.flatnonzero(np.abs(small_vector) > 1e-9)
            for o in self.inners[self.small[int(n)]].organisations
        }

    def _accept(self, direction: Vector) -> None:
        rank = self.rank
        self._basis[rank] = direction
        self.rank += 1
        if self.pending is None:
            return
        if isinstance(self.pending, _LargeStep):
            step = self.pending
            combination = np.zeros(rank + 1)
            combination[rank] = 1.0 / step.norm
            combination[:rank] -= (self.large_combination[:, :rank].T @ step.coefficients) / step.norm
            self._basis_large[self.rank_large] = step.row
            self._large_combination[self.rank_large, : rank + 1] = combination
            self.rank_large += 1
        else:
            self.small_space = self.pending.space

    def _touches_at_most_two_organisations(self, null: Vector) -> bool:
        """Whether some vector of the span of ``null`` (orthonormal columns, one row per small inner
        cell) lies on the inner cells of one organisation, or of two, only.

        With ``M`` the basis restricted to the rows ``S`` of such a group, a vector of the span supported
        on ``S`` exists exactly when ``M`` has a singular value of 1 (the complement projector restricted
        to ``S`` is singular). ``S`` holds a handful of rows, so each test is cheap."""
        involved = np.flatnonzero(np.linalg.norm(null, axis=1) > 1e-7)
        basis = null[involved]
        gram = basis @ basis.T
        organisations_of = [self.inners[self.small[int(n)]].organisations for n in involved]
        alone: dict[str, list[int]] = defaultdict(list)  # rows of one organisation's figures only
        shared: dict[frozenset[str], list[int]] = defaultdict(list)  # rows of exactly two organisations
        for row, organisations in enumerate(organisations_of):
            if len(organisations) == 1:
                alone[next(iter(organisations))].append(row)
            else:
                shared[organisations].append(row)
        groups: set[frozenset[str]] = {frozenset([o]) for o in alone} | set(shared)
        # Two organisations' figures together hold a vector of the span that neither holds alone only
        # if the span links them: some entry of the Gram matrix between their rows is not zero.
        rows = [r for o in sorted(alone) for r in alone[o]]
        owner = {r: o for o, found in alone.items() for r in found}
        linked = np.argwhere(np.abs(gram[np.ix_(rows, rows)]) > 1e-9)
        groups |= {
            frozenset((owner[rows[i]], owner[rows[j]])) for i, j in linked if owner[rows[i]] != owner[rows[j]]
        }
        for group in groups:
            inside = [r for o in group for r in alone.get(o, ())] + shared.get(group, [])
            if inside and _largest_eigenvalue(gram[np.ix_(inside, inside)]) >= 1 - 1e-7:
                return True
        return False

    def _totals_revealing_their_parts(self, published: list[Cell]) -> list[Cell]:
        """A published total minus its published parts leaves the unpublished parts' sum: it must pass
        the rules too."""
        if not self.table.totals:
            return []
        shown = set(published)
        out = []
        for cell in published:
            scope, key = cell
            if key != TOTAL:
                continue
            hidden = [
                i
                for part, inner_cells in self.cells.items()
                if part[0] == scope and part[1] != TOTAL and part not in shown
                for i in inner_cells
            ]
            if hidden and assess(self._contributions(hidden), self.rules) is not None:
                out.append(cell)
        return out


def _largest_eigenvalue(matrix: Vector) -> float:
    """Of a small symmetric matrix (closed forms for one and two rows, the common cases)."""
    if matrix.shape[0] == 1:
        return float(matrix[0, 0])
    if matrix.shape[0] == 2:
        a, b, c = float(matrix[0, 0]), float(matrix[0, 1]), float(matrix[1, 1])
        return (a + c) / 2 + float(np.hypot((a - c) / 2, b))
    return float(np.linalg.eigvalsh(matrix)[-1])


def summarise(decisions: Mapping[Cell, Decision]) -> dict[str, int]:
    """How many cells are published and how many are suppressed for each reason."""
    counts = {"published": 0, **{reason.value: 0 for reason in Reason}}
    for decision in decisions.values():
        counts[decision.reason.value if decision.reason else "published"] += 1
    return counts


def cells_of(decisions: Mapping[Cell, Decision], reason: Reason) -> Sequence[Cell]:
    return [cell for cell, decision in decisions.items() if decision.reason == reason]
