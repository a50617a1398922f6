"""The report's chart: % yes per key question, with the rating bands' edges drawn across.

Inline SVG, so the PDF keeps it as vector graphics and the preview shows the same drawing.
Colours are presentation attributes (no ``style``), every text is escaped, and the element
carries ``role="img"`` with a title and description; the annex table beside it has the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .charts import RATING_COLOURS

TEXT = "#0b0c0c"
GRID = "#b1b4b6"
EDGE = "#0b0c0c"
FONT = "'Liberation Sans', Arial, sans-serif"

WIDTH = 640
LABEL_WIDTH = 56
VALUE_WIDTH = 110
ROW = 22
BAR = 14
TOP = 30
BOTTOM = 24


@dataclass(frozen=True)
class KeyQuestionBar:
    code: str
    percent: int | None
    counts: str  # "26 of 31"
    band: str | None


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def key_question_chart(
    bars: Sequence[KeyQuestionBar], *, band_edges: Sequence[int], chart_id: str, title: str
) -> SafeString:
    """Horizontal bars of % yes, coloured by band, with dashed lines at the band edges."""
    plot_left = LABEL_WIDTH
    plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW * max(len(bars), 1) + BOTTOM

    def x(percent: float) -> float:
        return plot_left + plot_width * max(0.0, min(100.0, percent)) / 100

    out: list[str] = []
    for value in (0, 25, 50, 75, 100):
        gx = _n(x(value))
        out.append(
            f'<line x1="{gx}" y1="{TOP - 4}" x2="{gx}" y2="{height - BOTTOM}" '
            f'stroke="{GRID}" stroke-width="0.75"/>'
        )
    for edge in band_edges:
        ex = _n(x(edge))
        out.append(
            f'<line class="report-chart__edge" x1="{ex}" y1="{TOP - 8}" x2="{ex}" '
            f'y2="{height - BOTTOM + 4}" stroke="{EDGE}" stroke-width="1.25" '
            f'stroke-dasharray="4 3"/>'
            f'<text x="{ex}" y="{TOP - 12}" text-anchor="middle" fill="{TEXT}" '
            f'font-size="11">{edge}%</text>'
        )
    for index, bar in enumerate(bars):
        middle = TOP + ROW * index + ROW / 2
        baseline = _n(middle + 4)
        out.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{baseline}" text-anchor="end" fill="{TEXT}">'
            f"{escape(bar.code)}</text>"
        )
        if bar.percent is None:
            label = "no applicable cases"
        else:
            colour = RATING_COLOURS.get(bar.band or "", RATING_COLOURS["Not rated"])
            out.append(
                f'<rect x="{plot_left}" y="{_n(middle - BAR / 2)}" '
                f'width="{_n(x(bar.percent) - plot_left)}" height="{BAR}" fill="{colour}"/>'
            )
            label = f"{bar.percent}% ({bar.counts})"
        out.append(
            f'<text x="{_n(plot_left + plot_width + 6)}" y="{baseline}" fill="{TEXT}">'
            f"{escape(label)}</text>"
        )
    axis_y = _n(height - BOTTOM + 16)
    for value in (0, 50, 100):
        out.append(
            f'<text x="{_n(x(value))}" y="{axis_y}" text-anchor="middle" fill="{TEXT}" '
            f'font-size="11">{value}%</text>'
        )
    edges = ", ".join(f"{e}%" for e in band_edges)
    description = (
        "Percentage of cases answered Yes for each key question; dashed lines mark the rating "
        f"bands' lower edges ({edges}). "
        + "; ".join(
            f"{b.code}: {'no applicable cases' if b.percent is None else f'{b.percent}%'}"
            for b in bars
        )
    )
    chart_id = escape(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family="{FONT}" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    return mark_safe(head + "".join(out) + "</svg>")  # noqa: S308 - every text is escaped
