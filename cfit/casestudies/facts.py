"""The facts of a finished tender that a case study tells: what was asked, how the offers did, what won.

Offers are summarised, never listed: per lot the number of bids and of eligible offers, per criterion
how many offers met it and, for award criteria, the mean points of the eligible offers. Points are a
figure about suppliers' offers, so they follow the pact's disclosure rule (``cfit/monitoring/disclosure.py``):
a criterion's mean is kept only when enough eligible offers scored (``min_reporters``) and no one offer gives
more than the dominance share of them; otherwise the reason is kept instead, and the page says why. The
lowest and highest points are never kept: each is one offer's own, however many offers there were (and
with three, a bidder knowing its own points and the mean, lowest and highest would know all three). The winning supplier's name is kept for the owner (who may name it with the supplier's
consent) but is shown nowhere unless ``CaseStudy.name_supplier`` is set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cfit.monitoring.disclosure import Reason, Rules, assess
from cfit.monitoring.models import DisclosureRules
from cfit.offers.evaluate import LotResult
from cfit.offers.evaluation import evaluate_tender
from cfit.offers.models import Offer
from cfit.tenders.actions import tender_spec
from cfit.tenders.models import Tender
from cfit.tenders.spec import LotSpec


def _criteria(lot: LotSpec) -> list[dict[str, Any]]:
    return [
        {
            "code": chosen.criterion.id,
            "title": dict(chosen.criterion.title),
            "type": str(chosen.type),
            "ambition": str(chosen.criterion.ambition),
            "weight": float(chosen.weight),
        }
        for chosen in lot.criteria
    ]


def summarise_offers(result: LotResult, rules: Rules | None = None) -> dict[str, Any]:
    """How the bids of one lot did, aggregated: counts and mean points, no bidder named; a criterion's
    mean only where the disclosure ``rules`` allow (else its reason code in ``points_withheld``)."""
    rules = rules or Rules()
    bidding = [o for o in result.offers if o.bid]
    eligible = [o for o in bidding if o.eligible]
    offer_of_line = np.asarray(result.catalogue.offer_of_line)
    met: dict[str, int] = {}
    for column, code in enumerate(result.checked.criteria):
        meets = result.checked.criterion_met[:, column]
        # An offer meets a criterion if each of its lines in the lot does.
        met[code] = sum(
            1
            for index, offer in enumerate(result.offers)
            if offer.bid and bool(np.all(meets[offer_of_line == index]))
        )
    points: dict[str, dict[str, float]] = {}
    withheld: dict[str, str] = {}
    for code in result.scored.award_criteria:
        values = [o.criterion_points.get(code, 0.0) for o in eligible]
        if not values:
            continue
        # Each offer is one contributor: with one or two offers, or one offer far ahead, the mean would
        # give a supplier's own points away (the lowest and highest always would: they are not kept).
        reason = assess(((o.offer, (value,)) for o, value in zip(eligible, values, strict=True)), rules)
        if reason is not None:
            withheld[code] = str(reason)
        else:
            points[code] = {
                "weight": float(result.method.weights.get(code, 0)),
                "mean": round(sum(values) / len(values), 2),
            }
    return {
        "bids": len(bidding),
        "eligible": len(eligible),
        "met": met,
        "points": points,
        "points_withheld": withheld,
    }


def disclosed_points(offers: dict[str, Any], rules: Rules) -> tuple[dict[str, Any], dict[str, str]]:
    """The points of a lot's summary that may be shown, and the reason code of each withheld one.

    Facts taken before points followed the disclosure rule hold them all: the threshold on the number of
    eligible offers is applied again here, and their lowest and highest points (one offer's own each) are
    dropped, so that no channel shows what the rule hides."""
    points = {
        code: {k: v for k, v in figures.items() if k in ("weight", "mean")}
        for code, figures in offers.get("points", {}).items()
    }
    withheld = dict(offers.get("points_withheld", {}))
    if offers.get("eligible", 0) < rules.min_reporters:
        withheld.update({code: str(Reason.THRESHOLD) for code in points})
        points = {}
    return points, withheld


def _winner(result: LotResult) -> dict[str, Any]:
    best = next((o for o in result.offers if o.rank == 1), None)
    if best is None:
        return {}
    index = result.catalogue.offers.index(best.offer)
    lines = [f"{line.manufacturer} {line.model} × {line.quantity}" for i, line in result.lines if i == index]
    return {"supplier": best.offer, "lines": lines}


def collect(tender: Tender) -> dict[str, Any]:
    """The facts of the tender as they are now; a case study keeps them as taken."""
    spec = tender_spec(tender)
    evaluation = evaluate_tender(tender) if Offer.unscoped.filter(tender=tender).exists() else None
    rules = DisclosureRules.current()
    lots = []
    for lot in spec.lots:
        result = evaluation.result_for(lot.number) if evaluation is not None else None
        lots.append(
            {
                "number": lot.number,
                "title": lot.title,
                "product_group": lot.product_group.id,
                "quantity": lot.quantity,
                "service_life_years": lot.service_life_years,
                "criteria": _criteria(lot),
                "ambitions": {str(k): str(v) for k, v in lot.ambitions.items()},
                "offers": summarise_offers(result, rules)
                if result is not None
                else {"bids": 0, "eligible": 0},
                "winner": _winner(result) if result is not None else {},
            }
        )
    return {"framework_version": spec.framework_version, "language": spec.language, "lots": lots}
