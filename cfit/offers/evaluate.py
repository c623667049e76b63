"""From offers and a tender to checked lines, scores and a ranking per lot. Plain Python.

Stored offers and files given on the command line take the same path: each becomes an
``OfferFile``, the lines of one lot are laid out as a columnar ``Catalogue`` and the engine checks
and scores them. Company declarations (selection criteria, contract clauses) apply to every line of
their offer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from cfit.criteria.content import DataType
from cfit.offers.engine import (
    METHOD_VERSION,
    Catalogue,
    Checked,
    Evidence,
    Role,
    Rule,
    Status,
    check,
    day_number,
)
from cfit.offers.reader import OfferFile, ProductLine
from cfit.offers.scoring import OfferResult, Scored, rank_offers, score
from cfit.tenders.award import LotAwardMethod, method_json
from cfit.tenders.spec import LotSpec, TenderSpec

#: (offer index, line id, requirement id) → the procurer's decision
Overrides = Mapping[tuple[int, str, str], Status]


@dataclass
class LotResult:
    lot: LotSpec
    rules: list[Rule]
    lines: list[tuple[int, ProductLine]]  #: (offer index, line) in catalogue order
    catalogue: Catalogue
    checked: Checked
    scored: Scored
    offers: list[OfferResult]
    method: LotAwardMethod
    companies: list[dict[str, Any]] = field(default_factory=list)  #: each offer's company declarations


def rules_of(lot: LotSpec) -> list[Rule]:
    return [Rule.of(c.criterion.id, c.type, r) for c in lot.criteria for r in c.criterion.requirements]


def _as_number(value: bool | float | str, rule: Rule) -> float:
    if rule.data_type == DataType.DATE:
        return float(day_number(str(value)))
    return float(value)


def build_catalogue(
    rules: Sequence[Rule], offers: Sequence[OfferFile], lot: int, labels: Sequence[str]
) -> tuple[Catalogue, list[tuple[int, ProductLine]]]:
    lines = [(index, line) for index, offer in enumerate(offers) for line in offer.lines if line.lot == lot]
    size = len(lines)
    bits = {label: bit for bit, label in enumerate(sorted(labels))}
    held = np.zeros(size, np.uint64)
    for row, (_index, line) in enumerate(lines):
        mask = 0
        for label in line.labels:
            if label in bits:
                mask |= 1 << bits[label]
        held[row] = mask
    catalogue = Catalogue(
        line_ids=[line.line_id for _i, line in lines],
        offer_of_line=np.array([index for index, _line in lines], np.int32),
        offers=[offer.supplier or offer.filename or f"offer {n + 1}" for n, offer in enumerate(offers)],
        labels=held,
        label_bits=bits,
        unit_price=np.array([line.unit_price for _i, line in lines], np.float64),
        yearly_kwh=np.array([math.nan if line.yearly_kwh is None else line.yearly_kwh for _i, line in lines]),
        quantity=np.array([line.quantity for _i, line in lines], np.float64),
    )
    for rule in rules:
        company = rule.role == Role.INFO
        raw = [
            (offers[index].company if company else line.answers).get(rule.requirement)
            for index, line in lines
        ]
        if rule.is_text:
            categories = list(rule.options) or sorted({str(v) for v in raw if v is not None})
            position = {value: code for code, value in enumerate(categories)}
            codes = np.array([-1 if v is None else position.get(str(v), -1) for v in raw], np.int32)
            catalogue.texts[rule.requirement] = (codes, categories)
        else:
            catalogue.numbers[rule.requirement] = np.array(
                [math.nan if v is None else _as_number(v, rule) for v in raw], np.float64
            )
    return catalogue, lines


def evaluate_lot(
    spec: TenderSpec,
    lot: LotSpec,
    offers: Sequence[OfferFile],
    overrides: Overrides | None = None,
) -> LotResult:
    """Check and score the lines of one lot by the lot's award method (``lot.award_method``)."""
    rules = rules_of(lot)
    catalogue, lines = build_catalogue(rules, offers, lot.number, list(spec.labels))
    position = {(index, line.line_id): row for row, (index, line) in enumerate(lines)}
    column = {rule.requirement: j for j, rule in enumerate(rules)}
    decided = {
        (position[(index, line_id)], column[code]): status
        for (index, line_id, code), status in (overrides or {}).items()
        if (index, line_id) in position and code in column
    }
    checked = check(rules, catalogue, decided)
    method = lot.award_method
    scored = score(checked, catalogue, method)
    return LotResult(
        lot,
        rules,
        lines,
        catalogue,
        checked,
        scored,
        rank_offers(checked, scored, catalogue, method),
        method,
        [dict(offer.company) for offer in offers],
    )


def evaluate(
    spec: TenderSpec, offers: Sequence[OfferFile], overrides: Overrides | None = None
) -> list[LotResult]:
    """Every lot that received at least one line; an offer without lines in a lot is a "no bid" there."""
    return [
        evaluate_lot(spec, lot, offers, overrides)
        for lot in spec.lots
        if any(line.lot == lot.number for offer in offers for line in offer.lines)
    ]


STATUS_WORDS = {Status.PASS: "pass", Status.FAIL: "fail", Status.NOT_ANSWERED: "not_answered"}
EVIDENCE_WORDS = {
    Evidence.NONE: "none",
    Evidence.DECLARED: "declared",
    Evidence.LABEL: "label",
    Evidence.OVERRIDE: "override",
}


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def line_detail(result: LotResult, row: int) -> list[dict[str, Any]]:
    """Each requirement of one line: status, evidence and the value or labels behind it."""
    index, line = result.lines[row]
    held = set(line.labels)
    details = []
    for j, rule in enumerate(result.rules):
        status = Status(int(result.checked.status[row, j]))
        evidence = Evidence(int(result.checked.evidence[row, j]))
        # Company declarations (selection criteria, contract clauses) are answered once per offer.
        answers = result.companies[index] if rule.role == Role.INFO and result.companies else line.answers
        value = answers.get(rule.requirement)
        details.append(
            {
                "criterion": rule.criterion,
                "requirement": rule.requirement,
                "role": rule.role.value,
                "status": STATUS_WORDS[status],
                "evidence": EVIDENCE_WORDS[evidence],
                "value": value,
                "labels": sorted(held & rule.labels) if evidence == Evidence.LABEL else [],
            }
        )
    return details


def to_json(
    spec: TenderSpec, results: Sequence[LotResult], *, evaluated_on: date, with_lines: bool = True
) -> dict[str, Any]:
    """The evaluation as JSON: per lot, the ranking of offers and, per line, every requirement's result."""
    lots = []
    for result in results:
        entry: dict[str, Any] = {
            "lot": result.lot.number,
            "counts": result.checked.counts(),
            "method": method_json(result.method),
            "offers": [
                {
                    "offer": r.offer,
                    "bid": r.bid,
                    "eligible": r.eligible,
                    "lines": r.lines,
                    "excluded_lines": r.excluded_lines,
                    "life_cycle_cost": round(r.life_cycle_cost, 2),
                    "price_points": round(r.price_points, 3),
                    "quality_points": round(r.quality_points, 3),
                    "total": None if math.isnan(r.total) else round(r.total, 3),
                    "rank": r.rank,
                    "criterion_points": {
                        code: round(points, 3) for code, points in r.criterion_points.items()
                    },
                }
                for r in result.offers
            ],
        }
        if with_lines:
            entry["lines"] = [
                {
                    "offer": result.catalogue.offers[index],
                    "line_id": line.line_id,
                    "manufacturer": line.manufacturer,
                    "model": line.model,
                    "eligible": bool(result.checked.eligible[row]),
                    "meets_specifications": bool(result.checked.line_eligible[row]),
                    "life_cycle_cost": round(float(result.scored.life_cycle_cost[row]), 2),
                    "total": _finite(result.scored.total[row]),
                    "rank": int(result.scored.rank[row]),
                    "requirements": line_detail(result, row),
                }
                for row, (index, line) in enumerate(result.lines)
            ]
        lots.append(entry)
    return {
        "tender_reference": spec.reference,
        "framework_version": spec.framework_version,
        "method_version": METHOD_VERSION,
        "evaluated_on": evaluated_on.isoformat(),
        "lots": lots,
    }
