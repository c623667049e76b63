"""A small tender whose every result is known by hand, and a way to fill its response template."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from cfit.criteria import content
from cfit.criteria.content import LANGUAGES, CriterionType
from cfit.tenders.award import CostParameters, PriceRule
from cfit.tenders.response_template import FIRST_DATA_ROW, ID_ROW, build_response_template
from cfit.tenders.spec import ChosenCriterion, LotSpec, TenderSpec


def _t(text: str) -> dict[str, str]:
    return {lang: f"{text} ({lang})" for lang in LANGUAGES}


def criterion(code: str, kind: str, requirements: list[dict[str, Any]]) -> content.Criterion:
    return content.Criterion.model_validate(
        {
            "id": code,
            "topic": code,
            "product_groups": ["notebooks"],
            "impact_category": "circularity",
            "lifecycle_stage": "procurement",
            "strategies": ["use_longer"],
            "type": kind,
            "ambition": "baseline",
            "title": _t(code),
            "text": _t(code),
            "rationale": _t(code),
            "verification": {"labels": [], "documents": _t("docs")},
            "sources": [{"title": "hand-made"}],
            "threshold_origin": "none",
            "requirements": [{"title": _t(r["id"]), **r, "id": f"{code}.{r['id']}"} for r in requirements],
        }
    )


WARRANTY = criterion(
    "ts-warranty-b",
    "technical_specification",
    [
        {
            "id": "years",
            "data_type": "integer",
            "min_value": 3,
            "unit": "years",
            "better": "higher",
            "satisfied_by_labels": ["tco-certified-gen10"],
        }
    ],
)
REPAIR = criterion(
    "ts-repair-b",
    "technical_specification",
    [{"id": "battery", "data_type": "boolean", "expected_value": True}],
)
CLASS = criterion(
    "ts-class-b",
    "technical_specification",
    [{"id": "class", "data_type": "enumeration", "options": ["A", "B", "C"], "expected_value": "A"}],
)
CYCLES = criterion(
    "ac-cycles-a",
    "award_criterion",
    [
        {
            "id": "cycles",
            "data_type": "integer",
            "min_value": 300,
            "unit": "cycles",
            "better": "higher",
            "scoring": {"rule": "proportional"},
        }
    ],
)
REPORT = criterion(
    "cpc-report-b",
    "contract_performance_clause",
    [{"id": "yearly", "data_type": "boolean", "expected_value": True}],
)


def small_spec(
    reference: str = "OFF-2027-01",
    *,
    price_rule: PriceRule = PriceRule.PRICE,
    costs: CostParameters | None = None,
) -> TenderSpec:
    """One lot: price 80 points (unit price only unless told), battery cycles 20 points."""
    group = content.ProductGroup.model_validate(
        {
            "id": "notebooks",
            "kind": "workplace",
            "cpv": "30213100",
            "name": _t("Notebooks"),
            "description": _t("d"),
        }
    )
    labels = {
        code: content.Label(id=code, name=code, issuer="x") for code in ("tco-certified-gen10", "epeat-gold")
    }
    lot = LotSpec(
        number=1,
        title="Notebooks",
        product_group=group,
        quantity=100,
        estimated_value=Decimal(0),
        cpv="30213100",
        service_life_years=5,
        price_weight=Decimal(80),
        criteria=[
            ChosenCriterion(WARRANTY, CriterionType.TECHNICAL_SPECIFICATION),
            ChosenCriterion(REPAIR, CriterionType.TECHNICAL_SPECIFICATION),
            ChosenCriterion(CLASS, CriterionType.TECHNICAL_SPECIFICATION),
            ChosenCriterion(CYCLES, CriterionType.AWARD_CRITERION, Decimal(20)),
            ChosenCriterion(REPORT, CriterionType.CONTRACT_PERFORMANCE_CLAUSE),
        ],
        price_rule=price_rule,
        costs=costs,
    )
    return TenderSpec(
        title="Offers test",
        reference=reference,
        language="en",
        procedure="open",
        framework_version="2026.1",
        buyer="Rijkswaterstaat",
        buyer_country="NL",
        lots=[lot],
        labels=labels,
    )


def filled_template(
    spec: TenderSpec, rows: list[dict[str, Any]], company: dict[str, Any] | None = None
) -> bytes:
    """The tender's own template with ``rows`` (column id → value) typed into lot 1."""
    book = load_workbook(io.BytesIO(build_response_template(spec)))
    meta = {row[0].value: row[1].value for row in book["_cfit"].iter_rows()}
    sheet = book[meta["lot:1"]]
    columns = {cell.value: cell.column for cell in sheet[ID_ROW]}
    for offset, values in enumerate(rows):
        for code, value in values.items():
            sheet.cell(row=FIRST_DATA_ROW + offset, column=columns[code], value=value)
    sheet_company = book[meta["company"]]
    for row in sheet_company.iter_rows(min_row=2):
        if company and row[0].value in company:
            row[4].value = company[row[0].value]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def line(line_id: str, price: float, **answers: Any) -> dict[str, Any]:
    base = {
        "line_id": line_id,
        "manufacturer": "Acme",
        "model": f"Model {line_id}",
        "quantity": 10,
        "unit_price_eur": price,
        "yearly_kwh": 20,
    }
    mapping = {
        "years": "ts-warranty-b.years",
        "battery": "ts-repair-b.battery",
        "klass": "ts-class-b.class",
        "cycles": "ac-cycles-a.cycles",
    }
    return base | {mapping.get(k, k): v for k, v in answers.items()}
