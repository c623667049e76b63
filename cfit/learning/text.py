"""A guide's body as safe HTML, without a Markdown library: paragraphs, headings and lists only.

The body is written by the secretariat in five languages; a small, fixed syntax keeps translators on
plain text and leaves no way to inject markup: every character of the text is escaped, and only the
tags made here are HTML. A paragraph is separated by an empty line; a paragraph whose first line starts
with ``## `` (or ``### ``) is a heading, one whose lines all start with ``- `` is a list. Plain Python.
"""

from __future__ import annotations

import re
from html import escape

_HEADING = re.compile(r"^(#{2,3})\s+(.+)$")


def _inline(text: str) -> str:
    return "<br>".join(escape(line.strip()) for line in text.splitlines() if line.strip())


def render_body(text: str) -> str:
    """The HTML of ``text`` (escaped); headings get ids so that a table of contents can link them."""
    blocks = [block.strip("\n") for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    html: list[str] = []
    for block in blocks:
        if not block.strip():
            continue
        lines = [line for line in block.splitlines() if line.strip()]
        heading = _HEADING.match(lines[0].strip())
        if heading and len(lines) == 1:
            level = len(heading.group(1))
            html.append(f"<h{level}>{escape(heading.group(2).strip())}</h{level}>")
        elif all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line.lstrip()[2:].strip())}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append(f"<p>{_inline(block)}</p>")
    return "\n".join(html)


def plain_text(text: str) -> str:
    """The body without its markers, for search and summaries."""
    return re.sub(r"^(#{2,3}|-)\s+", "", text, flags=re.MULTILINE)
