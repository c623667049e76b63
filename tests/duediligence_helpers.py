"""Builders for the due-diligence tests: RMI templates filled as a supplier would, with openpyxl.

``synthetic_template`` (``cfit.duediligence.sample``) builds a small workbook with the cells of a real
CMRT/EMRT (no ../shared needed); ``fill_real`` fills a copy of the published template in ../shared/data/rmi/.
"""

from __future__ import annotations

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
    book = load_workbook(path)
    _fill(book, kind, declaration, smelters, answers or {}, language)
    return _bytes(book)
