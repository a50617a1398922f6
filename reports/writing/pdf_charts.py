"""The report's chart: % yes per key question, drawn by the dashboards' bar chart.

Inline SVG, so the PDF keeps it as vector graphics and the preview shows the same drawing;
dashed lines mark where the rating bands start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from reports.charts import Bar, bar_chart


@dataclass(frozen=True)
class KeyQuestionBar:
    code: str
    percent: int | None
    counts: str  # "26 of 31"
    band: str | None


def key_question_chart(
    bars: Sequence[KeyQuestionBar], *, band_edges: Sequence[int], chart_id: str, title: str
) -> SafeString:
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
    return bar_chart(
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
