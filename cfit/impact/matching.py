"""Find a register's models among manufacturers' declarations: the same model, or its closest siblings.

Registers write models the way the asset tool or the invoice did ("HP EliteBook 840 G8 Notebook PC",
"Elitebook 840G8", "Dell Inc. Latitude 5420"); declarations write them their own way. Both are read
into their parts (``families.parse_model``: series, model number, suffix, generation, size, form
factor, variant) and compared within one manufacturer's product group:

- **the same model**: the same parts (``match``; confidence 1, distance 0): the engine takes that
  declaration's footprint;
- **siblings**: otherwise every declaration of the manufacturer's group is ranked by a distance, the
  weighted sum of what differs (``families.differences``) with weights that the estimator learned from
  the declarations themselves (how far apart two declarations are, given what differs). The nearest
  few, with the nearest one's distance and what differed, feed the estimate (``estimate``).

Each distinct name is read once, however many devices carry it; the distances of a manufacturer's
group are computed for all its queries at once. Plain Python and numpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from cfit.impact.families import (
    YEAR,
    Floats,
    ModelName,
    NameTable,
    alternates,
    describe,
    differences,
    normalise_manufacturer,
    parse_model,
    year_difference,
)

__all__ = [
    "MIN_CONFIDENCE",
    "NO_MATCH",
    "Match",
    "ModelIndex",
    "Siblings",
    "alternates",
    "normalise_manufacturer",
]

#: Kept for callers of the first method: a match is now the same model (confidence 1) or none.
MIN_CONFIDENCE = 1.0
#: Candidates shortlisted by name and size before the purchase year re-ranks them.
SHORTLIST = 24
#: Queries compared with a manufacturer's group at once (bounds the memory of the distances).
CHUNK = 256
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Match:
    """The declaration of the same model: its row (None for no match), confidence 1 or 0."""

    index: int | None
    confidence: float
    name: str = ""
    distance: float = 0.0
    differs: tuple[str, ...] = ()


NO_MATCH = Match(None, 0.0)


@dataclass(frozen=True)
class Siblings:
    """The closest declarations of each query, in the order of the queries."""

    log_value: Floats  #: weighted median of the log footprints of the nearest (nan: no candidate)
    nearest: Ints  #: row of the nearest declaration (-1: none)
    distance: Floats  #: distance of the nearest (inf: none)
    differs: list[tuple[str, ...]] = field(default_factory=list)  #: what the nearest differs in


@dataclass
class _Group:
    """The declarations of one manufacturer's product group, one entry per model a sheet names."""

    rows: Ints  #: declaration row of each entry (entries of one row are adjacent)
    table: NameTable
    names: list[ModelName]
    starts: Ints  #: first entry of each distinct row, for the per-row minimum
    row_of_start: Ints


class ModelIndex:
    """The declared models of one footprint table, by manufacturer and product group.

    ``sizes``, ``years`` and ``values`` (the declared screen sizes, years and embodied footprints) are
    needed for siblings only; a bare index finds the same model."""

    def __init__(
        self,
        manufacturers: Sequence[str],
        models: Sequence[str],
        groups: Sequence[str],
        sizes: Sequence[float | None] | None = None,
        years: Sequence[float | None] | None = None,
        values: Sequence[float | None] | None = None,
    ) -> None:
        self.names = list(models)
        count = len(self.names)
        sizes = list(sizes) if sizes is not None else [None] * count
        years = list(years) if years is not None else [None] * count
        self.log_values = np.log(
            np.array([v if v and v > 0 else np.nan for v in (values or [None] * count)], dtype=np.float64)
        )
        self.exact: dict[tuple[str, str, str], int] = {}
        entries: dict[tuple[str, str], list[tuple[int, ModelName]]] = {}
        for index, (manufacturer, model, group) in enumerate(zip(manufacturers, models, groups, strict=True)):
            maker = normalise_manufacturer(manufacturer)
            for alternate in alternates(model):
                name = parse_model(manufacturer, alternate, group)
                if name.key:
                    self.exact.setdefault((maker, group, name.key), index)
                entries.setdefault((maker, group), []).append((index, name))
        self.groups: dict[tuple[str, str], _Group] = {}
        for bucket, items in entries.items():
            rows = np.array([i for i, _ in items], dtype=np.int64)
            names = [n for _, n in items]
            first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]).astype(np.int64)
            self.groups[bucket] = _Group(
                rows,
                NameTable(names, [sizes[i] for i in rows], [years[i] for i in rows]),
                names,
                first,
                rows[first],
            )

    def match(self, manufacturer: str, model: str, group: str) -> Match:
        """The declaration of the same model, or ``NO_MATCH``."""
        name = parse_model(manufacturer, model, group)
        if not name.key:
            return NO_MATCH
        found = self.exact.get((normalise_manufacturer(manufacturer), group, name.key))
        if found is None:
            return NO_MATCH
        return Match(found, 1.0, self.names[found])

    def match_all(self, rows: Iterable[tuple[str, str, str]]) -> list[Match]:
        return [self.match(manufacturer, model, group) for manufacturer, model, group in rows]

    def siblings(
        self,
        queries: Sequence[tuple[str, str, str, float | None, float | None]],
        weights: Sequence[float],
        floor: float,
        neighbours: int,
        *,
        exclude: Sequence[int] | None = None,
        explain: bool = False,
    ) -> Siblings:
        """The ``neighbours`` closest declarations of each query (manufacturer, model, group, screen
        size, year) by the weighted differences, blended as a weighted median of their log footprints
        (weight ``1 / (floor + distance)²``). ``exclude`` names a declaration row each query may not
        use (itself, when the estimator scores its own declarations); ``explain`` says what the nearest
        differs in."""
        count = len(queries)
        out = Siblings(
            np.full(count, np.nan), np.full(count, -1, dtype=np.int64), np.full(count, np.inf), [()] * count
        )
        by_bucket: dict[tuple[str, str], list[int]] = {}
        for position, (manufacturer, _, group, _, _) in enumerate(queries):
            by_bucket.setdefault((manufacturer, group), []).append(position)
        # Written manufacturers are few; their normalised names can join buckets ("HP Inc.", "HP").
        joined: dict[tuple[str, str], list[int]] = {}
        for (manufacturer, group), positions in by_bucket.items():
            joined.setdefault((normalise_manufacturer(manufacturer), group), []).extend(positions)
        w = np.asarray(weights, dtype=np.float64)
        for bucket, positions in joined.items():
            positions.sort()
            candidates = self.groups.get(bucket)
            if candidates is not None:
                self._rank(candidates, queries, positions, w, floor, neighbours, exclude, explain, out)
        return out

    def _rank(
        self,
        candidates: _Group,
        queries: Sequence[tuple[str, str, str, float | None, float | None]],
        positions: list[int],
        weights: Floats,
        floor: float,
        neighbours: int,
        exclude: Sequence[int] | None,
        explain: bool,
        out: Siblings,
    ) -> None:
        # Stage 1, once per distinct name and size: every difference but the year's.
        distinct: dict[tuple[str, str, float | None], int] = {}
        chosen_queries = [queries[p] for p in positions]
        of_query = np.array(
            [distinct.setdefault((q[0], q[1], q[3] or None), len(distinct)) for q in chosen_queries],
            dtype=np.int64,
        )
        keys = list(distinct)
        group = queries[positions[0]][2]
        names = [parse_model(m, alternates(model)[0], group) for m, model, _ in keys]
        table = candidates.table.like(names, [s for _, _, s in keys], [None] * len(keys))
        years = np.array([q[4] or np.nan for q in chosen_queries], dtype=np.float64)
        # Purchase years are few: the year's part of the distance is formed once per distinct year
        # and candidate, then looked up for each query (weighted as ``differences`` weighs it).
        distinct_years, year_of = np.unique(years, return_inverse=True)
        apart, unknown = year_difference(distinct_years[:, None], candidates.table.year[None, :])
        weighted_apart = weights[YEAR] * apart
        weighted_unknown = weights[YEAR + 1] * unknown
        excluded = np.array([exclude[p] for p in positions], dtype=np.int64) if exclude is not None else None
        for start in range(0, len(keys), CHUNK):
            stop = min(start + CHUNK, len(keys))
            found = differences(_slice(table, start, stop), candidates.table)
            found[..., YEAR:] = 0.0
            base = found @ weights
            chosen = np.flatnonzero((of_query >= start) & (of_query < stop))
            if not len(chosen):
                continue
            # Stage 2, per query: the year, then the per-declaration minimum over a sheet's models.
            year_at = year_of[chosen]
            distance = base[of_query[chosen] - start] + weighted_apart[year_at] + weighted_unknown[year_at]
            per_row = np.minimum.reduceat(distance, candidates.starts, axis=1)
            rows = candidates.row_of_start
            if excluded is not None:
                per_row[excluded[chosen][:, None] == rows[None, :]] = np.inf
            self._blend(per_row, rows, [positions[c] for c in chosen], floor, neighbours, out)
            if explain:
                for j, c in enumerate(chosen):
                    nearest = out.nearest[positions[c]]
                    if nearest < 0:
                        continue
                    entries = np.flatnonzero(candidates.rows == nearest)
                    best = entries[np.argmin(distance[j, entries])]
                    row = found[of_query[c] - start, best].copy()
                    row[YEAR], row[YEAR + 1] = apart[year_at[j], best], unknown[year_at[j], best]
                    out.differs[positions[c]] = describe(row)

    def _blend(
        self,
        distance: Floats,
        rows: Ints,
        positions: list[int],
        floor: float,
        neighbours: int,
        out: Siblings,
    ) -> None:
        take = min(neighbours, distance.shape[1])
        top = (
            np.argpartition(distance, take - 1, axis=1)[:, :take]
            if take < distance.shape[1]
            else (np.tile(np.arange(distance.shape[1]), (distance.shape[0], 1)))
        )
        near = np.take_along_axis(distance, top, axis=1)
        logs = self.log_values[rows[top]]
        usable = np.isfinite(near) & ~np.isnan(logs)
        weight = np.where(usable, 1.0 / (max(floor, 0.02) + np.where(usable, near, 0.0)) ** 2, 0.0)
        order = np.argsort(np.where(usable, logs, np.inf), axis=1)
        logs_sorted = np.take_along_axis(logs, order, axis=1)
        cumulative = np.cumsum(np.take_along_axis(weight, order, axis=1), axis=1)
        total = cumulative[:, -1]
        median_at = (cumulative < (total / 2)[:, None]).sum(axis=1).clip(max=take - 1)
        value = np.take_along_axis(logs_sorted, median_at[:, None], axis=1)[:, 0]
        nearest = np.argmin(np.where(usable, near, np.inf), axis=1)
        has = total > 0
        at = np.asarray(positions, dtype=np.int64)
        out.log_value[at] = np.where(has, value, np.nan)
        out.distance[at] = np.where(has, near[np.arange(len(at)), nearest], np.inf)
        out.nearest[at] = np.where(has, rows[top[np.arange(len(at)), nearest]], -1)


def _slice(table: NameTable, start: int, stop: int) -> NameTable:
    """Rows ``start:stop`` of a table (the arrays are sliced, nothing is parsed again)."""
    part = object.__new__(NameTable)
    for name, value in vars(table).items():
        if isinstance(value, np.ndarray):
            setattr(part, name, value[start:stop])
        else:
            setattr(part, name, value)
    part.height = stop - start
    return part
