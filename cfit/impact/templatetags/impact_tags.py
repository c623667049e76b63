from __future__ import annotations

from typing import Any

from django import template

from cfit.impact.titles import source_title as _source_title

register = template.Library()


@register.filter
def source_title(source: Any) -> str:
    """``{{ s|source_title }}``: a source's title, cfit's own in the reader's language."""
    return _source_title(source)
