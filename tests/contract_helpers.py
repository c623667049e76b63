"""Builders for the contract tests: a tender awarded the real way (offers, four-eyes sign-off, award)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from cfit.contracts.models import Contract
from cfit.offers import actions as offer_actions
from cfit.offers.signoff import approve_sign_off, prepare_sign_off
from cfit.tenders import actions as tender_actions
from cfit.tenders.models import Tender

from .conftest import Persona
from .evaluation_helpers import colleague
from .test_offers import fill, open_offers, publish


def awarded_tender(procurer: Persona, reference: str = "CONTRACT-1") -> Tender:
    """A notebooks tender with two offers, evaluated, signed off by two procurers and awarded."""
    tender = tender_actions.create_tender(
        procurer.organisation, title="Laptops 2027", reference=reference, acting_user=procurer.user
    )
    tender_actions.add_lot(tender, product_group="notebooks", quantity=40, acting_user=procurer.user)
    tender = publish(tender)
    for supplier, price in (("Groene IT BV", 800), ("Budget Hardware NV", 1200)):
        data = fill(tender, [{"line_id": "A-1", "unit_price_eur": price}])
        offer_actions.import_offer(tender, data, "offer.xlsx", supplier=supplier, acting_user=procurer.user)
    tender = open_offers(tender)
    quinn = colleague(procurer, f"quinn-{reference.lower()}")
    sign_off = prepare_sign_off(tender, acting_user=procurer.user)
    approve_sign_off(sign_off, acting_user=quinn.user)
    return tender_actions.change_status(tender, "awarded", acting_user=procurer.user)


def contract_period() -> tuple[date, date]:
    """Three contract years from next January: every obligation still lies ahead today, as it did when
    the tests were written in 2026 against 2027–2029. Tests read their dates from the contract, never from
    a calendar year, so that they keep passing when those years have gone by."""
    year = timezone.localdate().year + 1
    return date(year, 1, 1), date(year + 2, 12, 31)


def last_january() -> date:
    """The first of January last year: a ``contract_period()`` contract moved to start then has started
    and is in force today."""
    return date(timezone.localdate().year - 1, 1, 1)


def contract_of(tender: Tender, supplier_org: Any, procurer: Persona) -> Contract:
    """Lot 1 of ``tender`` as a contract over ``contract_period()`` with ``supplier_org``."""
    from cfit.contracts import actions

    start, end = contract_period()
    return actions.award_lot(
        tender,
        1,
        start_date=start,
        end_date=end,
        supplier_organisation=supplier_org,
        acting_user=procurer.user,
    )


def pdf(text: str = "evidence") -> bytes:
    """A small PDF as evidence: delivered files are checked by content, not only by name."""
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def workbook(text: str = "evidence") -> bytes:
    """A real XLSX workbook holding ``text`` in A1."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = text  # type: ignore[index]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
