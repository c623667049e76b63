"""The evaluation report, in the tender's language: DOCX for the file, XLSX for the numbers.

Per lot: the method (weights, scale, life-cycle cost parameters), the ranking with each offer's
price points, quality points and life-cycle cost, then per offer the result of every requirement of
every line, with the evidence used and the procurer's overrides. A losing supplier can be shown its
own section. Texts a supplier typed are neutralised against formula injection in the workbook.
"""

from __future__ import annotations

import io
import math

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from cfit.criteria.exchange import neutralise_formula
from cfit.offers.evaluate import LotResult, line_detail
from cfit.offers.evaluation import TenderEvaluation

HEADER_FILL = PatternFill("solid", fgColor="DCEFE6")


def _words() -> dict[str, str]:
    return {
        "pass": _("pass"),
        "fail": _("fail"),
        "not_answered": _("not answered"),
        "declared": _("declared value"),
        "label": _("by label"),
        "override": _("overridden by the buyer"),
        "none": "—",
    }


def _method_lines(result: LotResult) -> list[str]:
    costs = result.method.costs
    lines = [
        _("Price (life-cycle cost): %(w)s points, lowest cost ÷ own cost.")
        % {"w": _n(result.method.price_weight)},
        _(
            "Life-cycle cost per unit = price + kWh per year × %(e)s EUR/kWh × %(y)s years + %(m)s EUR maintenance per year − %(r)s EUR residual value"
        )
        % {
            "e": _n(costs.energy_price_per_kwh),
            "y": _n(costs.service_life_years),
            "m": _n(costs.maintenance_per_year),
            "r": _n(costs.residual_value),
        },
    ]
    if costs.carbon_price_per_tonne:
        lines.append(
            _("plus declared kg CO2e × %(p)s EUR per tonne (shadow carbon price).")
            % {"p": _n(costs.carbon_price_per_tonne)}
        )
    for code, weight in result.method.weights.items():
        lines.append(
            _("Award criterion %(code)s: %(w)s points, scale: %(scale)s.")
            % {"code": code, "w": _n(weight), "scale": result.method.scale.value}
        )
    return lines


def _value(value: object) -> str:
    """An answer as the reader expects it: yes/no in the report's language, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _n(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if not float(value).is_integer() else f"{int(value):,}"


def build_docx(evaluation: TenderEvaluation) -> bytes:
    spec = evaluation.spec
    with translation.override(spec.language):
        words = _words()
        document = Document()
        document.add_heading(_("Evaluation report: %(title)s") % {"title": spec.title}, level=0)
        document.add_paragraph(
            _("Tender %(ref)s, framework version %(version)s, %(count)s offer(s).")
            % {"ref": spec.reference, "version": spec.framework_version, "count": len(evaluation.offers)}
        )
        for result in evaluation.results:
            document.add_heading(_("Lot %(n)s") % {"n": result.lot.number} + f": {result.lot.title}", level=1)
            document.add_heading(_("Scoring method"), level=2)
            for text in _method_lines(result):
                document.add_paragraph(text, style="List Bullet")
            document.add_heading(_("Ranking"), level=2)
            table = document.add_table(rows=1, cols=6)
            table.style = "Table Grid"
            for cell, title in zip(
                table.rows[0].cells,
                [
                    _("Rank"),
                    _("Supplier"),
                    _("Life-cycle cost (EUR)"),
                    _("Price points"),
                    _("Quality points"),
                    _("Total"),
                ],
                strict=True,
            ):
                cell.text = title
            for offer in sorted(result.offers, key=lambda r: (r.rank == 0, r.rank)):
                cells = table.add_row().cells
                cells[0].text = str(offer.rank) if offer.eligible else _("excluded")
                cells[1].text = offer.offer
                cells[2].text = _n(offer.life_cycle_cost)
                cells[3].text = _n(offer.price_points)
                cells[4].text = _n(offer.quality_points)
                cells[5].text = _n(offer.total)
            if result.method.weights:
                document.add_heading(_("Points per award criterion"), level=2)
                codes = list(result.method.weights)
                breakdown = document.add_table(rows=1, cols=len(codes) + 1)
                breakdown.style = "Table Grid"
                breakdown.rows[0].cells[0].text = _("Supplier")
                for cell, code in zip(breakdown.rows[0].cells[1:], codes, strict=True):
                    cell.text = f"{code} (max {_n(result.method.weights[code])})"
                for offer in result.offers:
                    cells = breakdown.add_row().cells
                    cells[0].text = offer.offer
                    for cell, code in zip(cells[1:], codes, strict=True):
                        cell.text = _n(offer.criterion_points.get(code, 0.0)) if offer.eligible else "—"
            for index, name in enumerate(result.catalogue.offers):
                rows = [row for row, (i, _line) in enumerate(result.lines) if i == index]
                if not rows:
                    continue
                document.add_heading(_("Offer of %(supplier)s") % {"supplier": name}, level=2)
                for row in rows:
                    _index, line = result.lines[row]
                    state = _("eligible") if result.checked.eligible[row] else _("excluded")
                    document.add_paragraph(
                        f"{line.line_id}: {line.manufacturer} {line.model} ({state})", style="List Bullet"
                    )
                    detail = document.add_table(rows=1, cols=4)
                    detail.style = "Table Grid"
                    for cell, title in zip(
                        detail.rows[0].cells,
                        [_("Requirement"), _("Result"), _("Evidence"), _("Value")],
                        strict=True,
                    ):
                        cell.text = title
                    for item in line_detail(result, row):
                        cells = detail.add_row().cells
                        cells[0].text = item["requirement"]
                        cells[1].text = words[item["status"]]
                        cells[2].text = words[item["evidence"]] + (
                            f" ({', '.join(item['labels'])})" if item["labels"] else ""
                        )
                        cells[3].text = _value(item["value"])
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def build_xlsx(evaluation: TenderEvaluation) -> bytes:
    spec = evaluation.spec
    with translation.override(spec.language):
        words = _words()
        book = Workbook()
        ranking = book.active
        ranking.title = _("Ranking")
        ranking.append(
            [
                _("Lot"),
                _("Rank"),
                _("Supplier"),
                _("Eligible"),
                _("Life-cycle cost (EUR)"),
                _("Price points"),
                _("Quality points"),
                _("Total"),
            ]
        )
        results = book.create_sheet(_("Results"))
        results.append(
            [
                _("Lot"),
                _("Supplier"),
                _("Product line"),
                _("Manufacturer"),
                _("Model"),
                _("Criterion"),
                _("Requirement"),
                _("Result"),
                _("Evidence"),
                _("Value"),
            ]
        )
        for result in evaluation.results:
            for offer in sorted(result.offers, key=lambda r: (r.rank == 0, r.rank)):
                ranking.append(
                    [
                        result.lot.number,
                        offer.rank or None,
                        neutralise_formula(offer.offer),
                        offer.eligible,
                        round(offer.life_cycle_cost, 2),
                        round(offer.price_points, 3),
                        round(offer.quality_points, 3),
                        None if math.isnan(offer.total) else round(offer.total, 3),
                    ]
                )
            for row, (index, line) in enumerate(result.lines):
                for item in line_detail(result, row):
                    results.append(
                        [
                            result.lot.number,
                            neutralise_formula(result.catalogue.offers[index]),
                            neutralise_formula(line.line_id),
                            neutralise_formula(line.manufacturer),
                            neutralise_formula(line.model),
                            item["criterion"],
                            item["requirement"],
                            words[item["status"]],
                            words[item["evidence"]],
                            neutralise_formula(item["value"])
                            if isinstance(item["value"], str)
                            else item["value"],
                        ]
                    )
        for sheet in (ranking, results):
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
            sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
