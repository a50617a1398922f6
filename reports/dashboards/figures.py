"""A key question's result as the dashboards show it: n of N answered Yes, with a 95% Wilson
interval, marked "small sample" under 10 applicable cases (reports.stats), and how it stands
against the national figure."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from inspection.rating_rules import Tally, round_half_up
from reports.stats import is_small_sample, wilson_interval


def _whole_number(value: float) -> int:
    return int(round_half_up(value))


@dataclass(frozen=True)
class Figure:
    """A key question's result: n of N (p%), its 95% Wilson interval, and a small-sample mark."""

    tally: Tally

    @property
    def yes(self) -> int:
        return self.tally.yes

    @property
    def applicable(self) -> int:
        return self.tally.applicable

    @property
    def has_cases(self) -> bool:
        return self.tally.applicable > 0

    @property
    def percent(self) -> int | None:
        return self.tally.whole_percent

    @property
    def exact_percent(self) -> float | None:
        return self.tally.percent

    @cached_property
    def interval(self) -> tuple[int, int] | None:
        """The 95% Wilson interval as whole percents, or None with no applicable cases."""
        bounds = wilson_interval(self.tally.yes, self.tally.applicable)
        if bounds is None:
            return None
        return _whole_number(bounds[0] * 100), _whole_number(bounds[1] * 100)

    @cached_property
    def exact_interval(self) -> tuple[float, float] | None:
        bounds = wilson_interval(self.tally.yes, self.tally.applicable)
        return None if bounds is None else (bounds[0] * 100, bounds[1] * 100)

    @property
    def small_sample(self) -> bool:
        return self.has_cases and is_small_sample(self.tally.applicable)

    @property
    def display(self) -> str:
        """ "26 of 31 (84%)", or "no applicable cases"."""
        return self.tally.display

    @property
    def interval_display(self) -> str:
        """ "67% to 93%", or an empty string with no applicable cases."""
        if self.interval is None:
            return ""
        return f"{self.interval[0]}% to {self.interval[1]}%"

    @property
    def full_display(self) -> str:
        """Everything in one line, for chart labels and CSV: "26 of 31 (84%; 95% CI 67-93%)"."""
        if not self.has_cases:
            return "no applicable cases"
        low, high = self.interval  # type: ignore[misc]
        text = f"{self.yes} of {self.applicable} ({self.percent}%; 95% CI {low}-{high}%)"
        return text + (", small sample" if self.small_sample else "")


@dataclass(frozen=True)
class Comparison:
    """How a figure stands against the national figure for the same question."""

    verdict: str  # "Above national", "Below national", "Similar to national"
    difference: int  # percentage points, rounded

    @property
    def css(self) -> str:
        return {"Above national": "green", "Below national": "red"}.get(self.verdict, "grey")

    @property
    def difference_display(self) -> str:
        sign = "+" if self.difference > 0 else ""
        points = "point" if abs(self.difference) == 1 else "points"
        return f"{sign}{self.difference} {points}"


def compare(figure: Figure, national: Figure | None) -> Comparison | None:
    """Above or below national only when the national figure lies outside this result's 95%
    interval; otherwise the difference could be chance, and the page says "similar"."""
    if national is None or not figure.has_cases or not national.has_cases:
        return None
    low, high = figure.exact_interval  # type: ignore[misc]
    value = national.exact_percent
    assert value is not None  # noqa: S101 - national.has_cases
    difference = _whole_number(figure.exact_percent - value)  # type: ignore[operator]
    if value < low:
        return Comparison("Above national", difference)
    if value > high:
        return Comparison("Below national", difference)
    return Comparison("Similar to national", difference)
