"""The rating method's pure rules: the words, the numbers and the one way of rounding.

Plain Python, no ORM and no Django, so the rules can be checked when a framework file is
loaded (``inspection.services.framework_load``) and used by the rating engine
(``reports.ratings.engine``), the ratings pages, the report, the dashboards and the exports
alike. It sits in ``inspection`` because frameworks live there and every app above may use it.

What is here:

- the vocabulary: the four rating names, spelt as the published reports spell them, and the
  three answer values;
- a framework's rating rules (:class:`RatingRules`): the bands a key question's percent falls
  in, the score of each rating, the overall cut points (per standard rated, or fixed totals),
  the smallest numbers of cases for a key question, a standard and an overall rating, and
  when a small organisation is left unrated; validated when they are built, so a framework
  whose rules would leave a percent or a score without a rating is refused when it is loaded;
- :func:`round_half_up`, the one rounding function (people, and the published reports, round
  halves up; Python's ``round()`` does not), and :func:`whole_percent` built on it;
- a key question's result (:class:`Tally`: Yes, No and Not applicable counts, shown as
  "n of N (p%)"), the band it falls in and how it is summarised when rounding would make it
  look as if it sat in another band.

Every comparison against a band edge is done on exact fractions, never on a rounded figure,
so 64.9% is "Requires improvement" even though a report would print it as 65%.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

# --------------------------------------------------------------------------- vocabulary

OUTSTANDING = "Outstanding"
GOOD = "Good"
REQUIRES_IMPROVEMENT = "Requires improvement"
INADEQUATE = "Inadequate"

#: The four rating names, best first, exactly as published reports spell them.
RATING_NAMES: tuple[str, ...] = (OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE)

#: What a page or export shows for a standard or inspection without a rating.
NOT_RATED = "Not rated"

YES = "yes"
NO = "no"
NOT_APPLICABLE = "na"
AnswerValue = Literal["yes", "no", "na"]
ANSWER_VALUES: frozenset[str] = frozenset({YES, NO, NOT_APPLICABLE})

Percent = float | int | Decimal | Fraction


# --------------------------------------------------------------------------- numbers


def exact(value: Percent | str) -> Fraction:
    """Turn a percent or threshold into an exact fraction.

    Floats are read as the decimal they print as (``64.9`` -> 649/10), not as their binary
    approximation, so that a threshold written as 64.9 in a framework file and a percent typed
    as 64.9 compare equal -- which is what a person reading either would expect.
    """
    if isinstance(value, bool):
        raise TypeError("a percent or threshold must be a number, not a bool")
    if isinstance(value, Fraction | int):
        return Fraction(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(value)
    if isinstance(value, str):
        return Fraction(value)
    raise TypeError(f"not a number: {value!r}")


def round_half_up(value: Percent, places: int = 0) -> Decimal:
    """Round half up (away from zero), as people and the published reports do.

    Python's ``round()`` rounds half to even (``round(62.5) == 62``); a report that prints
    "63%" for 5 of 8 must get 63. Floats are read as the decimal they print as (see
    :func:`exact`), so ``round_half_up(0.125, 2)`` is 0.13.
    """
    fraction = exact(value)
    with localcontext() as ctx:
        ctx.prec = 50
        quotient = Decimal(fraction.numerator) / Decimal(fraction.denominator)
        return quotient.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def whole_percent(count: int, base: int) -> int | None:
    """``count`` as a whole percent of ``base``, rounded half up; None when ``base`` is 0."""
    if not base:
        return None
    return int(round_half_up(Fraction(100 * count, base)))


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class RatingBand:
    """A key question at or above ``min_percent`` (and below the band above) takes ``rating``."""

    rating: str
    min_percent: Fraction


@dataclass(frozen=True)
class OverallThreshold:
    """The overall rating is ``rating`` when the score exceeds ``above_per_standard`` x N (N
    the standards rated), or, for a fixed threshold, when it exceeds ``above``.

    The floor row has neither (both None) and always matches.
    """

    rating: str
    above_per_standard: Fraction | None
    above: Fraction | None = None

    @property
    def is_floor(self) -> bool:
        return self.above_per_standard is None and self.above is None

    def limit(self, standards_rated: int) -> Fraction | None:
        """The score to exceed with ``standards_rated`` standards rated; None for the floor."""
        if self.above is not None:
            return self.above
        if self.above_per_standard is None:
            return None
        return self.above_per_standard * standards_rated


#: Defaults of the rule options a framework file may leave out (docs/frameworks.md).
DEFAULT_MINIMUM_CASES: dict[str, int] = {"key_question": 1, "standard": 1, "overall": 1}


RULES_REMEMBERED = 64
_RULES_READ: dict[str, RatingRules] = {}


@dataclass(frozen=True)
class RatingRules:
    """Bands, scores and overall thresholds of one framework version.

    Kept as data because frameworks are versioned and an inspection keeps the version it
    started with; the 2018 values are in :data:`DEFAULT_RULES`.
    """

    bands: tuple[RatingBand, ...]
    scores: Mapping[str, int]
    overall_thresholds: tuple[OverallThreshold, ...]
    #: The fewest applicable cases (answered Yes or No) a key question needs for a band.
    minimum_key_question_cases: int = 1
    #: The fewest applicable cases a case-judged standard needs to be rated: the most Yes
    #: or No answers any of its key questions has.
    minimum_standard_cases: int = 1
    #: The fewest counted cases an inspection (or organisation) needs for an overall rating.
    minimum_overall_cases: int = 1
    #: A sample smaller than this marks a small organisation, inspected but not rated (no
    #: standard and no overall rating); None: every organisation is rated.
    small_organisation_below: int | None = None

    def __post_init__(self) -> None:
        # Freeze the mapping so a shared rules object cannot be changed under another caller.
        object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))
        self._validate()
        # Worked out once: rules are a cache key for every band looked up (band_of_tally).
        object.__setattr__(self, "_hash", hash(self._key()))

    def _key(self) -> tuple:
        return (
            self.bands,
            tuple(sorted(self.scores.items())),
            self.overall_thresholds,
            self.minimum_key_question_cases,
            self.minimum_standard_cases,
            self.minimum_overall_cases,
            self.small_organisation_below,
        )

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined]

    def __reduce__(self):
        # Picklable (the dashboards' cache stores views holding rules): built again from data.
        return (
            type(self),
            (
                self.bands,
                dict(self.scores),
                self.overall_thresholds,
                self.minimum_key_question_cases,
                self.minimum_standard_cases,
                self.minimum_overall_cases,
                self.small_organisation_below,
            ),
        )

    def _validate(self) -> None:
        """Refuse rules that would leave some percent or score without a rating."""
        if not self.bands:
            raise ValueError("rating_bands must not be empty")
        for item in (*self.bands, *self.overall_thresholds):
            if item.rating not in RATING_NAMES:
                raise ValueError(f"unknown rating name {item.rating!r}; use one of {RATING_NAMES}")
        mins = [band.min_percent for band in self.bands]
        if any(a <= b for a, b in zip(mins, mins[1:], strict=False)):
            raise ValueError("rating_bands must be ordered by min_percent, highest first")
        if mins[-1] > 0:
            raise ValueError("the last rating band must start at 0 so every percent has a band")
        names = [band.rating for band in self.bands]
        if len(set(names)) != len(names):
            raise ValueError("a rating may appear only once in rating_bands")
        for name in names:
            if name not in self.scores:
                raise ValueError(f"rating_scores has no score for {name!r}")
        for name, score in self.scores.items():
            if name not in RATING_NAMES:
                raise ValueError(f"unknown rating name {name!r} in rating_scores")
            if isinstance(score, bool) or not isinstance(score, int):
                raise ValueError(f"rating score for {name!r} must be a whole number")
        if not self.overall_thresholds:
            raise ValueError("overall_thresholds must not be empty")
        *upper, floor = self.overall_thresholds
        if not floor.is_floor:
            raise ValueError("the last overall threshold must have above_per_standard null")
        if any(row.is_floor for row in upper):
            raise ValueError("only the last overall threshold may have above_per_standard null")
        if any(row.above is not None and row.above_per_standard is not None for row in upper):
            raise ValueError(
                "an overall threshold gives either above_per_standard or above, not both"
            )
        fixed = {row.above is not None for row in upper}
        if len(fixed) > 1:
            raise ValueError(
                "overall_thresholds must all be per standard (above_per_standard) or all "
                "fixed (above), not a mixture"
            )
        limits = [row.above if row.above is not None else row.above_per_standard for row in upper]
        if any(limit < 0 for limit in limits):  # type: ignore[operator]
            raise ValueError("overall thresholds must not be negative")
        if any(a <= b for a, b in zip(limits, limits[1:], strict=False)):  # type: ignore[operator]
            raise ValueError("overall_thresholds must be ordered, highest first")
        for name in (
            "minimum_key_question_cases",
            "minimum_standard_cases",
            "minimum_overall_cases",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{_FIELD_NAMES[name]} must be a whole number of 1 or more")
        small = self.small_organisation_below
        if small is not None and (isinstance(small, bool) or not isinstance(small, int)):
            raise ValueError(f"{_FIELD_NAMES['small_organisation_below']} must be a whole number")
        if small is not None and small < 1:
            raise ValueError(f"{_FIELD_NAMES['small_organisation_below']} must be 1 or more")

    @classmethod
    def from_framework_dict(cls, d: Mapping[str, Any]) -> RatingRules:
        """Read a framework's rating rules: ``rating_bands``, ``rating_scores``,
        ``overall_thresholds`` and the optional ``minimum_cases`` and ``small_organisation``.

        Numbers are kept exact (``Fraction``), so a threshold of 64.9 means 649/10.

        The same rules read again (every request reads its framework) are the same object:
        band_of_tally's cache then finds them by identity, not by comparing every band.
        """
        # Everything the rules are read from is in the key: equal data, the same object.
        key = repr(sorted(d.items(), key=lambda item: item[0]))
        known = _RULES_READ.get(key)
        if known is None:
            known = _RULES_READ[key] = cls._from_dict(d)
            if len(_RULES_READ) > RULES_REMEMBERED:
                del _RULES_READ[next(iter(_RULES_READ))]
        return known

    @classmethod
    def _from_dict(cls, d: Mapping[str, Any]) -> RatingRules:
        try:
            bands = tuple(
                RatingBand(rating=row["rating"], min_percent=exact(row["min_percent"]))
                for row in d["rating_bands"]
            )
            scores = {str(name): score for name, score in d["rating_scores"].items()}
            thresholds = tuple(_threshold(row) for row in d["overall_thresholds"])
        except KeyError as exc:
            raise ValueError(f"framework rating rules are missing {exc.args[0]!r}") from exc
        minimum = {**DEFAULT_MINIMUM_CASES, **(d.get("minimum_cases") or {})}
        small = d.get("small_organisation") or {}
        return cls(
            bands=bands,
            scores=scores,
            overall_thresholds=thresholds,
            minimum_key_question_cases=minimum["key_question"],
            minimum_standard_cases=minimum["standard"],
            minimum_overall_cases=minimum["overall"],
            small_organisation_below=small.get("unrated_below_cases"),
        )

    def score_for(self, rating: str) -> int:
        """The score a rating contributes to the overall sum."""
        try:
            return self.scores[rating]
        except KeyError:
            raise ValueError(f"no score for rating {rating!r}") from None


_FIELD_NAMES = {
    "minimum_key_question_cases": "minimum_cases.key_question",
    "minimum_standard_cases": "minimum_cases.standard",
    "minimum_overall_cases": "minimum_cases.overall",
    "small_organisation_below": "small_organisation.unrated_below_cases",
}


def _threshold(row: Mapping[str, Any]) -> OverallThreshold:
    """One row of ``overall_thresholds``: ``above_per_standard`` (null for the floor row) or a
    fixed ``above``."""
    if "above" in row and "above_per_standard" not in row:
        above = row["above"]
        return OverallThreshold(
            rating=row["rating"],
            above_per_standard=None,
            above=None if above is None else exact(above),
        )
    per_standard = row["above_per_standard"]
    above = row.get("above")
    return OverallThreshold(
        rating=row["rating"],
        above_per_standard=None if per_standard is None else exact(per_standard),
        above=None if above is None else exact(above),
    )


#: The 2018 standards framework (seed 004): 80 / 65 / 50 bands, scores 3-2-1-0, and overall
#: cut points at N/2, 3N/2 and 5N/2.
DEFAULT_FRAMEWORK_RULES: dict[str, Any] = {
    "rating_bands": [
        {"rating": OUTSTANDING, "min_percent": 80},
        {"rating": GOOD, "min_percent": 65},
        {"rating": REQUIRES_IMPROVEMENT, "min_percent": 50},
        {"rating": INADEQUATE, "min_percent": 0},
    ],
    "rating_scores": {OUTSTANDING: 3, GOOD: 2, REQUIRES_IMPROVEMENT: 1, INADEQUATE: 0},
    "overall_thresholds": [
        {"rating": OUTSTANDING, "above_per_standard": 2.5},
        {"rating": GOOD, "above_per_standard": 1.5},
        {"rating": REQUIRES_IMPROVEMENT, "above_per_standard": 0.5},
        {"rating": INADEQUATE, "above_per_standard": None},
    ],
}
DEFAULT_RULES = RatingRules.from_framework_dict(DEFAULT_FRAMEWORK_RULES)


def band_for_percent(percent: Percent, rules: RatingRules) -> str:
    """The band a key question's *unrounded* percent falls in: first band from the top whose
    ``min_percent`` it reaches. Rounding first would turn 64.9 into Good; the method does not.
    """
    value = exact(percent)
    if value < 0 or value > 100:
        raise ValueError(f"percent must be between 0 and 100, got {percent!r}")
    for band in rules.bands:
        if value >= band.min_percent:
            return band.rating
    # Unreachable with validated rules (the last band starts at 0), kept as a guard.
    raise ValueError(f"no rating band covers {percent!r}")


def overall_for(scores: Iterable[int], rules: RatingRules) -> str | None:
    """The overall rating of the rated standards' scores, or None when nothing is rated.

    With N scores summing to S the first threshold row with S > above_per_standard x N wins,
    so the cut points scale with N (for 12: 0-6, 7-18, 19-30, 31-36); a framework with fixed
    thresholds compares S with the numbers it gives (``above``). None for N == 0 because
    an inspection with nothing rated has no rating, not an Inadequate one.
    """
    values = list(scores)
    if not values:
        return None
    total, count = sum(values), len(values)
    for row in rules.overall_thresholds:
        limit = row.limit(count)
        if limit is None or total > limit:
            return row.rating
    raise ValueError("no overall threshold matched")  # unreachable with validated rules


def small_organisation(rules: RatingRules, cases_in_sample: int | None) -> str:
    """Why an organisation of this sample size is inspected but not rated, or "" when it is
    rated (always, when the framework has no small-organisation rule or the size is unknown).
    """
    below = rules.small_organisation_below
    if below is None or cases_in_sample is None or cases_in_sample >= below:
        return ""
    return (
        f"a small organisation, {cases_in_sample} cases in the sample, fewer than {below}: "
        "inspected but not rated"
    )


def overall_withheld(
    rules: RatingRules, *, cases_counted: int, cases_in_sample: int | None = None
) -> str:
    """Why there is no overall rating whatever the standards' scores, or "" when there may
    be one: a small organisation, no counted case, or fewer than the framework's minimum.
    The rating engine and the dashboards both ask this."""
    small = small_organisation(rules, cases_in_sample)
    if small:
        return small
    if cases_counted >= rules.minimum_overall_cases:
        return ""
    if not cases_counted:
        return "no counted cases"
    plural = "case" if cases_counted == 1 else "cases"
    return (
        f"{cases_counted} counted {plural}, fewer than the {rules.minimum_overall_cases} "
        "an overall rating needs"
    )


# --------------------------------------------------------------------------- tallies


@dataclass(frozen=True)
class Tally:
    """Counts of Yes, No and Not applicable answers to a key question."""

    yes: int = 0
    no: int = 0
    not_applicable: int = 0

    def __post_init__(self) -> None:
        for name in ("yes", "no", "not_applicable"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"Tally.{name} must be a whole number >= 0, got {value!r}")

    @classmethod
    def of(cls, values: Iterable[str]) -> Tally:
        """Count answer values ("yes" / "no" / "na")."""
        yes = no = na = 0
        for value in values:
            if value == YES:
                yes += 1
            elif value == NO:
                no += 1
            elif value == NOT_APPLICABLE:
                na += 1
            else:
                raise ValueError(f"unknown answer value {value!r}")
        return cls(yes=yes, no=no, not_applicable=na)

    def __add__(self, other: Tally) -> Tally:
        if not isinstance(other, Tally):
            return NotImplemented
        return Tally(
            self.yes + other.yes, self.no + other.no, self.not_applicable + other.not_applicable
        )

    @property
    def applicable(self) -> int:
        """Cases answered Yes or No: the denominator. Not applicable is left out."""
        return self.yes + self.no

    @property
    def total(self) -> int:
        """Every answer, applicable or not."""
        return self.applicable + self.not_applicable

    @property
    def has_applicable(self) -> bool:
        return self.applicable > 0

    @property
    def fraction(self) -> Fraction | None:
        """Exact percent (0-100) as a fraction, for band comparisons; None with no cases."""
        if not self.applicable:
            return None
        return Fraction(100 * self.yes, self.applicable)

    @property
    def percent(self) -> float | None:
        """Unrounded percent of Yes among applicable cases; None (not a division error) when
        there are no applicable cases."""
        value = self.fraction
        return None if value is None else float(value)

    @property
    def rounded_percent(self) -> Decimal | None:
        """Percent to one decimal place, rounded half up."""
        value = self.fraction
        return None if value is None else round_half_up(value, 1)

    @property
    def whole_percent(self) -> int | None:
        """Percent as a whole number, rounded half up, as the published reports print it."""
        value = self.fraction
        return None if value is None else int(round_half_up(value))

    @property
    def display(self) -> str:
        """ "26 of 31 (84%)", or "no applicable cases"."""
        if not self.applicable:
            return "no applicable cases"
        return f"{self.yes} of {self.applicable} ({self.whole_percent}%)"

    def __str__(self) -> str:
        return self.display


def tally_summary(tally: Tally, rules: RatingRules) -> str:
    """Tally display; the exact figure instead when the whole number crosses a band edge.

    76 of 117 is 64.957...%: printed as "65%" it looks Good, yet it is Requires improvement,
    so the summary reads "76 of 117 is 64.96%": the figure with as many decimal places as it
    takes to stay in its own band (at least one). A key question with fewer applicable cases
    than the framework's minimum says so, as it has no band.
    """
    text = tally.display
    value, whole = tally.fraction, tally.whole_percent
    if value is None or whole is None:
        return text
    if tally.applicable < rules.minimum_key_question_cases:
        return f"{text}: fewer than {rules.minimum_key_question_cases} applicable cases"
    band = band_for_percent(value, rules)
    if band_for_percent(whole, rules) == band:
        return text
    return f"{tally.yes} of {tally.applicable} is {exact_figure(value, band, rules)}%"


def exact_figure(value: Fraction, band: str, rules: RatingRules) -> str:
    """``value`` with the fewest decimal places (one or more) that keep it in ``band`` when
    rounded half up; past six places it is cut short (rounded down), which never crosses up
    into the band above."""
    for places in range(1, 7):
        rounded = round_half_up(value, places)
        if band_for_percent(rounded, rules) == band:
            return str(rounded)
    with localcontext() as ctx:
        ctx.prec = 50
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return str(quotient.quantize(Decimal(1).scaleb(-6), rounding=ROUND_DOWN))


def band_of_tally(tally: Tally, rules: RatingRules) -> str | None:
    """The band a tally's exact percent falls in; None with no applicable cases, or fewer
    than the framework's minimum for a key question."""
    if not tally.applicable or tally.applicable < rules.minimum_key_question_cases:
        return None
    return _band(tally.yes, tally.applicable, rules)


@lru_cache(maxsize=4096)
def _band(yes: int, applicable: int, rules: RatingRules) -> str:
    # Samples are small, so the same (yes, applicable) pairs recur across a national grid of
    # thousands of cells: remembering their band saves most of the fraction arithmetic.
    return band_for_percent(Fraction(100 * yes, applicable), rules)
