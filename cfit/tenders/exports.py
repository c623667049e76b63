"""Every export format of a tender, by name: one place for the CLI, the API and the pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from cfit.tenders import annex, eforms, opendata, response_template
from cfit.tenders.spec import TenderSpec


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    content_type: str
    render: Callable[[TenderSpec], bytes]


def _json(document: object) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


FORMATS = {
    f.name: f
    for f in (
        ExportFormat(
            "docx",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            lambda spec: annex.render_docx(annex.build_annex(spec)),
        ),
        ExportFormat(
            "odt",
            "odt",
            "application/vnd.oasis.opendocument.text",
            lambda spec: annex.render_odt(annex.build_annex(spec)),
        ),
        ExportFormat(
            "xlsx-template",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            response_template.build_response_template,
        ),
        ExportFormat(
            "ocds", "json", "application/json", lambda spec: _json(opendata.ocds_release_package(spec))
        ),
        ExportFormat("eforms", "xml", "application/xml", eforms.contract_notice),
    )
}


def filename(spec: TenderSpec, fmt: ExportFormat) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in spec.reference) or "tender"
    suffix = {
        "docx": "annex",
        "odt": "annex",
        "xlsx-template": "response-template",
        "ocds": "ocds",
        "eforms": "eforms",
    }[fmt.name]
    return f"{safe}-{suffix}.{fmt.extension}"
