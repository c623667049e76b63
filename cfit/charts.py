"""Charts as inline SVG, drawn on the server: no script, no external library, readable by screen readers.

Each chart is a ``<figure>`` with a titled ``<svg role="img">`` and, under a disclosure, the table of
its numbers, so that what is drawn can also be read and copied. Texts are escaped; numbers are
formatted here.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ("#0b6e4f", "#1f5f8b", "#c47f00", "#8b1c1c", "#6b4fa0", "#4f7f7f", "#9a9a3a", "#5b6b70")
WIDTH, HEIGHT = 640, 260
LEFT, BOTTOM, TOP = 56, 36, 16


def number(value: float) -> str:
    """A chart's number in the active language's separators: 12,345 / 12.345 / 12 345; 2.5 / 2,5."""
    if abs(value) >= 10_000:
        return number_format(round(value / 1000), 0, force_grouping=True) + "k"
    if abs(value) >= 100:
        return number_format(round(value), 0, force_grouping=True)
    rounded = round(value, 1)
    return number_format(rounded, 0 if float(rounded).is_integer() else 1, force_grouping=True)


def _ticks(top: float) -> list[float]:
    if top <= 0:
        return [0.0]
    step = 10 ** len(str(int(top))) / 10
    while top / step > 5:
        step *= 2
    return [step * i for i in range(int(top // step) + 1)]


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
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(labels), 1)
    bar = min(slot * 0.7, 64.0)
    parts: list[str] = []
    for tick in _ticks(top):
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
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" class="label" text-anchor="middle">{escape(label)}</text>'
        )
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
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(parts)}</svg>{legend}'
        f'<details><summary>{numbers}</summary><table class="small"><thead>{head}</thead>'
        f"<tbody>{body}</tbody></table></details></figure>"
    )
