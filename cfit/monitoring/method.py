"""The impact method (``docs/impact-method.md``) as a page: every emissions figure links to it.

The document is the method's one source, reviewed with the code; it is read from the checkout and turned
into HTML here by a small converter for the Markdown it uses (headings, paragraphs, lists, tables, code,
emphasis, links). Everything is escaped before any markup is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: The method's document, next to the package in a checkout (``make demo``, CI, the container image).
METHOD_DOCUMENT = Path(settings.BASE_DIR).parent / "docs" / "impact-method.md"
#: The method of cloud use's footprint (``cfit.cloud``), in English only.
CLOUD_METHOD_DOCUMENT = METHOD_DOCUMENT.with_name("cloud-method.md")

_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)"), r'<a href="\2" rel="noopener">\1</a>'),
]


def _inline(text: str) -> str:
    """Escaped text with code, strong, emphasis and absolute links; code spans are left as they are."""
    pieces = re.split(r"(`[^`]+`)", escape(text))
    out = []
    for piece in pieces:
        if piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
            out.append(f"<code>{piece[1:-1]}</code>")
            continue
        for pattern, replacement in _INLINE[1:]:
            piece = pattern.sub(replacement, piece)
        out.append(piece)
    return "".join(out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_markdown(text: str) -> str:
    """HTML of the Markdown subset the method's document uses."""
    lines = text.splitlines()
    html: list[str] = []
    paragraph: list[str] = []
    lists: list[tuple[int, str]] = []  # open lists: (indent, "ul" or "ol")
    i = 0

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    def close_lists(indent: int = -1) -> None:
        while lists and lists[-1][0] > indent:
            html.append(f"</li></{lists.pop()[1]}>")

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        item = re.match(r"^(\s*)([-*]|\d+\.)\s+(.*)$", line)
        if stripped.startswith("```"):
            flush()
            close_lists()
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            html.append(f"<pre><code>{escape(chr(10).join(block))}</code></pre>")
        elif not stripped:
            flush()
            if not (i + 1 < len(lines) and lists and lines[i + 1].startswith(" ")):
                close_lists()
        elif heading := re.match(r"^(#{1,6})\s+(.*)$", stripped):
            flush()
            close_lists()
            level = len(heading.group(1))
            title = heading.group(2)
            html.append(f'<h{level} id="{_slug(title)}">{_inline(title)}</h{level}>')
        elif (
            stripped.startswith("|")
            and i + 1 < len(lines)
            and re.match(r"^\s*\|[\s|:-]+\|\s*$", lines[i + 1])
        ):
            flush()
            close_lists()
            header = [c.strip() for c in stripped.strip("|").split("|")]
            body = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                body.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
                i += 1
            head = "".join(f"<th>{_inline(c)}</th>" for c in header)
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in body)
            html.append(f'<table class="small"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
            continue
        elif item:
            flush()
            indent, kind = len(item.group(1)), "ol" if item.group(2)[0].isdigit() else "ul"
            if lists and lists[-1][0] == indent:
                html.append("</li><li>")
            elif lists and lists[-1][0] > indent:
                close_lists(indent)
                html.append("</li><li>")
            else:
                lists.append((indent, kind))
                html.append(f"<{kind}><li>")
            html.append(_inline(item.group(3)))
        elif lists and line.startswith(" "):
            html.append(" " + _inline(stripped))  # a list item's next line
        else:
            close_lists()
            paragraph.append(stripped)
        i += 1
    flush()
    close_lists()
    return "\n".join(html)


def translation_of(language: str) -> Path:
    """Where the method's document in ``language`` lives (``docs/impact-method.nl.md``…)."""
    return METHOD_DOCUMENT.with_name(f"{METHOD_DOCUMENT.stem}.{language}{METHOD_DOCUMENT.suffix}")


_HEADING_ID = re.compile(r'<h([1-6]) id="([^"]*)">')


@lru_cache(maxsize=8)
def _rendered(path: Path, stamp: float, english_stamp: float) -> str:
    html = render_markdown(path.read_text(encoding="utf-8"))
    if path in (METHOD_DOCUMENT, CLOUD_METHOD_DOCUMENT):  # English originals: their own anchors
        return html
    # A translation keeps the English headings' anchors (other pages and documents link to them): the
    # n-th heading takes the n-th English id; a test keeps the translations' headings in step.
    english_ids = iter(m.group(2) for m in _HEADING_ID.finditer(_rendered(METHOD_DOCUMENT, english_stamp, 0)))
    return _HEADING_ID.sub(lambda m: f'<h{m.group(1)} id="{next(english_ids, m.group(2))}">', html)


@dataclass(frozen=True)
class MethodPage:
    html: SafeString
    language: str  #: the language of the document shown (English where no translation is installed)


def method_html(language: str = "en") -> MethodPage | None:
    """The method's document as HTML in ``language`` where a translation is installed, else in English;
    ``None`` where the document is not installed."""
    try:
        english_stamp = METHOD_DOCUMENT.stat().st_mtime
    except OSError:
        return None
    path = translation_of(language) if language != "en" else METHOD_DOCUMENT
    try:
        stamp = path.stat().st_mtime
    except OSError:
        path, stamp, language = METHOD_DOCUMENT, english_stamp, "en"
    html = _rendered(path, stamp, english_stamp)
    return MethodPage(mark_safe(html), language)  # render_markdown escapes every text


def cloud_method_html() -> MethodPage | None:
    """The cloud method's document as HTML (English); ``None`` where the document is not installed."""
    try:
        stamp = CLOUD_METHOD_DOCUMENT.stat().st_mtime
    except OSError:
        return None
    html = _rendered(CLOUD_METHOD_DOCUMENT, stamp, 0)
    return MethodPage(mark_safe(html), "en")  # render_markdown escapes every text
