"""The titles of the impact factors' sources as a page shows them.

A source's title is data and stays as published (a report keeps the title of its language of
publication). cfit's own sources, its modelling choices, are cfit's words: the factor files keep their
English title, and a page shows it in the reader's language through gettext (the title here is the
message; tests/test_every_word_translated.py holds it to the file's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

#: Source id -> cfit's words for it.
OWN_SOURCES = {
    "cfit-proposal": _("cfit modelling choice (a proposal of ours, not a published figure)"),
}


def source_title(source: Any) -> str:
    """The title of a source (a ``Source``, a ``FootprintSource`` or its dictionary) for the reader."""
    if isinstance(source, Mapping):
        source_id, title = source.get("id", ""), source.get("title", "")
    else:
        source_id, title = getattr(source, "id", ""), getattr(source, "title", "")
    own = OWN_SOURCES.get(str(source_id))
    return str(own) if own is not None else str(title or source_id)
