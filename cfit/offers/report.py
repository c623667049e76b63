"""The evaluation report, in the tender's language: DOCX for the file, XLSX for the numbers.

What a buyer needs to defend an award before a losing bidder, in one document: the award method in
full (the sentences of ``cfit.tenders.award_text``, the same the tender documents state); per lot the
ranking with cost, price and quality points and why an offer is excluded or did not bid; what would
have changed the ranking; per offer and product line the result of every requirement, with the
evidence and the answer as the supplier gave it; every override with its justification, author and
time; the receipts of the offer files; and the four-eyes sign-off, or that there is none.

Criteria and requirements are named in the tender's language, their ids in brackets. Every text
cell of the workbook that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from cfit.downloads import keep_cells_as_text, safe_cell
from cfit.offers import explain
from cfit.offers.engine import METHOD_VERSION, Evidence, Role, Status
from cfit.offers.evaluate import STATUS_WORDS, LotResult
from cfit.offers.evaluation import TenderEvaluation
from cfit.offers.models import EvaluationSignOff, Offer, OfferReceipt, ResultOverride
from cfit.offers.signoff import digest, person
from cfit.tenders.award import PriceRule
from cfit.tenders.award_text import award_method_paragraphs
from cfit.tenders.models import Tender

HEADER_FILL = PatternFill("solid", fgColor="DCEFE6")
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def locale_words() -> explain.Words:
    """``explain.Words`` for the active language: Django's gettext, number and date formats."""
    return explain.Words(
        gettext=_,
        language=translation.get_language() or "en",
        number=lambda value: formats.number_format(value, use_l10n=True),
        # Rounded first: number_format cuts a float's decimals (12 533.0999… would read 12 533,09).
        money=lambda amount: formats.number_format(
            explain.half_up(amount, 2), decimal_pos=2, use_l10n=True, force_grouping=True
        ),
        day=lambda day: formats.date_format(day, "DATE_FORMAT"),
    )


# ---------------------------------------------------------------------------
# What the report adds to the evaluation: the audit trail, receipts and sign-off
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OverrideEntry:
    lot: int
    supplier: str
    line_id: str
    requirement: str
    decision: str  #: "pass" or "fail"
    justification: str
    author: str
    at: datetime


@dataclass(frozen=True)
class ReceiptEntry:
    supplier: str
    filename: str
    via: str  #: an ``Offer.Via`` value
    size: int
    sha256: str
    at: datetime


@dataclass(frozen=True)
class SignOffEntry:
    prepared_by: str
    prepared_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    digest: str
    note: str


@dataclass(frozen=True)
class AuditRecord:
    """Everything besides the evaluation that the report states."""

    overrides: list[OverrideEntry]
    receipts: list[ReceiptEntry]
    unreceipted: list[tuple[str, datetime]]  #: offers stored with no receipt: (supplier, received)
    sign_off: SignOffEntry | None  #: the latest sign-off
    digest: str  #: of the evaluation the report shows

    @property
    def signed_off(self) -> bool:
        return (
            self.sign_off is not None
            and self.sign_off.approved_at is not None
            and self.sign_off.digest == self.digest
        )


def audit_record(tender: Tender, evaluation: TenderEvaluation) -> AuditRecord:
    """Read the overrides, receipts and sign-off of the tender (a handful of queries)."""
    overrides = [
        OverrideEntry(
            entry.line.lot,
            entry.line.offer.supplier,
            entry.line.line_id,
            entry.requirement,
            entry.decision,
            entry.justification,
            person(entry.decided_by),
            entry.decided_at,
        )
        for entry in ResultOverride.objects.filter(line__offer__in=evaluation.offers)
        .select_related("line__offer", "decided_by")
        .order_by("decided_at", "id")
    ]
    receipts = list(OfferReceipt.unscoped.filter(tender=tender).order_by("received_at", "id"))
    with_receipt = {receipt.offer_id for receipt in receipts}
    latest = (
        EvaluationSignOff.unscoped.filter(tender=tender)
        .select_related("prepared_by", "approved_by")
        .order_by("-prepared_at", "-id")
        .first()
    )
    return AuditRecord(
        overrides,
        [ReceiptEntry(r.supplier, r.filename, r.via, r.size, r.sha256, r.received_at) for r in receipts],
        [(offer.supplier, offer.submitted) for offer in evaluation.offers if offer.pk not in with_receipt],
        SignOffEntry(
            person(latest.prepared_by),
            latest.prepared_at,
            person(latest.approved_by) if latest.approved_at else None,
            latest.approved_at,
            latest.digest,
            latest.note,
        )
        if latest is not None
        else None,
        digest(evaluation),
    )


# ---------------------------------------------------------------------------
# Texts shared by both formats, in the active (the tender's) language
# ---------------------------------------------------------------------------


def _moment(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def _points(value: float) -> str:
    """Points in a table, with two decimals always, as the comparison page writes them ("100,00")."""
    return formats.number_format(explain.half_up(value, 2), decimal_pos=2, use_l10n=True)


def _status_word(status: str) -> str:
    return {"pass": _("pass"), "fail": _("fail"), "not_answered": _("not answered")}[status]


def _evidence_word(evidence: Evidence, labels: Sequence[str]) -> str:
    if evidence == Evidence.LABEL:
        return _("by label") + (f" ({', '.join(labels)})" if labels else "")
    return {
        Evidence.NONE: "—",
        Evidence.DECLARED: _("declared value"),
        Evidence.OVERRIDE: _("overridden by the buyer"),
    }.get(evidence, "—")


def _via(via: str) -> str:
    return str(Offer.Via(via).label) if via in Offer.Via.values else via


def _cost_header(result: LotResult) -> str:
    if result.method.price_rule == PriceRule.LIFE_CYCLE_COST:
        return _("Life-cycle cost (EUR)")
    return _("Price (EUR)")


def _rank_text(offer: Any) -> str:
    if not offer.bid or offer.lines == 0:
        return _("no bid")
    return str(offer.rank) if offer.eligible else _("excluded")


def _ordered(result: LotResult) -> list[tuple[int, Any]]:
    """Offers as the ranking lists them: ranked first, then excluded, then those that did not bid."""

    def key(item: tuple[int, Any]) -> tuple[int, int, str]:
        _index, offer = item
        state = 0 if offer.eligible else (2 if not offer.bid or offer.lines == 0 else 1)
        return state, offer.rank, offer.offer

    return sorted(enumerate(result.offers), key=key)


def _sign_off_lines(record: AuditRecord) -> list[tuple[str, str]]:
    sign_off = record.sign_off
    rows = [(_("Digest of this evaluation (SHA-256)"), record.digest)]
    if sign_off is None:
        return [(_("Sign-off"), _("Not signed off."))] + rows
    if record.signed_off:
        state = _("Signed off: prepared and approved by two members; the digest matches this evaluation.")
    elif sign_off.approved_at is None and sign_off.digest == record.digest:
        state = _("Not signed off: prepared, waiting for a second member's approval.")
    else:
        state = _(
            "Not signed off: the sign-off below was given on an earlier state of the evaluation "
            "(an override was recorded since)."
        )
    return [
        (_("Sign-off"), state),
        (_("Prepared by"), sign_off.prepared_by),
        (_("Prepared on"), _moment(sign_off.prepared_at)),
        (_("Approved by"), sign_off.approved_by or _("not approved yet")),
        (_("Approved on"), _moment(sign_off.approved_at)),
        (_("Signed-off digest (SHA-256)"), sign_off.digest),
        (_("Note"), sign_off.note or "—"),
        *rows,
    ]


@dataclass(frozen=True)
class RequirementRow:
    criterion: str  #: name (id)
    requirement: str  #: name (id)
    kind: str
    expected: str
    answer: str
    result: str
    evidence: str
    value: object  #: the typed answer: a number, yes/no, a date or a text


def _requirement_rows(
    result: LotResult,
    row: int,
    names: explain.Glossary,
    words: explain.Words,
    label_names: dict[str, str],
    company: dict[str, Any],
) -> Iterable[RequirementRow]:
    """Every requirement of one line; ``company`` holds the offer's company declarations, which the
    selection criteria and contract clauses are checked against."""
    _index, line = result.lines[row]
    held = set(line.labels)
    kinds = {
        Role.KNOCK_OUT: _("technical specification"),
        Role.AWARD: _("award criterion"),
        Role.INFO: _("declaration"),
    }
    for j, rule in enumerate(result.rules):
        requirement = names.requirements.get(rule.requirement)
        status = Status(int(result.checked.status[row, j]))
        evidence = Evidence(int(result.checked.evidence[row, j]))
        value = (company if rule.role == Role.INFO else line.answers).get(rule.requirement)
        labels = [label_names.get(code, code) for code in sorted(held & rule.labels)]
        yield RequirementRow(
            names.criterion(rule.criterion),
            names.requirement(rule.requirement),
            kinds[rule.role],
            explain.expected_text(requirement, words) if requirement is not None else "",
            explain.answer_text(value, requirement, words),
            _status_word(STATUS_WORDS[status]),
            _evidence_word(evidence, labels if evidence == Evidence.LABEL else []),
            value,
        )


def _line_state(result: LotResult, row: int, names: explain.Glossary, words: explain.Words) -> str:
    if result.checked.eligible[row]:
        return _("eligible")
    return _("excluded: %(reasons)s") % {
        "reasons": " ".join(explain.line_sentences(result, row, names, words))
    }


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def _document() -> Any:
    """A4 with narrow margins and a 10-point body: the tables hold up to six columns."""
    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(1.8)
        section.top_margin = section.bottom_margin = Cm(1.8)
    document.styles["Normal"].font.size = Pt(10)
    return document


def _docx_table(
    document: Any, headers: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float] = ()
) -> None:
    """A grid table with a bold header row; ``widths`` in cm (Word and LibreOffice read them per cell)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    if widths:
        table.autofit = False
    for cell, title in zip(table.rows[0].cells, headers, strict=True):
        cell.text = title
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    if widths:
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)  # the grid, which LibreOffice reads
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)  # each cell, which Word reads


def build_docx(evaluation: TenderEvaluation, record: AuditRecord) -> bytes:
    spec = evaluation.spec
    with translation.override(spec.language):
        words = locale_words()
        names = explain.glossary(spec.lots, spec.language)
        label_names = {code: label.name for code, label in spec.labels.items()}
        document = _document()
        document.add_heading(_("Evaluation report: %(title)s") % {"title": spec.title}, level=0)
        document.add_paragraph(
            _(
                "Tender %(ref)s of %(buyer)s, framework version %(version)s, evaluation method %(method)s, "
                "%(count)s offer(s). Report made on %(when)s."
            )
            % {
                "ref": spec.reference,
                "buyer": spec.buyer,
                "version": spec.framework_version,
                "method": METHOD_VERSION,
                "count": len(evaluation.offers),
                "when": _moment(timezone.now()),
            }
        )

        document.add_heading(_("Sign-off"), level=1)
        _docx_table(document, [_("Item"), _("Value")], _sign_off_lines(record), widths=(5.4, 12.0))

        for result in evaluation.results:
            _docx_lot(document, evaluation, result, names, words, label_names)
        for lot in evaluation.lots_without_offers:
            document.add_heading(_("Lot %(n)s") % {"n": lot.number} + f": {lot.title}", level=1)
            document.add_paragraph(_("No offer was received for this lot."))

        document.add_heading(_("Overrides"), level=1)
        if record.overrides:
            _docx_table(
                document,
                [_("Product line"), _("Requirement"), _("Decision"), _("Justification"), _("By, on")],
                (
                    [
                        _("%(supplier)s, lot %(lot)s, line %(line)s")
                        % {"supplier": entry.supplier, "lot": entry.lot, "line": entry.line_id},
                        names.requirement(entry.requirement),
                        _status_word(entry.decision),
                        entry.justification,
                        f"{entry.author}, {_moment(entry.at)}",
                    ]
                    for entry in record.overrides
                ),
                widths=(3.2, 3.4, 1.8, 6.0, 3.0),
            )
        else:
            document.add_paragraph(_("No result was overridden."))

        document.add_heading(_("Receipts of the offer files"), level=1)
        if record.receipts:
            _docx_table(
                document,
                [_("Supplier"), _("File"), _("Received on"), _("Size (bytes)"), "SHA-256"],
                (
                    [
                        r.supplier,
                        f"{r.filename} ({_via(r.via)})",
                        _moment(r.at),
                        str(r.size),
                        r.sha256,
                    ]
                    for r in record.receipts
                ),
                widths=(2.6, 3.6, 2.8, 1.8, 6.6),
            )
        else:
            document.add_paragraph(_("No receipt was recorded."))
        for supplier, received in record.unreceipted:
            document.add_paragraph(
                _("The offer of %(supplier)s, stored on %(when)s, has no receipt.")
                % {"supplier": supplier, "when": _moment(received)}
            )
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


def _docx_lot(
    document: Any,
    evaluation: TenderEvaluation,
    result: LotResult,
    names: explain.Glossary,
    words: explain.Words,
    label_names: dict[str, str],
) -> None:
    language = names.language
    document.add_heading(_("Lot %(n)s") % {"n": result.lot.number} + f": {result.lot.title}", level=1)
    document.add_heading(_("Award method"), level=2)
    for text in award_method_paragraphs(result.method, language):
        document.add_paragraph(text)

    document.add_heading(_("Ranking"), level=2)
    ordered = _ordered(result)
    _docx_table(
        document,
        [_("Rank"), _("Supplier"), _cost_header(result), _("Price points"), _("Quality points"), _("Total")],
        (
            [
                _rank_text(offer),
                offer.offer,
                words.money(offer.life_cycle_cost) if offer.lines else "—",
                _points(offer.price_points) if offer.eligible else "—",
                _points(offer.quality_points) if offer.eligible else "—",
                _points(offer.total) if offer.eligible and not math.isnan(offer.total) else "—",
            ]
            for _index, offer in ordered
        ),
    )
    document.add_paragraph(explain.totals_sentence(result.method, words))
    for index, offer in ordered:
        for sentence in explain.offer_sentences(
            explain.explain_offer(result, index), names, words, limit=None
        ):
            document.add_paragraph(f"{offer.offer}: {sentence}", style="List Bullet")

    if result.method.criteria:
        document.add_heading(_("Points per award criterion"), level=2)
        _docx_table(
            document,
            [_("Supplier"), _("Award criterion"), _("Points"), _("At most")],
            (
                [
                    offer.offer,
                    names.criterion(criterion.id),
                    _points(offer.criterion_points.get(criterion.id, 0.0)),
                    words.points(float(criterion.weight)),
                ]
                for _index, offer in ordered
                if offer.eligible
                for criterion in result.method.criteria
            ),
        )

    change = explain.ranking_change(result)
    if change is not None:
        document.add_heading(_("What would change the ranking"), level=2)
        for sentence in explain.ranking_change_sentences(change, names, words):
            document.add_paragraph(sentence)

    for index, name in enumerate(result.catalogue.offers):
        rows = [row for row, (i, _line) in enumerate(result.lines) if i == index]
        if not rows:
            continue
        document.add_heading(_("Offer of %(supplier)s") % {"supplier": name}, level=2)
        for row in rows:
            _i, line = result.lines[row]
            document.add_heading(f"{line.line_id}: {line.manufacturer} {line.model}", level=3)
            document.add_paragraph(
                _("%(quantity)s units at %(price)s EUR each; %(state)s.")
                % {
                    "quantity": line.quantity,
                    "price": words.money(line.unit_price),
                    "state": _line_state(result, row, names, words),
                }
            )
            _docx_table(
                document,
                [_("Requirement (criterion)"), _("Required"), _("Answer"), _("Result"), _("Evidence")],
                (
                    [
                        f"{item.requirement}\n{item.criterion}",
                        item.expected,
                        item.answer,
                        item.result,
                        item.evidence,
                    ]
                    for item in _requirement_rows(
                        result, row, names, words, label_names, evaluation.offers[index].company
                    )
                ),
                widths=(6.6, 3.0, 2.8, 1.9, 3.1),
            )


# ---------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------


def _cells(values: Iterable[object]) -> list[object]:
    """Text a spreadsheet would run as a formula (= + - @ …) is kept as text."""
    return [safe_cell(v) for v in values]


def _sheet_title(text: str) -> str:
    return SHEET_TITLE_FORBIDDEN.sub(" ", text)[:31]


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 3)


def build_xlsx(evaluation: TenderEvaluation, record: AuditRecord) -> bytes:
    spec = evaluation.spec
    with translation.override(spec.language):
        words = locale_words()
        names = explain.glossary(spec.lots, spec.language)
        label_names = {code: label.name for code, label in spec.labels.items()}
        book = Workbook()
        ranking = book.active
        ranking.title = _sheet_title(_("Ranking"))
        ranking.append(
            _cells(
                [
                    _("Lot"),
                    _("Rank"),
                    _("Supplier"),
                    _("State"),
                    _("Cost (EUR)"),
                    _("Price points"),
                    _("Quality points"),
                    _("Total"),
                    _("Why"),
                ]
            )
        )
        results = book.create_sheet(_sheet_title(_("Results")))
        results.append(
            _cells(
                [
                    _("Lot"),
                    _("Supplier"),
                    _("Product line"),
                    _("Manufacturer"),
                    _("Model"),
                    _("Criterion"),
                    _("Requirement"),
                    _("Type"),
                    _("Required"),
                    _("Answer"),
                    _("Result"),
                    _("Evidence"),
                    _("Value"),
                ]
            )
        )
        points = book.create_sheet(_sheet_title(_("Points per award criterion")))
        points.append(_cells([_("Lot"), _("Supplier"), _("Criterion"), _("Points"), _("At most")]))
        method = book.create_sheet(_sheet_title(_("Award method")))
        method.append(_cells([_("Lot"), _("Award method")]))
        for result in evaluation.results:
            lot = result.lot.number
            for text in award_method_paragraphs(result.method, spec.language):
                method.append(_cells([lot, text]))
            for index, offer in _ordered(result):
                explanation = explain.explain_offer(result, index)
                ranking.append(
                    _cells(
                        [
                            lot,
                            offer.rank or None,
                            offer.offer,
                            _rank_text(offer) if not offer.eligible else _("ranked"),
                            round(offer.life_cycle_cost, 2) if offer.lines else None,
                            _number(offer.price_points) if offer.eligible else None,
                            _number(offer.quality_points) if offer.eligible else None,
                            _number(offer.total) if offer.eligible else None,
                            " ".join(explain.offer_sentences(explanation, names, words, limit=None)),
                        ]
                    )
                )
                if offer.bid and offer.lines:
                    for criterion in result.method.criteria:
                        points.append(
                            _cells(
                                [
                                    lot,
                                    offer.offer,
                                    names.criterion(criterion.id),
                                    _number(offer.criterion_points.get(criterion.id, 0.0))
                                    if offer.eligible
                                    else None,
                                    float(criterion.weight),
                                ]
                            )
                        )
            for row, (index, line) in enumerate(result.lines):
                supplier = result.catalogue.offers[index]
                company = evaluation.offers[index].company
                for item in _requirement_rows(result, row, names, words, label_names, company):
                    value = item.value
                    results.append(
                        _cells(
                            [
                                lot,
                                supplier,
                                line.line_id,
                                line.manufacturer,
                                line.model,
                                item.criterion,
                                item.requirement,
                                item.kind,
                                item.expected,
                                item.answer,
                                item.result,
                                item.evidence,
                                value
                                if isinstance(value, int | float) and not isinstance(value, bool)
                                else None,
                            ]
                        )
                    )
        for lot_spec in evaluation.lots_without_offers:
            ranking.append(_cells([lot_spec.number, *[None] * 7, _("No offer was received for this lot.")]))
        overrides = book.create_sheet(_sheet_title(_("Overrides")))
        overrides.append(
            _cells(
                [
                    _("Lot"),
                    _("Supplier"),
                    _("Product line"),
                    _("Requirement"),
                    _("Decision"),
                    _("Justification"),
                    _("By"),
                    _("On"),
                ]
            )
        )
        for entry in record.overrides:
            overrides.append(
                _cells(
                    [
                        entry.lot,
                        entry.supplier,
                        entry.line_id,
                        names.requirement(entry.requirement),
                        _status_word(entry.decision),
                        entry.justification,
                        entry.author,
                        _moment(entry.at),
                    ]
                )
            )
        receipts = book.create_sheet(_sheet_title(_("Receipts of the offer files")))
        receipts.append(
            _cells([_("Supplier"), _("File"), _("Received"), _("Received on"), _("Size (bytes)"), "SHA-256"])
        )
        for receipt in record.receipts:
            receipts.append(
                _cells(
                    [
                        receipt.supplier,
                        receipt.filename,
                        _via(receipt.via),
                        _moment(receipt.at),
                        receipt.size,
                        receipt.sha256,
                    ]
                )
            )
        sign_off = book.create_sheet(_sheet_title(_("Sign-off")))
        sign_off.append(_cells([_("Item"), _("Value")]))
        for label, value in _sign_off_lines(record):
            sign_off.append(_cells([label, value]))
        for sheet in book.worksheets:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
            sheet.freeze_panes = "A2"
        keep_cells_as_text(book)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
