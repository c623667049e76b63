"""Charts as inline SVG, drawn on the server: no script, no external library, readable by screen readers.

Each chart is a ``<figure>`` with a titled ``<svg role="img">`` and, under a disclosure, the table of
its numbers, so that what is drawn can also be read and copied. Texts are escaped; numbers are
formatted here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ("#0b6e4f", "#1f5f8b", "#c47f00", "#8b1c1c", "#6b4fa0", "#4f7f7f", "#9a9a3a", "#5b6b70")
#: The drawing's own units. The SVG is scaled to the width of its box: about 500 px in a column of a
#: desktop page, 340 px on a phone. At 640 units wide its 11-unit texts came out at 8.5 and 5.8 px;
#: at 480 the 14-unit texts (``FONT``, the style sheet's size for them) read at 14 and 9.8 px, and at 9 px still
#: when slanted names widen the view (``Axis.overhang``).
WIDTH = 480
PLOT_HEIGHT = 190  #: the bars' area; the labels under it take what they need (``category_axis``)
LEFT, TOP, RIGHT = 52, 16, 10
FONT = 14
#: The average advance of a character of the page's sans-serif font, as a share of its size: the
#: server fits labels without a browser to measure them, so this errs on the wide side.
ADVANCE = 0.62
SLANT = 50  #: degrees: the slope of labels too long for their bar even on two lines
LONGEST = 24  #: characters of a slanted label; a longer one is cut, in full in its tooltip and table


def number(value: float) -> str:
    """A chart's number in the active language's separators: 12,345 / 12.345 / 12 345; 2.5 / 2,5."""
    if abs(value) >= 10_000:
        return number_format(round(value / 1000), 0, force_grouping=True) + "k"
    if abs(value) >= 100:
        return number_format(round(value), 0, force_grouping=True)
    rounded = round(value, 1)
    return number_format(rounded, 0 if float(rounded).is_integer() else 1, force_grouping=True)


def ticks(top: float) -> list[float]:
    """The values of the horizontal grid lines up to ``top``: 0 and at most five round steps."""
    if top <= 0:
        return [0.0]
    step = 10 ** len(str(int(top))) / 10
    while top / step > 5:
        step *= 2
    return [step * i for i in range(int(top // step) + 1)]


def _width(text: str) -> float:
    return len(text) * FONT * ADVANCE


def _two_lines(label: str, room: float) -> list[str] | None:
    """The label broken at spaces into at most two lines that each fit ``room``, or None."""
    lines: list[str] = []
    for word in label.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and _width(joined) <= room:
            lines[-1] = joined
        else:
            lines.append(word)
    if len(lines) > 2 or any(_width(line) > room for line in lines):
        return None
    return lines


@dataclass(frozen=True)
class Axis:
    """The names under a chart's bars (``svg``), the height they take below the axis line, and how far
    the first slanted ones reach left of the drawing (``overhang``, in units): the chart widens its
    view by as much, so that no name is cut off."""

    svg: str
    below: float
    overhang: float = 0.0

    def view_box(self) -> str:
        return f"{-self.overhang:.0f} 0 {WIDTH + self.overhang:.0f} {TOP + PLOT_HEIGHT + self.below:.0f}"


def category_axis(labels: Sequence[str], centres: Sequence[float], slot: float, axis: float) -> Axis:
    """The names under the bars, centred at ``centres`` under the axis line at ``axis``, fitted to the
    ``slot`` each bar has: on one line when every name fits; else broken at spaces onto two lines
    when every name fits so; else slanted, each cut at ``LONGEST`` characters (the full name is in the
    tooltip and in the table of numbers). Names never overlap, in any language."""
    room = slot * 0.94
    line = FONT * 1.15
    if all(_width(label) <= room for label in labels):
        texts = [
            f'<text x="{x:.1f}" y="{axis + line + 2:.1f}" class="label" text-anchor="middle">{escape(label)}</text>'
            for label, x in zip(labels, centres, strict=True)
        ]
        return Axis("".join(texts), line + 8)
    broken = [_two_lines(label, room) for label in labels]
    if all(lines is not None for lines in broken):
        texts = []
        for lines, x in zip(broken, centres, strict=True):
            assert lines is not None
            spans = "".join(
                f'<tspan x="{x:.1f}" dy="{0 if i == 0 else line:.1f}">{escape(text)}</tspan>'
                for i, text in enumerate(lines)
            )
            texts.append(
                f'<text x="{x:.1f}" y="{axis + line + 2:.1f}" class="label" text-anchor="middle">{spans}</text>'
            )
        return Axis("".join(texts), 2 * line + 8)
    # Slanted, ending under the middle of the bar: parallel names are slot × sin(SLANT) apart, more
    # than a line's height for any slot a chart has (a 14-unit font needs 21 units of slot).
    angle = math.radians(SLANT)
    cut = [label if len(label) <= LONGEST else label[: LONGEST - 1].rstrip() + "…" for label in labels]
    ends = [x + FONT * 0.35 for x in centres]
    texts = [
        f'<text transform="translate({end:.1f} {axis + 8:.1f}) rotate(-{SLANT})" class="label" '
        f'text-anchor="end">{"<title>" + escape(label) + "</title>" if short != label else ""}{escape(short)}</text>'
        for label, short, end in zip(labels, cut, ends, strict=True)
    ]
    longest = max((_width(short) for short in cut), default=0.0)
    reach = min(
        (end - _width(short) * math.cos(angle) for short, end in zip(cut, ends, strict=True)), default=0.0
    )
    return Axis(
        "".join(texts),
        longest * math.sin(angle) + FONT * math.cos(angle) + 12,
        overhang=max(0.0, 4 - reach),
    )


def stacked_bars(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str,
) -> SafeString:
    """Vertical bars, one per label, stacked by series (a single series is a plain bar chart)."""
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top = max(totals, default=0.0) * 1.08 or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    slot = plot_w / max(len(labels), 1)
    bar = min(slot * 0.7, 56.0)
    parts: list[str] = []
    for tick in ticks(top):
        y = TOP + plot_h - tick / top * plot_h
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{number(tick)}</text>'
        )
    for i, label in enumerate(labels):
        x = LEFT + i * slot + (slot - bar) / 2
        base: float = TOP + plot_h
        for k, (name, values) in enumerate(series):
            height = max(values[i], 0.0) / top * plot_h
            base -= height
            tip = f"{label} · {name}" if len(series) > 1 else label
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(tip)}: {number(values[i])} {escape(unit)}</title></rect>'
            )
    axis = category_axis(labels, [LEFT + (i + 0.5) * slot for i in range(len(labels))], slot, TOP + plot_h)
    parts.append(axis.svg)
    legend = ""
    if len(series) > 1:
        items = "".join(
            f'<li><span style="background:{PALETTE[k % len(PALETTE)]}"></span>{escape(name)}</li>'
            for k, (name, _) in enumerate(series)
        )
        legend = f'<ul class="legend">{items}</ul>'
    head = "<tr><th></th>" + "".join(f'<th class="num">{escape(name)}</th>' for name, _ in series) + "</tr>"
    body = "".join(
        f"<tr><th>{escape(label)}</th>"
        + "".join(f'<td class="num">{number(values[i])}</td>' for _, values in series)
        + "</tr>"
        for i, label in enumerate(labels)
    )
    chart_id = escape(chart_id)
    numbers = escape(_("The numbers"))  # outside the f-string: xgettext does not read inside one
    return mark_safe(  # every text above went through escape()
        f'<figure class="chart" id="{chart_id}"><figcaption>{escape(title)} <span class="muted">({escape(unit)})</span></figcaption>'
        f'<svg viewBox="{axis.view_box()}" role="img" aria-labelledby="{chart_id}-title">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(parts)}</svg>{legend}'
        f'<details><summary>{numbers}</summary><table class="small"><thead>{head}</thead>'
        f"<tbody>{body}</tbody></table></details></figure>"
    )
