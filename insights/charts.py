"""Accessible charts as inline SVG, drawn on the server.

No JavaScript and no style attributes (the Content Security Policy forbids them): shapes use SVG
presentation attributes and classes from insights/static/insights/insights.css. Each chart is
`role="img"` with a title and a description naming what it shows; the same numbers are always in
the table next to it, which is what screen reader users should read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from core.clock import LONDON

LABEL_WIDTH = 300
BAR_AREA = 460
VALUE_WIDTH = 140
ROW_HEIGHT = 28
BAR_HEIGHT = 18
WIDTH = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH


@dataclass
class Bar:
    label: str
    value: Decimal | int | float | None
    text: str
    series: int = 0


def _markup(parts: list[str]) -> Markup:
    # Every piece of text put into `parts` went through `escape`; numbers are formatted by us.
    return Markup("".join(parts))  # noqa: S704


def _truncate(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg class="insights-chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: list[Bar],
    legend: list[str] | None = None,
) -> Markup:
    """Horizontal bars, one row per bar, labelled on the left and with the value written after it."""
    top = 28 if legend else 4
    height = top + max(len(bars), 1) * ROW_HEIGHT + 8
    parts = _open(chart_id, title, description, height)
    if legend:
        x = LABEL_WIDTH
        for index, name in enumerate(legend):
            parts.append(f'<rect class="insights-bar insights-bar--{index}" x="{x}" y="4" width="14" height="14"/>')
            parts.append(f'<text class="insights-text" x="{x + 20}" y="16">{escape(name)}</text>')
            x += 30 + 8 * len(name)
    largest = max((float(b.value) for b in bars if b.value is not None), default=0.0)
    if not bars:
        parts.append(f'<text class="insights-text" x="0" y="{top + 18}">Nothing to show for these filters.</text>')
    for index, bar in enumerate(bars):
        y = top + index * ROW_HEIGHT
        width = 0.0 if not largest or bar.value is None else max(float(bar.value) / largest * BAR_AREA, 0.0)
        parts.append(
            f'<text class="insights-text insights-text--label" x="{LABEL_WIDTH - 8}" y="{y + 14}" '
            f'text-anchor="end">{escape(_truncate(bar.label))}</text>'
        )
        parts.append(
            f'<rect class="insights-bar insights-bar--{bar.series}" x="{LABEL_WIDTH}" y="{y}" '
            f'width="{width:.1f}" height="{BAR_HEIGHT}"/>'
        )
        parts.append(
            f'<text class="insights-text" x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 14}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return _markup(parts)


@dataclass
class Span:
    label: str
    start: datetime.datetime | None
    end: datetime.datetime | None
    marker: datetime.datetime | None
    series: int = 0


def timeline_chart(*, chart_id: str, title: str, description: str, spans: list[Span], legend: list[str]) -> Markup:
    """One bar per row from `start` to `end`, a diamond at `marker`, with year lines and labels."""
    points = [p for span in spans for p in (span.start, span.end, span.marker) if p is not None]
    top = 48
    height = top + max(len(spans), 1) * ROW_HEIGHT + 8
    parts = _open(chart_id, title, description, height)
    x = LABEL_WIDTH
    for index, name in enumerate(legend):
        parts.append(f'<rect class="insights-bar insights-bar--{index}" x="{x}" y="4" width="14" height="14"/>')
        parts.append(f'<text class="insights-text" x="{x + 20}" y="16">{escape(name)}</text>')
        x += 30 + 8 * len(name)
    parts.append(f'<path class="insights-marker" d="M{x} 11 l7 -7 l7 7 l-7 7 z"/>')
    parts.append(f'<text class="insights-text" x="{x + 20}" y="16">Result expected</text>')
    if not points:
        parts.append(f'<text class="insights-text" x="0" y="{top + 18}">Nothing to show for these filters.</text>')
        parts.append("</svg>")
        return _markup(parts)
    first = min(points).astimezone(LONDON)
    last = max(points).astimezone(LONDON)
    first = datetime.datetime(first.year, first.month, 1, tzinfo=LONDON)
    last = datetime.datetime(last.year + (last.month == 12), last.month % 12 + 1, 1, tzinfo=LONDON)
    span_seconds = max((last - first).total_seconds(), 1.0)
    plot_width = BAR_AREA + VALUE_WIDTH - 20

    def at(moment: datetime.datetime) -> float:
        return LABEL_WIDTH + (moment - first).total_seconds() / span_seconds * plot_width

    months = (last.year - first.year) * 12 + last.month - first.month
    step = 1 if months <= 8 else 3 if months <= 30 else 12
    tick = first
    while tick <= last:
        if (tick.month - 1) % step == 0 or step == 1:
            line_x = at(tick)
            parts.append(
                f'<line class="insights-grid" x1="{line_x:.1f}" y1="{top - 14}" x2="{line_x:.1f}" y2="{height}"/>'
            )
            if tick < last:
                text = f"{tick:%b %Y}" if step < 12 else f"{tick.year}"
                parts.append(f'<text class="insights-text" x="{line_x + 4:.1f}" y="{top - 4}">{text}</text>')
        tick = datetime.datetime(tick.year + (tick.month == 12), tick.month % 12 + 1, 1, tzinfo=LONDON)
    for index, span in enumerate(spans):
        y = top + index * ROW_HEIGHT
        parts.append(
            f'<text class="insights-text insights-text--label" x="{LABEL_WIDTH - 8}" y="{y + 14}" '
            f'text-anchor="end">{escape(_truncate(span.label))}</text>'
        )
        if span.start is not None:
            end = span.end or span.start
            x1, x2 = at(span.start), at(end)
            parts.append(
                f'<rect class="insights-bar insights-bar--{span.series}" x="{x1:.1f}" y="{y}" '
                f'width="{max(x2 - x1, 3):.1f}" height="{BAR_HEIGHT}"/>'
            )
        if span.marker is not None:
            mx = at(span.marker)
            parts.append(f'<path class="insights-marker" d="M{mx - 7:.1f} {y + 9} l7 -7 l7 7 l-7 7 z"/>')
    parts.append("</svg>")
    return _markup(parts)


def pipeline_spans(rows) -> list[Span]:
    series = {"planned": 2, "open": 0, "deciding": 1}
    return [
        Span(
            label=f"{r.reference}: {r.title}",
            start=r.starts_at,
            end=r.closes_at,
            marker=r.intended_award_at,
            series=series[r.stage],
        )
        for r in rows
    ]
