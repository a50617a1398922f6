"""The report's charts, drawn by the dashboards' bar chart (reports.charts).

Inline SVG, so the PDF keeps them as vector graphics and the preview shows the same drawing.
Each chart comes as a ChartFigure: the drawing with a visible title, the names of its two
axes and a legend for its colours or letters, which the report prints with the figure (the
SVG itself carries a title and a description for screen readers).

- A service report: % yes per key question, coloured by rating band, with dashed lines where
  the bands start.
- A thematic report, which publishes no ratings: % yes per key question for each
  organisation side by side, one bar each, labelled by a letter the legend names, all in one
  colour (a band's colour would read as a rating).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from inspection.rating_rules import whole_percent
from reports.charts import RATING_COLOURS, Bar, bar_chart
from reports.ratings.tables import ThematicTables


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str = ""  # a fill colour, or empty when the key is a letter in the bar's label
    key: str = ""  # the letter in the bar's label


@dataclass(frozen=True)
class ChartFigure:
    title: str
    svg: SafeString
    x_axis: str
    y_axis: str
    legend: list[LegendEntry] = field(default_factory=list)


@dataclass(frozen=True)
class KeyQuestionBar:
    code: str
    percent: int | None
    counts: str  # "26 of 31"
    band: str | None


def key_question_chart(
    bars: Sequence[KeyQuestionBar], *, band_edges: Sequence[int], chart_id: str, title: str
) -> ChartFigure:
    """Horizontal bars of % yes, coloured by band, with dashed lines at the band edges."""
    edges = ", ".join(f"{edge}%" for edge in band_edges)
    description = (
        "Percentage of cases answered Yes for each key question; dashed lines mark the rating "
        f"bands' lower edges ({edges}). "
        + "; ".join(
            f"{b.code}: {'no applicable cases' if b.percent is None else f'{b.percent}%'}"
            for b in bars
        )
    )
    svg = bar_chart(
        [
            Bar(
                label=bar.code,
                value=bar.percent,
                text="no applicable cases"
                if bar.percent is None
                else f"{bar.percent}% ({bar.counts})",
                tone=bar.band or "Not rated",
            )
            for bar in bars
        ],
        title=title,
        description=description,
        chart_id=chart_id,
        reference_lines=band_edges,
        width=640,
        label_width=56,
        text_width=130,
    )
    used = []
    for bar in bars:
        tone = bar.band or "Not rated"
        if tone not in used:
            used.append(tone)
    order = list(RATING_COLOURS)
    legend = [
        LegendEntry(label=tone, colour=RATING_COLOURS[tone])
        for tone in sorted(used, key=lambda t: order.index(t) if t in order else len(order))
        if tone in RATING_COLOURS
    ]
    legend.append(LegendEntry(label=f"Dashed lines: where the bands start ({edges})"))
    return ChartFigure(
        title=title,
        svg=svg,
        x_axis="Percentage of cases answered Yes (0% to 100%)",
        y_axis="Key question",
        legend=legend,
    )


@dataclass(frozen=True)
class ComparisonRow:
    code: str
    # One (yes, applicable) per organisation, in the order of the legend's letters.
    by_organisation: Sequence[tuple[int, int]]


def organisation_letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def organisation_comparison_chart(
    rows: Sequence[ComparisonRow], *, organisations: Sequence[str], chart_id: str, title: str
) -> ChartFigure:
    """% yes for each key question, one bar per organisation, labelled "2.1.1 A"."""
    bars = []
    spoken = []
    for row in rows:
        for index, (yes, applicable) in enumerate(row.by_organisation):
            letter = organisation_letter(index)
            percent = whole_percent(yes, applicable)
            text = (
                "no applicable cases" if percent is None else f"{yes} of {applicable} ({percent}%)"
            )
            bars.append(Bar(label=f"{row.code} {letter}", value=percent, text=text))
            spoken.append(f"{row.code} {organisations[index]}: {text}")
    svg = bar_chart(
        bars,
        title=title,
        description="Percentage of cases answered Yes, by organisation. " + "; ".join(spoken),
        chart_id=chart_id,
        width=640,
        label_width=76,
        text_width=150,
    )
    return ChartFigure(
        title=title,
        svg=svg,
        x_axis="Percentage of cases answered Yes (0% to 100%)",
        y_axis="Key question and organisation",
        legend=[
            LegendEntry(label=name, key=organisation_letter(index))
            for index, name in enumerate(organisations)
        ],
    )


def thematic_charts(tables: ThematicTables) -> list[tuple[str, ChartFigure]]:
    """One chart per standard (its code, the chart): each key question's % yes, the
    organisations side by side."""
    names = [o.name for o in tables.organisations]
    charts = []
    for table in tables.standards:
        rows = [
            ComparisonRow(
                row.code, [(tally.yes, tally.applicable) for tally in row.by_organisation]
            )
            for row in table.rows
            if not row.is_prompt
        ]
        if rows:
            charts.append(
                (
                    table.code,
                    organisation_comparison_chart(
                        rows,
                        organisations=names,
                        chart_id=f"chart-compare-{table.code.replace('.', '-')}",
                        title=(
                            f"{table.code} {table.title}: % yes per key question, by organisation"
                        ),
                    ),
                )
            )
    return charts
