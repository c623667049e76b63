"""Builders for the due-diligence tests: RMI templates filled as a supplier would, with openpyxl.

``synthetic_template`` (``cfit.duediligence.sample``) builds a small workbook with the cells of a real
CMRT/EMRT (no ../shared needed); ``fill_real`` fills a copy of the published template in ../shared/data/rmi/.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from cfit.duediligence.sample import (
    CMRT_LOOKUP,
    DECLARATION,
    EMRT_CELLS,
    EMRT_LOOKUP,
    _bytes,
    _fill,
    synthetic_template,
)

__all__ = ["CMRT_LOOKUP", "DECLARATION", "EMRT_CELLS", "EMRT_LOOKUP", "fill_real", "synthetic_template"]


#: Filled copies of the published templates, kept between runs (loading and saving one with openpyxl
#: takes 5-10 s; CI runs the suite twice): the file name is the hash of the template and the filling.
CACHE = Path(tempfile.gettempdir()) / "cfit-tests-rmi"


def fill_real(
    path: Path,
    *,
    kind: str,
    smelters: Sequence[Mapping[str, str]],
    declaration: Mapping[str, Any] = DECLARATION,
    answers: Mapping[str, str] | None = None,
    language: str | None = None,
) -> bytes:
    """A copy of a published template filled as a supplier would: declaration, answers, smelters."""
    template = path.read_bytes()
    key = hashlib.sha256(
        template
        + repr(
            (kind, list(smelters), sorted(declaration.items()), sorted((answers or {}).items()), language)
        ).encode()
    ).hexdigest()
    cached = CACHE / f"{key}.xlsx"
    if cached.exists():
        return cached.read_bytes()
    book = load_workbook(io.BytesIO(template))
    _fill(book, kind, declaration, smelters, answers or {}, language)
    data = _bytes(book)
    CACHE.mkdir(exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(cached)  # atomic: a parallel run never reads half a file
    return data
