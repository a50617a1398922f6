"""Server-drawn SVG charts: well-formed, accessible, escaped, and drawn to scale."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from reports.charts import Bar, Segment, StackedRow, bar_chart, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def rects(root: ET.Element, css: str) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if css in r.get("class", "")]


def test_bar_chart_is_an_accessible_image() -> None:
    svg = bar_chart(
        [Bar("2.1.1", 84.0, low=67.0, high=93.0, marker=70.0, text="84% (26 of 31)")],
        title="Key questions",
        description="Share answered Yes",
        chart_id="kq",
        marker_label="national figure",
    )
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "kq-title kq-desc"
    assert root.find(f"{SVG}title").get("id") == "kq-title"
    assert root.find(f"{SVG}title").text == "Key questions"
    assert root.find(f"{SVG}desc").text == "Share answered Yes"
    assert "84% (26 of 31)" in texts(root)
    assert "| national figure" in texts(root)
    # No inline styles or scripts: the pages run under a strict Content Security Policy.
    assert "style=" not in svg
    assert "<script" not in svg


def test_bars_are_drawn_to_scale_and_clamped() -> None:
    root = parse(
        bar_chart(
            [Bar("a", 50.0), Bar("b", 100.0), Bar("c", 150.0), Bar("d", -5.0), Bar("e", None)],
            title="t",
            description="d",
            chart_id="scale",
            width=500,
            label_width=50,
            text_width=50,
        )
    )
    widths = [float(r.get("width")) for r in rects(root, "app-chart__bar")]
    plot = 500 - 50 - 50
    assert widths == [plot / 2, plot, plot, 0.0]  # 150 is drawn as 100, -5 as 0, None not at all
    assert "no figure" in texts(root)


def test_interval_and_marker_sit_at_their_values() -> None:
    root = parse(
        bar_chart(
            [Bar("x", 40.0, low=20.0, high=60.0, marker=80.0)],
            title="t",
            description="d",
            chart_id="ci",
            width=300,
            label_width=50,
            text_width=50,
        )
    )
    interval = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "app-chart__interval")
    line = interval.find(f"{SVG}line")
    assert (float(line.get("x1")), float(line.get("x2"))) == (50 + 200 * 0.2, 50 + 200 * 0.6)
    marker = next(m for m in root.iter(f"{SVG}line") if m.get("class") == "app-chart__marker")
    assert float(marker.get("x1")) == 50 + 200 * 0.8


def test_text_is_escaped() -> None:
    nasty = "<script>alert(\"x\")</script> & Sons 'Ltd'"
    svg = bar_chart([Bar(nasty, 10.0, text=nasty)], title=nasty, description=nasty, chart_id="e")
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == nasty
    assert texts(root).count(nasty) == 2


def test_an_empty_chart_says_so() -> None:
    assert "No figures to show" in texts(
        parse(bar_chart([], title="t", description="d", chart_id="n"))
    )
    assert "No figures to show" in texts(
        parse(stacked_bar_chart([], series=["Good"], title="t", description="d", chart_id="m"))
    )


def test_bad_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="max_value"):
        bar_chart([Bar("a", 1.0)], title="t", description="d", chart_id="x", max_value=0)
    with pytest.raises(ValueError, match="too narrow"):
        bar_chart([Bar("a", 1.0)], title="t", description="d", chart_id="x", width=200)


def test_stacked_chart_segments_share_one_scale() -> None:
    root = parse(
        stacked_bar_chart(
            [
                StackedRow("2.1", [Segment("Good", 3), Segment("Inadequate", 1)]),
                StackedRow("2.2", [Segment("Good", 2)]),
            ],
            series=["Outstanding", "Good", "Inadequate"],
            title="Ratings by standard",
            description="Counts",
            chart_id="dist",
            width=400,
            label_width=50,
        )
    )
    plot = 400 - 50 - 50
    good = rects(root, "app-chart__segment--good")
    inadequate = rects(root, "app-chart__segment--inadequate")
    assert [float(r.get("width")) for r in good] == [plot * 3 / 4, plot * 2 / 4]
    assert float(inadequate[0].get("width")) == plot / 4
    assert float(inadequate[0].get("x")) == 50 + plot * 3 / 4
    assert rects(root, "app-chart__segment--outstanding") == []  # zero counts draw nothing
    # The key names every series; the totals are written after each bar.
    assert {"Outstanding", "Good", "Inadequate", "4", "2"} <= set(texts(root))
    assert good[0].get("fill") == "#1d70b8"


@given(
    label=st.text(max_size=40),
    value=st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6)),
    title=st.text(max_size=40),
)
def test_any_text_gives_well_formed_svg(label: str, value: float | None, title: str) -> None:
    svg = bar_chart([Bar(label, value)], title=title, description=label, chart_id="h")
    root = parse(svg)
    assert root.get("role") == "img"
    keep = "".join(c for c in label if ord(c) >= 32 or c in "\t\n\r")
    # The parser normalises line ends; compare without them.
    assert any(t.replace("\n", "") == keep.replace("\r", "").replace("\n", "") for t in texts(root))
