"""The tender annex: one neutral document, rendered as DOCX (python-docx) and ODT (odfpy).

All fixed wording is translated with Django's i18n in the tender's language; criterion texts come
from the framework in that language.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from cfit.criteria.content import CriterionType, DataType, Requirement
from cfit.criteria.typography import french, semicolon
from cfit.criteria.wording import threshold_text, unit_label
from cfit.tenders.award import PriceRule
from cfit.tenders.award_text import award_method_paragraphs, criterion_description, price_noun
from cfit.tenders.spec import ChosenCriterion, LotSpec, TenderSpec

TYPE_ORDER = [
    CriterionType.SELECTION_CRITERION,
    CriterionType.TECHNICAL_SPECIFICATION,
    CriterionType.AWARD_CRITERION,
    CriterionType.CONTRACT_PERFORMANCE_CLAUSE,
]


@dataclass
class Heading:
    text: str
    level: int


@dataclass
class Paragraph:
    text: str
    bold_lead: str = ""  #: a bold label before the text, e.g. "Verification:"


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Document:
    title: str
    blocks: list[Heading | Paragraph | Table] = field(default_factory=list)

    def add(self, block: Heading | Paragraph | Table) -> None:
        self.blocks.append(block)


def type_heading(kind: CriterionType) -> str:
    return str(
        {
            CriterionType.SELECTION_CRITERION: _("Selection criteria"),
            CriterionType.TECHNICAL_SPECIFICATION: _("Technical specifications"),
            CriterionType.AWARD_CRITERION: _("Award criteria"),
            CriterionType.CONTRACT_PERFORMANCE_CLAUSE: _("Contract performance clauses"),
        }[kind]
    )


def answer_type(requirement: Requirement) -> str:
    names = {
        DataType.BOOLEAN: _("Yes/no"),
        DataType.NUMBER: _("Number"),
        DataType.INTEGER: _("Whole number"),
        DataType.STRING: _("Text"),
        DataType.ENUMERATION: _("One of a list"),
        DataType.DATE: _("Date"),
    }
    unit = f" ({unit_label(requirement.unit)})" if requirement.unit else ""
    return str(names[requirement.data_type]) + unit


expected = threshold_text


def build_annex(spec: TenderSpec) -> Document:
    lang = spec.language
    with translation.override(lang):
        doc = Document(title=_("Annex: circular and fair ICT criteria"))
        doc.add(Paragraph(spec.title, bold_lead=_("Tender:")))
        doc.add(Paragraph(spec.reference, bold_lead=_("Reference:")))
        if spec.buyer:
            doc.add(Paragraph(spec.buyer, bold_lead=_("Contracting authority:")))
        doc.add(
            Paragraph(
                _("Circular & Fair ICT Pact criteria framework, version %(v)s")
                % {"v": spec.framework_version},
                bold_lead=_("Criteria:"),
            )
        )
        doc.add(
            Paragraph(
                _(
                    "Where a label is accepted as proof, an equivalent label or other appropriate means of proof, "
                    "such as a technical dossier or a test report from a conformity assessment body, is accepted too. "
                    "Tenderers answer every requirement in the supplier response template that comes with this annex."
                )
            )
        )
        for lot in spec.lots:
            _add_lot(doc, spec, lot)
    return _typeset(doc) if lang == "fr" else doc


def _typeset(doc: Document) -> Document:
    """The French annex with French spacing throughout (``typography.french``): the framework's texts
    have it already, and so it holds for the catalogue's wording and for the values put between."""
    blocks: list[Heading | Paragraph | Table] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            blocks.append(Heading(french(block.text), block.level))
        elif isinstance(block, Paragraph):
            blocks.append(Paragraph(french(block.text), french(block.bold_lead)))
        else:
            blocks.append(
                Table(
                    [french(h) for h in block.header], [[french(cell) for cell in row] for row in block.rows]
                )
            )
    return Document(french(doc.title), blocks)


def _add_lot(doc: Document, spec: TenderSpec, lot: LotSpec) -> None:
    lang = spec.language
    doc.add(Heading(_("Lot %(n)s: %(title)s") % {"n": lot.number, "title": lot.title}, 1))
    doc.add(
        Table(
            [_("Product group"), _("Quantity"), _("CPV code"), _("Expected service life")],
            [
                [
                    lot.product_group.name[lang],
                    str(lot.quantity),
                    lot.cpv,
                    _("%(n)s years") % {"n": lot.service_life_years},
                ]
            ],
        )
    )
    for kind in TYPE_ORDER:
        chosen = lot.of_type(kind)
        if not chosen:
            continue
        doc.add(Heading(type_heading(kind), 2))
        for item in chosen:
            _add_criterion(doc, spec, lot, item)
        if kind == CriterionType.AWARD_CRITERION:
            _add_award_method(doc, lot, lang)
        if kind == CriterionType.CONTRACT_PERFORMANCE_CLAUSE:
            _add_reporting(doc, spec, chosen)
    if not lot.of_type(CriterionType.AWARD_CRITERION):
        _add_award_method(doc, lot, lang)


def _add_criterion(doc: Document, spec: TenderSpec, lot: LotSpec, item: ChosenCriterion) -> None:
    lang = spec.language
    criterion = item.criterion
    doc.add(Heading(f"{criterion.id} — {criterion.title[lang]}", 3))
    if item.type != criterion.type:
        doc.add(
            Paragraph(
                _("In this tender this criterion is used as: %(type)s.")
                % {"type": type_heading(item.type).lower()}
            )
        )
    doc.add(Paragraph(criterion.text[lang]))
    labels = [
        spec.labels[code].name_in(lang) for code in criterion.verification.labels if code in spec.labels
    ]
    proof = criterion.verification.documents[lang]
    if labels:
        proof = (
            _("Accepted labels (or equivalent): %(labels)s.") % {"labels": ", ".join(labels)} + " " + proof
        )
    doc.add(Paragraph(proof, bold_lead=_("Verification:")))
    if item.type == CriterionType.AWARD_CRITERION:
        doc.add(Paragraph(_("%(w)s points") % {"w": _points(item.weight)}, bold_lead=_("Weight:")))
        scored = next((c for c in lot.award_method.criteria if c.id == criterion.id), None)
        if scored is not None:
            doc.add(Paragraph(criterion_description(scored, lang), bold_lead=_("Scoring:")))
    doc.add(
        Table(
            [_("Requirement id"), _("Requirement"), _("Answer"), _("Expected"), _("Proved by label")],
            [
                [
                    r.id,
                    r.title[lang],
                    answer_type(r),
                    expected(r),
                    ", ".join(spec.labels[c].name_in(lang) for c in r.satisfied_by_labels if c in spec.labels)
                    or "—",
                ]
                for r in criterion.requirements
            ],
        )
    )


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _add_award_method(doc: Document, lot: LotSpec, language: str) -> None:
    """The lot's award method in full, from the object the engine scores with."""
    method = lot.award_method
    doc.add(Heading(_("Award method and weights"), 3))
    rows = [
        [
            price_noun(method).capitalize(),
            _("Price") if method.price_rule == PriceRule.PRICE else _("Cost"),
            _points(method.price_weight),
        ]
    ]
    rows += [
        [f"{c.title.get(language, c.id)} ({c.id})", _("Quality"), _points(c.weight)] for c in method.criteria
    ]
    doc.add(Table([_("Award criterion"), _("Type"), _("Weight")], rows))
    paragraphs = award_method_paragraphs(method, language)
    doc.add(Paragraph(paragraphs[0]))
    doc.add(Paragraph(paragraphs[1], bold_lead=_("Scoring:")))
    for text in paragraphs[2:]:
        doc.add(Paragraph(text))


def _add_reporting(doc: Document, spec: TenderSpec, clauses: list[ChosenCriterion]) -> None:
    lang = spec.language
    doc.add(Heading(_("What the supplier reports, and when"), 3))
    doc.add(
        Table(
            [_("Clause"), _("The supplier reports"), _("When")],
            [
                [
                    c.criterion.id,
                    semicolon(lang).join(r.title[lang] for r in c.criterion.requirements),
                    _("Yearly, and at the end of the contract"),
                ]
                for c in clauses
            ],
        )
    )


# ---------------------------------------------------------------------------
# Renderers
# ---------------------------------------------------------------------------


def render_docx(doc: Document) -> bytes:
    from docx import Document as WordDocument
    from docx.shared import Pt

    word = WordDocument()
    word.core_properties.title = doc.title
    word.styles["Normal"].font.size = Pt(10)
    word.add_heading(doc.title, 0)
    for block in doc.blocks:
        if isinstance(block, Heading):
            word.add_heading(block.text, block.level)
        elif isinstance(block, Paragraph):
            paragraph = word.add_paragraph()
            if block.bold_lead:
                paragraph.add_run(block.bold_lead + " ").bold = True
            paragraph.add_run(block.text)
        else:
            table = word.add_table(rows=1, cols=len(block.header))
            table.style = "Light Grid Accent 1"
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
            word.add_paragraph()
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def render_odt(doc: Document) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TableColumnProperties, TextProperties
    from odf.table import Table as OdfTable
    from odf.table import TableCell, TableColumn, TableRow
    from odf.text import H, P, Span

    odt = OpenDocumentText()
    bold = Style(name="Bold", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    odt.automaticstyles.addElement(bold)
    headings = {}
    for level, size in ((0, "18pt"), (1, "15pt"), (2, "13pt"), (3, "11pt")):
        style = Style(name=f"Heading{level}", family="paragraph")
        style.addElement(TextProperties(fontsize=size, fontweight="bold"))
        style.addElement(ParagraphProperties(margintop="0.3cm", marginbottom="0.15cm"))
        odt.styles.addElement(style)
        headings[level] = style
    column = Style(name="Col", family="table-column")
    column.addElement(TableColumnProperties(columnwidth="3.4cm"))
    odt.automaticstyles.addElement(column)

    odt.text.addElement(H(outlinelevel=1, stylename=headings[0], text=doc.title))
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            odt.text.addElement(
                H(outlinelevel=block.level + 1, stylename=headings[min(block.level, 3)], text=block.text)
            )
        elif isinstance(block, Paragraph):
            paragraph = P()
            if block.bold_lead:
                paragraph.addElement(Span(stylename=bold, text=block.bold_lead + " "))
            paragraph.addText(block.text)
            odt.text.addElement(paragraph)
        else:
            table = OdfTable(name=f"Table{index}")
            table.addElement(TableColumn(numbercolumnsrepeated=len(block.header), stylename=column))
            for row_index, row in enumerate([block.header, *block.rows]):
                table_row = TableRow()
                for text in row:
                    cell = TableCell(valuetype="string")
                    paragraph = P()
                    if row_index == 0:
                        paragraph.addElement(Span(stylename=bold, text=text))
                    else:
                        paragraph.addText(text)
                    cell.addElement(paragraph)
                    table_row.addElement(cell)
                table.addElement(table_row)
            odt.text.addElement(table)
    buffer = io.BytesIO()
    odt.write(buffer)
    return buffer.getvalue()
