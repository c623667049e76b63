"""Storing what the due-diligence core reads: a conformance list the secretariat imports, and a CMRT/EMRT
a supplier delivers as evidence. One transaction each; all or nothing."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cfit.contracts.models import Obligation, Submission
from cfit.duediligence.checks import country_findings, default_countries, lookup_findings, lookup_index
from cfit.duediligence.checks import read_conformance_list as read_list
from cfit.duediligence.models import MineralsReport, Smelter, SmelterList, SmelterStatus
from cfit.duediligence.problems import describe
from cfit.duediligence.template import TemplateReading, TemplateRefused, read_template
from cfit.tabular import read_source
from cfit.uploads import ImportRefused

log = logging.getLogger(__name__)

#: The framework's topics whose evidence is a CMRT or an EMRT (criteria-workplace-due-diligence-chemicals).
MINERALS_TOPICS = ("minerals-reporting", "smelter-conformance", "extended-minerals")
#: The template a topic's evidence is where its clause names none (``expected_templates``).
TOPIC_TEMPLATES = {
    "minerals-reporting": ("CMRT",),
    "smelter-conformance": ("CMRT",),
    "extended-minerals": ("EMRT",),
}
#: Problems of a refused template named in the message to the supplier (all are in the log).
SHOWN_PROBLEMS = 10


class MineralsReportRefused(Exception):
    """The supplier's CMRT/EMRT was refused: ``problems`` say where, in the user's language."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(" ".join([message, *problems]))
        self.message = message
        self.problems = problems


def expects_template(obligation: Obligation) -> bool:
    """Whether the obligation's evidence is a CMRT or an EMRT (the criterion's topic says so)."""
    return obligation.kind == "document" and obligation.contract_criterion.criterion.topic in MINERALS_TOPICS


def expected_templates(obligation: Obligation) -> tuple[str, ...]:
    """The templates ("CMRT", "EMRT") the obligation's evidence may be: those its clause's English text
    names (the product-level clause asks for a CMRT and an EMRT, each delivered as one file), else its
    topic's; () where its evidence is no template."""
    if not expects_template(obligation):
        return ()
    criterion = obligation.contract_criterion.criterion
    text = criterion.text.get("en", "") if isinstance(criterion.text, dict) else str(criterion.text)
    named = tuple(kind for kind in ("CMRT", "EMRT") if re.search(rf"\b{kind}\b", str(text)))
    return named or TOPIC_TEMPLATES.get(criterion.topic, ("CMRT", "EMRT"))


def templates_named(kinds: tuple[str, ...]) -> str:
    """The kinds as the user reads them: "CMRT", or "CMRT or EMRT" in the user's language."""
    if len(kinds) == 1:
        return kinds[0]
    return _("%(one)s or %(other)s") % {"one": ", ".join(kinds[:-1]), "other": kinds[-1]}


def read_evidence(obligation: Obligation, data: bytes, filename: str) -> TemplateReading | None:
    """The template a delivery holds: a workbook is read if the obligation expects a CMRT/EMRT or if it
    is one; None for other evidence (a PDF, another workbook for another obligation).
    ``MineralsReportRefused`` where a CMRT/EMRT is due and the file is not one of the kind asked: not a
    workbook (a PDF or a scan has no smelters to check), a workbook that is no template (no Declaration
    sheet), a template with errors, or the other template (an EMRT where a CMRT is asked)."""
    kinds = expected_templates(obligation)
    expected = bool(kinds)
    if not filename.strip().rstrip(".").lower().endswith((".xlsx", ".xlsm")):
        if not expected:
            return None
        raise MineralsReportRefused(
            _(
                "%(file)s is not an Excel workbook (.xlsx): this obligation asks for RMI's %(kinds)s, the "
                "workbook you filled in. Nothing was stored."
            )
            % {"file": filename, "kinds": templates_named(kinds)},
            [],
        )
    try:
        reading = read_template(data, filename)
    except TemplateRefused as error:
        if not expected and error.code == "not_a_template":
            return None
        raise MineralsReportRefused(
            _("The template was refused, nothing was stored:"),
            [describe(p) for p in error.template_problems[:SHOWN_PROBLEMS]],
        ) from None
    except ImportRefused as error:
        if not expected:
            return None
        raise MineralsReportRefused(
            _("The template was refused, nothing was stored:"),
            [str(p) for p in error.problems[:SHOWN_PROBLEMS]],
        ) from None
    if expected and reading.kind not in kinds:
        raise MineralsReportRefused(
            _(
                "%(file)s is an RMI %(kind)s, but this obligation asks for RMI's %(kinds)s: deliver "
                "that template. Nothing was stored."
            )
            % {"file": filename, "kind": reading.kind, "kinds": templates_named(kinds)},
            [],
        )
    return reading


def store_report(submission: Submission, reading: TemplateReading) -> MineralsReport:
    """The reading of a delivered template with its smelters; inside the delivery's transaction."""
    declaration = reading.declaration
    report = MineralsReport.objects.create(
        submission=submission,
        contract_id=submission.obligation.contract_id,
        kind=reading.kind,
        revision=reading.revision,
        language=reading.language[:40],
        company_name=declaration.company_name,
        authoriser=declaration.authoriser,
        effective_date=declaration.effective_date,
        scope=declaration.scope,
        declaration=dict(declaration.fields),
        answers=reading.as_dict()["answers"],
        warnings=[w.as_dict() for w in reading.warnings],
    )
    entries, names = lookup_index(reading.lookup)
    countries = default_countries()
    Smelter.objects.bulk_create(
        [
            Smelter(
                report=report,
                row=s.row,
                metal=s.metal[:32],
                smelter_id=s.smelter_id[:16],
                name=s.name,
                lookup_name=s.lookup_name,
                country=s.country,
                source=s.source,
                recycled=s.recycled[:40],
                findings=[
                    {"code": f.code, "params": dict(f.params), "column": f.column}
                    for f in [*lookup_findings(s, entries, names), *country_findings(s, countries)]
                ],
            )
            for s in reading.smelters
        ],
        batch_size=1000,
    )
    return report


@transaction.atomic
def import_smelter_list(
    source: bytes | Path, filename: str, *, as_of: date, acting_user: Any, origin: str = ""
) -> SmelterList:
    """A conformance list (CSV or XLSX: smelter id, name, metal, country, status) as the next version;
    refused as a whole (``ImportRefused``) if any row is wrong."""
    data = read_source(source, filename)
    parsed = read_list(data, filename, as_of=as_of)
    version = (SmelterList.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    smelter_list = SmelterList.objects.create(
        version=version,
        as_of=as_of,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        source=origin,
        imported_by=acting_user if acting_user is not None and acting_user.is_authenticated else None,
    )
    SmelterStatus.objects.bulk_create(
        [
            SmelterStatus(
                smelter_list=smelter_list,
                smelter_id=s.smelter_id,
                name=s.name,
                metal=s.metal[:32],
                country=s.country,
                status=s.status,
            )
            for s in parsed.smelters.values()
        ],
        batch_size=2000,
    )
    log.info("smelter list v%s (%s smelters, as of %s) imported", version, len(parsed.smelters), as_of)
    return smelter_list
