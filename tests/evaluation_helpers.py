"""Builders for the evaluation tests: a published tender of several lots, filled templates, open offers."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from openpyxl import load_workbook

from cfit.accounts.models import Membership, Organisation
from cfit.criteria.content import Requirement
from cfit.offers import actions, explain
from cfit.tenders import actions as tender_actions
from cfit.tenders.actions import tender_spec
from cfit.tenders.models import Tender
from cfit.tenders.response_template import FIRST_DATA_ROW, ID_ROW, build_response_template

from .conftest import Persona, make_persona


def good_answer(requirement: Requirement) -> Any:
    """An answer that meets the requirement."""
    match requirement.data_type.value:
        case "boolean":
            return "yes" if requirement.expected_value else "no"
        case "number" | "integer":
            if requirement.expected_value is not None:
                return requirement.expected_value
            return requirement.min_value if requirement.min_value is not None else requirement.max_value
        case "enumeration":
            return requirement.allowed_answers[0]
        case "date":
            return requirement.expected_value or date.today().isoformat()
        case _:
            return "See our policy at https://example.org/policy"


def build_tender(
    organisation: Organisation,
    *,
    reference: str,
    language: str = "en",
    groups: tuple[str, ...] = ("notebooks",),
    award: dict[int, dict[str, int]] | None = None,
) -> Tender:
    """A published tender with one baseline lot per product group, receiving offers for a week.

    ``award`` turns technical specifications of a lot into award criteria with these weights (the
    price takes the rest of the 100 points), so that the tests choose the award method themselves.
    """
    tender = tender_actions.create_tender(
        organisation,
        title=f"Evaluation {reference}",
        reference=reference,
        language=language,
        acting_user=None,
    )
    for group in groups:
        tender_actions.add_lot(tender, product_group=group, quantity=50, acting_user=None)
    for number, weights in (award or {}).items():
        lot = tender.lots.get(number=number)
        for code in weights:
            tender_actions.set_criterion_type(lot, code, "award_criterion", acting_user=None)
        tender_actions.set_weights(lot, 100 - sum(weights.values()), weights, acting_user=None)
    tender_actions.set_offers_deadline(tender, timezone.now() + timedelta(days=7), acting_user=None)
    return tender_actions.change_status(tender, "published", acting_user=None)


def fill_offer(tender: Tender, lots: dict[int, list[dict[str, Any]]]) -> bytes:
    """The tender's template: for each lot, one row per dict (good answers everywhere, then the dict's
    own values; ``None`` leaves a cell empty), and good company declarations."""
    spec = tender_spec(tender)
    book = load_workbook(io.BytesIO(build_response_template(spec)))
    meta = {row[0].value: row[1].value for row in book["_cfit"].iter_rows()}
    for lot in spec.lots:
        requirements = {r.id: r for c in lot.criteria for r in c.criterion.requirements}
        sheet = book[meta[f"lot:{lot.number}"]]
        ids = [cell.value for cell in sheet[ID_ROW]]
        for offset, changes in enumerate(lots.get(lot.number, [])):
            values = {code: good_answer(requirements[code]) for code in ids if code in requirements}
            values |= {"manufacturer": "Acme", "model": "Book 14", "quantity": 10, "unit_price_eur": 900}
            values |= {"yearly_kwh": 15}
            values |= changes
            for column, code in enumerate(ids, start=1):
                sheet.cell(row=FIRST_DATA_ROW + offset, column=column, value=values.get(code))
    everything = {r.id: r for lot in spec.lots for c in lot.criteria for r in c.criterion.requirements}
    for row in book[meta["company"]].iter_rows(min_row=2):
        row[4].value = good_answer(everything[row[0].value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def submit(tender: Tender, supplier: str, lots: dict[int, list[dict[str, Any]]], user: Any = None) -> None:
    actions.import_offer(
        tender, fill_offer(tender, lots), f"{supplier.lower()}.xlsx", supplier=supplier, acting_user=user
    )


def open_offers(tender: Tender) -> Tender:
    """Let the deadline for offers pass (moving time instead of waiting), so the offers are open."""
    Tender.unscoped.filter(pk=tender.pk).update(offers_deadline=timezone.now() - timedelta(seconds=1))
    tender.refresh_from_db()
    return tender


def reopen(tender: Tender) -> Tender:
    """Move the deadline for offers back into the future (to receive more offers in a test)."""
    Tender.unscoped.filter(pk=tender.pk).update(offers_deadline=timezone.now() + timedelta(days=1))
    tender.refresh_from_db()
    return tender


def colleague(persona: Persona, username: str, role: str = Membership.Role.PROCURER) -> Persona:
    """Another member of the persona's organisation."""
    return make_persona(username, persona.organisation.slug, persona.organisation.type, role)


def names(tender: Tender, language: str = "en") -> explain.Glossary:
    """The tender's criteria and requirements by name, as the page and the report write them."""
    return explain.glossary(tender_spec(tender).lots, language)
