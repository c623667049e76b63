"""Evaluate a saved tender's stored offers: the bridge from the database to the plain engine."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from cfit.offers.engine import Status
from cfit.offers.evaluate import LotResult, Overrides, evaluate
from cfit.offers.models import Offer, OfferLine, ResultOverride
from cfit.offers.reader import OfferFile, ProductLine
from cfit.tenders.actions import tender_spec
from cfit.tenders.models import Tender
from cfit.tenders.spec import LotSpec, TenderSpec


@dataclass
class TenderEvaluation:
    spec: TenderSpec
    offers: list[Offer]
    results: list[LotResult]
    line_pk: dict[tuple[int, str, int], int]  #: (offer index, line id, lot) → OfferLine pk

    def result_for(self, lot: int) -> LotResult | None:
        return next((r for r in self.results if r.lot.number == lot), None)

    @property
    def lots_without_offers(self) -> list[LotSpec]:
        """The lots no offer has a line in: the comparison and the report say so rather than leave them out."""
        evaluated = {result.lot.number for result in self.results}
        return [lot for lot in self.spec.lots if lot.number not in evaluated]


def evaluate_tender(tender: Tender) -> TenderEvaluation:
    """Check and score every stored offer of the tender, with the procurer's latest overrides."""
    spec = tender_spec(tender)
    offers = list(
        Offer.unscoped.filter(tender=tender)
        .order_by("supplier")
        .prefetch_related(Prefetch("lines", queryset=OfferLine.objects.order_by("lot", "id")))
    )
    files: list[OfferFile] = []
    line_pk: dict[tuple[int, str, int], int] = {}
    pk_to_key: dict[int, tuple[int, str]] = {}
    for index, offer in enumerate(offers):
        lines = []
        for row in offer.lines.all():
            lines.append(
                ProductLine(
                    row.lot,
                    row.line_id,
                    row.manufacturer,
                    row.model,
                    row.quantity,
                    row.unit_price,
                    row.yearly_kwh,
                    list(row.labels),
                    dict(row.answers),
                    row.source_row,
                )
            )
            line_pk[(index, row.line_id, row.lot)] = row.pk
            pk_to_key[row.pk] = (index, row.line_id)
        files.append(
            OfferFile(
                spec.reference, lines, dict(offer.company), supplier=offer.supplier, filename=offer.filename
            )
        )
    overrides: dict[tuple[int, str, str], Status] = {}
    decisions = ResultOverride.objects.filter(line__offer__in=offers).order_by("decided_at", "id")
    for decision in decisions.values_list("line_id", "requirement", "decision"):
        index, line_id = pk_to_key[decision[0]]
        overrides[(index, line_id, decision[1])] = Status.PASS if decision[2] == "pass" else Status.FAIL
    applied: Overrides = overrides
    return TenderEvaluation(spec, offers, evaluate(spec, files, applied), line_pk)
