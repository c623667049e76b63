"""Charts of collective results as inline SVG, in the style of ``cfit.charts``, for figures that may be
hidden by the disclosure rules or carry a range.

A bar is drawn only for a shown figure: a hidden one leaves a gap, and the table of numbers under the
chart says why it is hidden. A figure with a low and a high bound is drawn with a whisker from low to
high, and the table gives all three. What a chart shows is therefore never more than the results table
shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cfit.charts import LEFT, PALETTE, PLOT_HEIGHT, RIGHT, TOP, WIDTH, category_axis, number, ticks


@dataclass(frozen=True)
class Point:
    """One figure of a chart: shown (``value``, maybe with bounds) or hidden (``hidden``, why)."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    hidden: str = ""  #: the reason, in the reader's words, for a figure the rules hide

    @property
    def shown(self) -> bool:
        return self.value is not None and not self.hidden

    def text(self) -> str:
        if self.hidden:
            return _("hidden: %(reason)s") % {"reason": self.hidden}
        if self.value is None:
            return "—"
        if self.low is not None and self.high is not None:
            return f"{number(self.value)} ({number(self.low)} – {number(self.high)})"
        return number(self.value)


Series = tuple[str, Sequence[Point | None]]


def bars(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str,
    *,
    stacked: bool,
    counts: tuple[str, Sequence[int]] | None = None,
) -> SafeString:
    """Bars per label: stacked by series, or side by side (``stacked=False``, where ranges are drawn).

    ``counts`` (its heading, then a number per label): how many the label's figures are made of, the
    first column of the table of numbers (e.g. the notices a share is of)."""
    shown = [[p if p is not None and p.shown else None for p in points] for _, points in series]
    if stacked:
        tops: list[float] = [
            sum(p.value or 0.0 for p in (s[i] for s in shown) if p is not None) for i in range(len(labels))
        ]
    else:
        tops = [(p.high if p.high is not None else p.value) or 0.0 for s in shown for p in s if p is not None]
    top = max([*tops, 0.0]) * 1.08 or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    slot = plot_w / max(len(labels), 1)
    width = min(slot * 0.7, 56.0)
    base_y = TOP + plot_h

    def y(value: float) -> float:
        return base_y - max(value, 0.0) / top * plot_h

    parts: list[str] = []
    for tick in ticks(top):
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" class="tick" text-anchor="end">{number(tick)}</text>'
        )
    for i, label in enumerate(labels):
        x0 = LEFT + i * slot + (slot - width) / 2
        stack = 0.0
        for k, (name, _points) in enumerate(series):
            point = shown[k][i]
            if point is None or point.value is None:
                continue
            tip = escape(f"{label} · {name}" if len(series) > 1 else label)
            colour = PALETTE[k % len(PALETTE)]
            if stacked:
                parts.append(
                    f'<rect x="{x0:.1f}" y="{y(stack + point.value):.1f}" width="{width:.1f}" '
                    f'height="{y(stack) - y(stack + point.value):.1f}" fill="{colour}"><title>{tip}: '
                    f"{escape(point.text())} {escape(unit)}</title></rect>"
                )
                stack += point.value
                continue
            each = width / len(series)
            x = x0 + k * each
            parts.append(
                f'<rect x="{x:.1f}" y="{y(point.value):.1f}" width="{each * 0.9:.1f}" '
                f'height="{base_y - y(point.value):.1f}" fill="{colour}"><title>{tip}: '
                f"{escape(point.text())} {escape(unit)}</title></rect>"
            )
            if point.low is not None and point.high is not None:
                middle = x + each * 0.45
                parts.append(
                    f'<path class="range" d="M{middle:.1f} {y(point.low):.1f}V{y(point.high):.1f}'
                    f'M{middle - 4:.1f} {y(point.low):.1f}h8M{middle - 4:.1f} {y(point.high):.1f}h8" '
                    'stroke="#222" stroke-width="1.5" fill="none"/>'
                )
    axis = category_axis(labels, [LEFT + (i + 0.5) * slot for i in range(len(labels))], slot, base_y)
    parts.append(axis.svg)
    legend = ""
    if len(series) > 1:
        items = "".join(
            f'<li><span style="background:{PALETTE[k % len(PALETTE)]}"></span>{escape(name)}</li>'
            for k, (name, _points) in enumerate(series)
        )
        legend = f'<ul class="legend">{items}</ul>'
    hidden = any(p is not None and p.hidden for _, points in series for p in points)
    # the messages outside the f-strings: xgettext (makemessages) does not read inside one
    gaps = _("Gaps are figures hidden by the disclosure rules; the numbers say why.")
    whiskers = _("Whiskers: from the low to the high bound.")
    note = f'<p class="small muted">{escape(gaps)}</p>' if hidden else ""
    if not stacked and any(p is not None and p.low is not None for s in shown for p in s):
        note += f'<p class="small muted">{escape(whiskers)}</p>'
    count_head = f'<th class="num">{escape(counts[0])}</th>' if counts else ""
    head = (
        f"<tr><th></th>{count_head}"
        + "".join(f'<th class="num">{escape(name)}</th>' for name, _p in series)
        + "</tr>"
    )
    body = "".join(
        f"<tr><th>{escape(label)}</th>"
        + (
            f'<td class="num">{escape(number_format(counts[1][i], 0, force_grouping=True))}</td>'
            if counts
            else ""
        )
        + "".join(
            f'<td class="num">{escape(point.text() if point is not None else "—")}</td>'
            for point in (points[i] for _name, points in series)
        )
        + "</tr>"
        for i, label in enumerate(labels)
    )
    chart_id = escape(chart_id)
    numbers = escape(_("The numbers"))
    return mark_safe(  # every text above went through escape()
        f'<figure class="chart" id="{chart_id}"><figcaption>{escape(title)} <span class="muted">({escape(unit)})</span></figcaption>'
        f'<svg viewBox="{axis.view_box()}" role="img" aria-labelledby="{chart_id}-title">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(parts)}</svg>{legend}{note}'
        f'<details><summary>{numbers}</summary><table class="small"><thead>{head}</thead>'
        f"<tbody>{body}</tbody></table></details></figure>"
    )
