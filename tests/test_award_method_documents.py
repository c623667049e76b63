"""One award method, written once: every document a bidder reads states what the engine applies.

A notebook tender with life-cycle cost (energy, maintenance, residual value and a carbon price) is
rendered in each of the five languages as the annex (DOCX, ODT), the supplier template (XLSX), the
eForms award fields and the OCDS release. Each must hold every sentence of the lot's award method in
that language, with the parameter values; and the engine, scoring two offers, must apply the very
same parameters.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from decimal import Decimal
from functools import cache

import pytest
from lxml import etree
from openpyxl import load_workbook

from cfit.criteria.content import LANGUAGES, Ambition, Framework, ImpactCategory, load_framework_dir
from cfit.criteria.wording import number
from cfit.offers.evaluate import evaluate
from cfit.offers.reader import OfferFile, ProductLine
from cfit.tenders.award import CostParameters, PriceRule
from cfit.tenders.award_text import award_method_paragraphs, general_rules
from cfit.tenders.eforms import FIELDS, NS
from cfit.tenders.exports import FORMATS
from cfit.tenders.spec import TenderSpec, build_spec

from .tender_helpers import docx_text

COSTS = CostParameters(
    service_life_years=6,
    energy_price_per_kwh=Decimal("0.3125"),
    maintenance_per_year=Decimal("12.5"),
    residual_value=Decimal(40),
    carbon_price_per_tonne=Decimal(135),
)


@cache
def framework() -> Framework:
    return load_framework_dir()


def lcc_spec(language: str) -> TenderSpec:
    spec = build_spec(
        framework(),
        product_groups=["notebooks"],
        categories={
            ImpactCategory.CARBON: Ambition.AMBITIOUS,
            ImpactCategory.CIRCULARITY: Ambition.AMBITIOUS,
        },
        language=language,
        reference="LCC-2027-01",
        buyer="Rijkswaterstaat",
        buyer_country="NL",
    )
    lots = [replace(lot, price_rule=PriceRule.LIFE_CYCLE_COST, costs=COSTS) for lot in spec.lots]
    return replace(spec, lots=lots)


def odt_text(data: bytes) -> str:
    from odf import teletype
    from odf.opendocument import load
    from odf.text import H, P

    document = load(io.BytesIO(data))
    return "\n".join(
        teletype.extractText(node) for kind in (H, P) for node in document.getElementsByType(kind)
    )


def xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    instructions = book.worksheets[0]  # named in the tender's language
    return "\n".join(str(row[0]) for row in instructions.iter_rows(values_only=True) if row[0])


def documents(spec: TenderSpec) -> dict[str, str]:
    rendered = {
        name: FORMATS[name].render(spec) for name in ("docx", "odt", "xlsx-template", "ocds", "eforms")
    }
    release = json.loads(rendered["ocds"])["releases"][0]
    notice = etree.fromstring(rendered["eforms"])
    return {
        "docx": docx_text(rendered["docx"]),
        "odt": odt_text(rendered["odt"]),
        "xlsx-template": xlsx_text(rendered["xlsx-template"]),
        "ocds": release["tender"]["awardCriteriaDetails"],
        "eforms BT-540": " ".join(e.text for e in notice.xpath(FIELDS["BT-540-Lot"], namespaces=NS)),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_document_states_the_award_method_the_engine_applies(language: str) -> None:
    spec = lcc_spec(language)
    method = spec.lots[0].award_method
    paragraphs = award_method_paragraphs(method, language)

    texts = documents(spec)

    assert method.uses_carbon_price and method.carbon_requirement == "wc-carbon-footprint-a.footprint"
    # The notice states each weighted criterion (BT-540) and the price formula; the summary and the
    # general rules stay in the procurement documents it refers to.
    per_criterion = paragraphs[1 : -len(general_rules())]
    for name, text in texts.items():
        flat = " ".join(text.split())
        expected = per_criterion if name.startswith("eforms") else paragraphs
        # BT-540 holds a criterion's requirement sentences without the annex's list dashes
        strip = name.startswith("eforms")
        missing = [
            p for p in expected if " ".join((p.removeprefix("– ") if strip else p).split()) not in flat
        ]
        assert missing == [], f"{language} {name} does not state: {missing[:2]}"
    formula = paragraphs[1]
    # Each figure in the document's language: "0,3125 EUR per kWh" in Dutch, as a Dutch reader writes it.
    for value in (0.3125, 6, 12.5, 40, 135):
        shown = number(value, language)
        assert shown in formula, f"{language}: the cost formula does not name {shown}"


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_eforms_award_fields_come_from_the_same_method(language: str) -> None:
    spec = lcc_spec(language)
    method = spec.lots[0].award_method

    notice = etree.fromstring(FORMATS["eforms"].render(spec))

    def values(bt: str) -> list[str]:
        return [e.text for e in notice.xpath(FIELDS[bt], namespaces=NS)]

    assert values("BT-539-Lot") == ["cost"] + ["quality"] * len(method.criteria)
    assert Decimal(values("BT-541-Lot-WeightNumber")[0]) == method.price_weight
    assert set(values("BT-5421-Lot")) == {"poi-exa"}
    assert sum(Decimal(w) for w in values("BT-541-Lot-WeightNumber")) == 100
    titles = {c.id: c.title[language] for c in method.criteria}
    assert values("BT-734-Lot")[1:] == [f"{titles[c.id]} ({c.id})" for c in method.criteria]


def _offer(spec: TenderSpec, name: str, price: float, kwh: float, footprint: float) -> OfferFile:
    lot = spec.lots[0]
    answers: dict[str, object] = {}
    for chosen in lot.criteria:
        for r in chosen.criterion.requirements:
            if r.data_type.value == "boolean":
                answers[r.id] = r.expected_value
            elif r.data_type.value in {"number", "integer"}:
                answers[r.id] = r.min_value if r.min_value is not None else (r.max_value or 1)
            elif r.data_type.value == "enumeration":
                answers[r.id] = r.allowed_answers[0]
            else:
                answers[r.id] = "yes"
    answers["wc-carbon-footprint-a.footprint"] = footprint
    line = ProductLine(1, f"{name}-1", "Acme", "Book 14", 10, price, kwh, [], answers, 4)
    return OfferFile(spec.reference, [line], dict(answers), supplier=name, filename=f"{name}.json")


def test_the_engine_applies_the_stated_parameters() -> None:
    spec = lcc_spec("en")

    [result] = evaluate(
        spec, [_offer(spec, "Alpha", 900.0, 20.0, 250.0), _offer(spec, "Beta", 850.0, 30.0, 400.0)]
    )

    by_offer = {r.offer: r for r in result.offers}
    per_unit = 900 + 20 * 0.3125 * 6 + 12.5 * 6 - 40 + 250 / 1000 * 135
    assert by_offer["Alpha"].life_cycle_cost == pytest.approx(10 * per_unit)
    assert by_offer["Beta"].life_cycle_cost == pytest.approx(
        10 * (850 + 30 * 0.3125 * 6 + 12.5 * 6 - 40 + 400 * 0.135)
    )


def test_a_french_document_puts_a_no_break_space_before_each_colon_joining_a_label_to_its_value() -> None:
    """The award text and the supplier template glued a requirement's name to its rule, a band to its
    share and a label id to its name with ': '; French writes ' : ' with a no-break space (as the pages
    do through cfit.labels), so that a line never starts with the colon."""
    spec = lcc_spec("fr")
    paragraphs = award_method_paragraphs(spec.lots[0].award_method, "fr")
    requirements = [p for p in paragraphs if p.startswith("– ")]

    assert requirements and all(") :" not in p and "):" not in p for p in requirements)
    assert all(")\u00a0: " in p for p in requirements)
    book = load_workbook(io.BytesIO(FORMATS["xlsx-template"].render(spec)), read_only=True)
    company = next(sheet for sheet in book.worksheets if sheet.title in {"Entreprise", "Company"})
    titles = [row[1] for row in company.iter_rows(min_row=2, values_only=True) if row[1]]
    assert titles and all("\u00a0: " in title for title in titles), titles[:2]
