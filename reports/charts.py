"""Charts drawn on the server as accessible SVG, for dashboards and the PDF report alike.

Each function returns one ``<svg>`` element as a safe string: every piece of text in it is
escaped here, so data (an organisation's name, a key question) cannot inject markup. The
element has ``role="img"``, a ``<title>`` and a ``<desc>`` naming what it shows; the page
puts the same figures in a table beside it, which is what a screen reader user reads.

No JavaScript and no ``style`` attributes (the pages run under a strict Content Security
Policy): colours are presentation attributes, so the SVG also draws correctly in a PDF with
no stylesheet, and class names let the site's stylesheet adjust them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from inspection.rating_rules import GOOD, INADEQUATE, NOT_RATED, OUTSTANDING, REQUIRES_IMPROVEMENT

FONT = "arial, sans-serif"
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#b1b4b6"
BAR_COLOUR = "#1d70b8"
MARKER_COLOUR = "#0b0c0c"
INTERVAL_COLOUR = "#0b0c0c"

#: Fill colours of the four ratings (the tags on the pages use the same ones). White text
#: on each passes WCAG AA contrast.
RATING_COLOURS = {
    OUTSTANDING: "#00703c",
    GOOD: "#1d70b8",
    REQUIRES_IMPROVEMENT: "#8a4a00",
    INADEQUATE: "#b0281a",
    NOT_RATED: "#505a5f",
}

ROW_HEIGHT = 28
BAR_HEIGHT = 16
FONT_SIZE = 14
TOP = 34  # room for the axis labels (bar chart) or the legend (stacked chart)
BOTTOM = 8


@dataclass(frozen=True)
class Bar:
    """One bar: a value (None: nothing to show), an optional interval and reference mark.

    ``text`` is written after the bar ("84% (26 of 31)"); ``tone`` picks a colour from
    :data:`RATING_COLOURS` (a rating name) or is empty for the default blue.
    """

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    marker: float | None = None
    text: str = ""
    tone: str = ""


@dataclass(frozen=True)
class Segment:
    name: str
    count: int


@dataclass(frozen=True)
class StackedRow:
    label: str
    segments: Sequence[Segment] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return sum(segment.count for segment in self.segments)


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _text(value: object) -> str:
    """Escaped text; control characters (not allowed in XML) are dropped."""
    return escape(str(value).translate(_CONTROL))


def _num(value: float) -> str:
    """Coordinates with at most one decimal place, so the markup stays small and stable."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _clamp(value: float, lowest: float, highest: float) -> float:
    return max(lowest, min(highest, value))


def _svg(
    *, chart_id: str, title: str, description: str, width: int, height: int, body: list[str]
) -> SafeString:
    chart_id = _text(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family="{FONT}" font-size="{FONT_SIZE}">'
        f'<title id="{chart_id}-title">{_text(title)}</title>'
        f'<desc id="{chart_id}-desc">{_text(description)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    chart_id: str,
    max_value: float = 100.0,
    unit: str = "%",
    marker_label: str = "",
    reference_lines: Sequence[float] = (),
    width: int = 720,
    label_width: int = 90,
    text_width: int = 190,
) -> SafeString:
    """Horizontal bars, each with an optional 95% interval whisker and a reference mark.

    Used for key-question results ("% yes" with Wilson intervals, the national figure as the
    mark). Labels should be short (a question's code); the table beside the chart carries
    the words. ``marker_label`` names the mark in a one-line key above the bars.
    ``reference_lines`` draws dashed lines across every bar at those values (the report marks
    where the rating bands start).
    """
    if max_value <= 0:
        raise ValueError("max_value must be positive")
    plot_left = label_width
    plot_width = width - label_width - text_width
    if plot_width < 50:
        raise ValueError("the chart is too narrow for its labels")

    def x(value: float) -> float:
        return plot_left + plot_width * _clamp(value, 0, max_value) / max_value

    height = TOP + ROW_HEIGHT * max(len(bars), 1) + BOTTOM
    body: list[str] = []
    # Grid lines and axis labels at quarters of the scale.
    for step in range(5):
        value = max_value * step / 4
        gx = _num(x(value))
        body.append(
            f'<line class="app-chart__grid" x1="{gx}" y1="{TOP - 4}" x2="{gx}" '
            f'y2="{height - BOTTOM}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        body.append(
            f'<text class="app-chart__axis" x="{gx}" y="{TOP - 10}" text-anchor="middle" '
            f'fill="{TEXT_COLOUR}">{_num(value)}{_text(unit)}</text>'
        )
    for value in reference_lines:
        rx = _num(x(value))
        body.append(
            f'<line class="app-chart__reference" x1="{rx}" y1="{TOP - 4}" x2="{rx}" '
            f'y2="{height - BOTTOM}" stroke="{MARKER_COLOUR}" stroke-width="1.25" '
            f'stroke-dasharray="4 3"/>'
        )
    if marker_label and any(bar.marker is not None for bar in bars):
        body.append(
            f'<text class="app-chart__key" x="{width}" y="{TOP - 10}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">| {_text(marker_label)}</text>'
        )
    if not bars:
        body.append(
            f'<text x="{plot_left}" y="{TOP + 18}" fill="{TEXT_COLOUR}">No figures to show</text>'
        )
    for index, bar in enumerate(bars):
        top = TOP + ROW_HEIGHT * index
        middle = top + ROW_HEIGHT / 2
        baseline = _num(middle + FONT_SIZE / 3)
        body.append(
            f'<text class="app-chart__label" x="{label_width - 8}" y="{baseline}" '
            f'text-anchor="end" fill="{TEXT_COLOUR}">{_text(bar.label)}</text>'
        )
        if bar.value is not None:
            colour = RATING_COLOURS.get(bar.tone, BAR_COLOUR)
            slug = escape(bar.tone.lower().replace(" ", "-"))
            tone = f" app-chart__bar--{slug}" if bar.tone else ""
            body.append(
                f'<rect class="app-chart__bar{tone}" x="{plot_left}" '
                f'y="{_num(middle - BAR_HEIGHT / 2)}" '
                f'width="{_num(x(bar.value) - plot_left)}" height="{BAR_HEIGHT}" '
                f'fill="{colour}"/>'
            )
        if bar.low is not None and bar.high is not None:
            x1, x2 = _num(x(bar.low)), _num(x(bar.high))
            cap_top, cap_bottom = _num(middle - 5), _num(middle + 5)
            body.append(
                f'<g class="app-chart__interval" stroke="{INTERVAL_COLOUR}" stroke-width="1.5">'
                f'<line x1="{x1}" y1="{_num(middle)}" x2="{x2}" y2="{_num(middle)}"/>'
                f'<line x1="{x1}" y1="{cap_top}" x2="{x1}" y2="{cap_bottom}"/>'
                f'<line x1="{x2}" y1="{cap_top}" x2="{x2}" y2="{cap_bottom}"/></g>'
            )
        if bar.marker is not None:
            mx = _num(x(bar.marker))
            body.append(
                f'<line class="app-chart__marker" x1="{mx}" y1="{_num(top + 3)}" x2="{mx}" '
                f'y2="{_num(top + ROW_HEIGHT - 3)}" stroke="{MARKER_COLOUR}" stroke-width="3"/>'
            )
        text = bar.text or ("no figure" if bar.value is None else f"{_num(bar.value)}{unit}")
        body.append(
            f'<text class="app-chart__value" x="{plot_left + plot_width + 8}" y="{baseline}" '
            f'fill="{TEXT_COLOUR}">{_text(text)}</text>'
        )
    return _svg(
        chart_id=chart_id,
        title=title,
        description=description,
        width=width,
        height=height,
        body=body,
    )


def stacked_bar_chart(
    rows: Sequence[StackedRow],
    *,
    series: Sequence[str],
    title: str,
    description: str,
    chart_id: str,
    width: int = 720,
    label_width: int = 90,
) -> SafeString:
    """One bar per row, split into counts per series (for example, ratings per standard).

    Bars share one scale (the largest row total), so rows with fewer results look shorter;
    counts are written inside segments wide enough to hold them, and a key names the series.
    """
    plot_left = label_width
    plot_width = width - label_width - 50
    if plot_width < 50:
        raise ValueError("the chart is too narrow for its labels")
    largest = max((row.total for row in rows), default=0) or 1
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + BOTTOM
    body: list[str] = []
    # The key, in one line above the bars.
    key_x = plot_left
    for name in series:
        colour = RATING_COLOURS.get(name, BAR_COLOUR)
        body.append(
            f'<rect x="{key_x}" y="8" width="12" height="12" fill="{colour}"/>'
            f'<text class="app-chart__key" x="{key_x + 16}" y="19" fill="{TEXT_COLOUR}">'
            f"{_text(name)}</text>"
        )
        key_x += 16 + 8 * len(name) + 16
    if not rows:
        body.append(
            f'<text x="{plot_left}" y="{TOP + 18}" fill="{TEXT_COLOUR}">No figures to show</text>'
        )
    for index, row in enumerate(rows):
        top = TOP + ROW_HEIGHT * index
        middle = top + ROW_HEIGHT / 2
        baseline = _num(middle + FONT_SIZE / 3)
        body.append(
            f'<text class="app-chart__label" x="{label_width - 8}" y="{baseline}" '
            f'text-anchor="end" fill="{TEXT_COLOUR}">{_text(row.label)}</text>'
        )
        counts = {segment.name: segment.count for segment in row.segments}
        left = float(plot_left)
        for name in series:
            count = counts.get(name, 0)
            if count <= 0:
                continue
            segment_width = plot_width * count / largest
            colour = RATING_COLOURS.get(name, BAR_COLOUR)
            css = escape(name.lower().replace(" ", "-"))
            body.append(
                f'<rect class="app-chart__segment app-chart__segment--{css}" x="{_num(left)}" '
                f'y="{_num(middle - BAR_HEIGHT / 2 - 2)}" width="{_num(segment_width)}" '
                f'height="{BAR_HEIGHT + 4}" fill="{colour}"/>'
            )
            if segment_width >= 9 * len(str(count)) + 6:
                body.append(
                    f'<text x="{_num(left + segment_width / 2)}" y="{baseline}" '
                    f'text-anchor="middle" fill="#ffffff">{count}</text>'
                )
            left += segment_width
        body.append(
            f'<text class="app-chart__value" x="{_num(left + 6)}" y="{baseline}" '
            f'fill="{TEXT_COLOUR}">{row.total}</text>'
        )
    return _svg(
        chart_id=chart_id,
        title=title,
        description=description,
        width=width,
        height=height,
        body=body,
    )
