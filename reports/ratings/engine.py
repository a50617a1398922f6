"""The rating engine: how inspectors' Yes / No / Not applicable answers become ratings.

Plain Python on purpose -- no ORM, no database, no Django -- so that the method that
reproduces the published ratings (DOMAIN.md, "How answers become ratings") can be tested
against seed 004 in milliseconds and reused by pages, exports and dashboards alike. The
application adapts its database rows into the frozen dataclasses below.

The method, in short:

1. A key question's result is the share of Yes among the cases answered Yes or No; Not
   applicable is left out ("26 of 31 (84%)").
2. A case-judged standard takes the band of its *lowest* key question (a key question with no
   applicable cases cannot be lowest: it is skipped, and the result says so).
3. Standards judged from interviews and documents are rated directly by the lead inspector.
4. The overall rating sums the rated standards' scores and compares the sum with thresholds
   scaled by the number of standards rated; unrated standards are left out of that number.

Every comparison against a band edge is done on exact fractions, never on a rounded figure,
so 64.9% is "Requires improvement" even though a report would print it as 65%.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Literal

OUTSTANDING = "Outstanding"
GOOD = "Good"
REQUIRES_IMPROVEMENT = "Requires improvement"
INADEQUATE = "Inadequate"

#: The four rating names, best first, exactly as published reports spell them.
RATING_NAMES: tuple[str, ...] = (OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE)

JUDGED_BY_CASES = "cases"
JUDGED_BY_ORGANISATION = "organisation"
JudgedBy = Literal["cases", "organisation"]

YES = "yes"
NO = "no"
NOT_APPLICABLE = "na"
AnswerValue = Literal["yes", "no", "na"]
ANSWER_VALUES: frozenset[str] = frozenset({YES, NO, NOT_APPLICABLE})

Percent = float | int | Decimal | Fraction


# --------------------------------------------------------------------------- numbers


def _exact(value: Percent | str) -> Fraction:
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


def _round_half_up(value: Fraction, places: int) -> Decimal:
    """Round half up, as people (and the published reports) do; Python's round() does not."""
    with localcontext() as ctx:
        ctx.prec = 50
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return quotient.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _natural_key(text: str) -> tuple[Any, ...]:
    """Sort "case-2" before "case-10", so drill-down lists read in sample order."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class RatingBand:
    """A key question at or above ``min_percent`` (and below the band above) takes ``rating``."""

    rating: str
    min_percent: Fraction


@dataclass(frozen=True)
class OverallThreshold:
    """The overall rating is ``rating`` when the score exceeds ``above_per_standard`` x N.

    ``above_per_standard`` None is the floor row, which always matches.
    """

    rating: str
    above_per_standard: Fraction | None


@dataclass(frozen=True)
class RatingRules:
    """Bands, scores and overall thresholds of one framework version.

    Kept as data because frameworks are versioned and an inspection keeps the version it
    started with; the 2018 values are in :data:`DEFAULT_RULES`.
    """

    bands: tuple[RatingBand, ...]
    scores: Mapping[str, int]
    overall_thresholds: tuple[OverallThreshold, ...]

    def __post_init__(self) -> None:
        # Freeze the mapping so a shared rules object cannot be changed under another caller.
        object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))
        self._validate()

    def __hash__(self) -> int:
        return hash((self.bands, tuple(sorted(self.scores.items())), self.overall_thresholds))

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
        if floor.above_per_standard is not None:
            raise ValueError("the last overall threshold must have above_per_standard null")
        limits = [row.above_per_standard for row in upper]
        if any(limit is None for limit in limits):
            raise ValueError("only the last overall threshold may have above_per_standard null")
        if any(a <= b for a, b in zip(limits, limits[1:], strict=False)):  # type: ignore[operator]
            raise ValueError("overall_thresholds must be ordered, highest first")

    @classmethod
    def from_framework_dict(cls, d: Mapping[str, Any]) -> RatingRules:
        """Read ``rating_bands``, ``rating_scores`` and ``overall_thresholds`` of a framework.

        Numbers are kept exact (``Fraction``), so a threshold of 64.9 means 649/10.
        """
        try:
            bands = tuple(
                RatingBand(rating=row["rating"], min_percent=_exact(row["min_percent"]))
                for row in d["rating_bands"]
            )
            scores = {str(name): score for name, score in d["rating_scores"].items()}
            thresholds = tuple(
                OverallThreshold(
                    rating=row["rating"],
                    above_per_standard=(
                        None
                        if row["above_per_standard"] is None
                        else _exact(row["above_per_standard"])
                    ),
                )
                for row in d["overall_thresholds"]
            )
        except KeyError as exc:
            raise ValueError(f"framework rating rules are missing {exc.args[0]!r}") from exc
        return cls(bands=bands, scores=scores, overall_thresholds=thresholds)

    def score_for(self, rating: str) -> int:
        """The score a rating contributes to the overall sum."""
        try:
            return self.scores[rating]
        except KeyError:
            raise ValueError(f"no score for rating {rating!r}") from None


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
    value = _exact(percent)
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
    so the cut points scale with N (for 12: 0-6, 7-18, 19-30, 31-36). None for N == 0 because
    an inspection with nothing rated has no rating, not an Inadequate one.
    """
    values = list(scores)
    if not values:
        return None
    total, count = sum(values), len(values)
    for row in rules.overall_thresholds:
        if row.above_per_standard is None or total > row.above_per_standard * count:
            return row.rating
    raise ValueError("no overall threshold matched")  # unreachable with validated rules


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class KeyQuestionDef:
    """A key question of a standard, with the text quoted verbatim in the report annex."""

    code: str
    text: str


@dataclass(frozen=True)
class StandardDef:
    """A standard of the framework: judged from ``"cases"`` or by the lead inspector
    (``"organisation"``: interviews, surveys and documents)."""

    code: str
    title: str
    judged_by: JudgedBy
    key_questions: tuple[KeyQuestionDef, ...] = ()

    def __post_init__(self) -> None:
        if self.judged_by not in (JUDGED_BY_CASES, JUDGED_BY_ORGANISATION):
            raise ValueError(
                f"standard {self.code}: judged_by must be 'cases' or 'organisation', "
                f"got {self.judged_by!r}"
            )
        object.__setattr__(self, "key_questions", tuple(self.key_questions))


@dataclass(frozen=True)
class AnswerFact:
    """One inspector's answer to one key question for one case.

    Only answers of submitted cases are passed in; the caller reports how many cases were
    left out, because the engine cannot see cases that have no answers.
    """

    case_id: str
    organisation: str
    question_code: str
    value: AnswerValue

    def __post_init__(self) -> None:
        if self.value not in ANSWER_VALUES:
            raise ValueError(
                f"answer for case {self.case_id} question {self.question_code} must be "
                f"'yes', 'no' or 'na', got {self.value!r}"
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
        exact = self.fraction
        return None if exact is None else float(exact)

    @property
    def rounded_percent(self) -> Decimal | None:
        """Percent to one decimal place, rounded half up."""
        exact = self.fraction
        return None if exact is None else _round_half_up(exact, 1)

    @property
    def whole_percent(self) -> int | None:
        """Percent as a whole number, rounded half up, as the published reports print it."""
        exact = self.fraction
        return None if exact is None else int(_round_half_up(exact, 0))

    @property
    def display(self) -> str:
        """ "26 of 31 (84%)", or "no applicable cases"."""
        if not self.applicable:
            return "no applicable cases"
        return f"{self.yes} of {self.applicable} ({self.whole_percent}%)"

    def __str__(self) -> str:
        return self.display


@dataclass(frozen=True)
class OrganisationTally:
    """One organisation's (area's) counts for a key question, for comparison across areas."""

    organisation: str
    tally: Tally


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class KeyQuestionResult:
    """The result of one key question across the inspection and per organisation.

    ``band`` is the band the question's own percent falls in (None with no applicable
    cases); ``no_case_ids`` are the cases answered No, for drill-down to the evidence.
    """

    code: str
    text: str
    tally: Tally
    by_organisation: tuple[OrganisationTally, ...]
    no_case_ids: tuple[str, ...]
    band: str | None
    summary: str = ""

    @property
    def skipped(self) -> bool:
        """True when no case was applicable: such a question cannot drive a rating."""
        return not self.tally.has_applicable

    def tally_for(self, organisation: str) -> Tally:
        """One organisation's tally (empty when it had no answers to this question)."""
        for row in self.by_organisation:
            if row.organisation == organisation:
                return row.tally
        return Tally()

    @property
    def explanation(self) -> str:
        """ "2.2.2: 15 of 31 (48%) -> Inadequate", showing the unrounded figure too when
        rounding would make the printed percent look as if it sat in another band."""
        if self.band is None:
            return f"{self.code}: no applicable cases"
        return f"{self.code}: {self.summary or self.tally.display} -> {self.band}"


def tally_summary(tally: Tally, rules: RatingRules) -> str:
    """Tally display, plus the one-decimal figure when the whole number crosses a band edge.

    20 of 31 is 64.5%: printed as "65%" it looks Good, yet it is Requires improvement, so the
    explanation reads "20 of 31 (65%; 64.5% unrounded)".
    """
    text = tally.display
    exact, whole = tally.fraction, tally.whole_percent
    if exact is None or whole is None:
        return text
    if band_for_percent(whole, rules) != band_for_percent(exact, rules):
        return f"{text[:-1]}; {tally.rounded_percent}% unrounded)"
    return text


@dataclass(frozen=True)
class StandardResult:
    """A standard's rating and everything needed to explain it.

    ``rating`` is None when the standard cannot be rated: a case-judged standard none of whose
    key questions has an applicable case, or an organisation-level one not yet rated.
    """

    code: str
    title: str
    judged_by: JudgedBy
    rating: str | None
    score: int | None
    lowest: KeyQuestionResult | None
    key_questions: tuple[KeyQuestionResult, ...]
    unrated_reason: str | None = None

    @property
    def is_rated(self) -> bool:
        return self.rating is not None

    @property
    def skipped_key_questions(self) -> tuple[str, ...]:
        """Codes of case-judged key questions left out of the band: no applicable cases."""
        if self.judged_by != JUDGED_BY_CASES:
            return ()
        return tuple(kq.code for kq in self.key_questions if kq.skipped)

    def key_question(self, code: str) -> KeyQuestionResult:
        for kq in self.key_questions:
            if kq.code == code:
                return kq
        raise KeyError(code)

    @property
    def explanation(self) -> str:
        """Why the standard has its rating, in one line a page can show."""
        if self.judged_by == JUDGED_BY_ORGANISATION:
            if self.rating is None:
                return "not yet rated by the lead inspector"
            return f"rated by the lead inspector from interviews and documents: {self.rating}"
        if self.rating is None or self.lowest is None:
            return self.unrated_reason or "not rated"
        text = f"lowest key question {self.lowest.explanation}"
        skipped = self.skipped_key_questions
        if skipped:
            text += f" ({', '.join(skipped)} skipped: no applicable cases)"
        return text


@dataclass(frozen=True)
class InspectionRating:
    """Every standard's result and the overall rating.

    ``standards_rated`` is N in the overall thresholds; ``unrated_standards`` were left out of
    both the score and N. ``unknown_question_codes`` lists answers to questions the framework
    does not have, which the caller should surface rather than lose silently.
    """

    standards: tuple[StandardResult, ...]
    score: int
    rating: str | None
    standards_rated: int
    unrated_standards: tuple[str, ...]
    organisations: tuple[str, ...]
    cases_counted: int
    unknown_question_codes: tuple[str, ...] = ()

    def standard(self, code: str) -> StandardResult:
        for result in self.standards:
            if result.code == code:
                return result
        raise KeyError(code)

    def key_question(self, code: str) -> KeyQuestionResult:
        for result in self.standards:
            for kq in result.key_questions:
                if kq.code == code:
                    return kq
        raise KeyError(code)

    @property
    def explanation(self) -> str:
        """ "score 14 from 12 rated standards -> Requires improvement"."""
        if self.rating is None:
            return "not rated: no standard has a rating yet"
        plural = "standard" if self.standards_rated == 1 else "standards"
        text = f"score {self.score} from {self.standards_rated} rated {plural} -> {self.rating}"
        if self.unrated_standards:
            text += f" (left out, not rated: {', '.join(self.unrated_standards)})"
        return text


def explain(result: StandardResult | KeyQuestionResult | InspectionRating) -> str:
    """One line saying why a standard, key question or inspection has its rating."""
    return result.explanation


# --------------------------------------------------------------------------- engine


def rate_inspection(
    *,
    standards: Sequence[StandardDef],
    answers: Iterable[AnswerFact],
    organisation_ratings: Mapping[str, str],
    rules: RatingRules,
) -> InspectionRating:
    """Rate every standard and the inspection from submitted answers and the lead's ratings.

    Raises ValueError on inputs that would make a rating unexplainable: two answers by the
    same case to the same question (double counting), an unknown rating name, or a lead
    inspector's rating for a standard that is not organisation-judged (it would be ignored).
    """
    question_codes: dict[str, KeyQuestionDef] = {}
    standard_codes: dict[str, StandardDef] = {}
    for standard in standards:
        if standard.code in standard_codes:
            raise ValueError(f"standard {standard.code} is defined twice")
        standard_codes[standard.code] = standard
        for kq in standard.key_questions:
            if kq.code in question_codes:
                raise ValueError(f"key question {kq.code} is defined twice")
            question_codes[kq.code] = kq

    for code, rating in organisation_ratings.items():
        standard = standard_codes.get(code)
        if standard is None:
            raise ValueError(f"organisation rating given for unknown standard {code}")
        if standard.judged_by != JUDGED_BY_ORGANISATION:
            raise ValueError(f"standard {code} is judged from cases; it cannot be rated directly")
        if rating not in RATING_NAMES:
            raise ValueError(f"unknown rating {rating!r} for standard {code}")
        rules.score_for(rating)  # fail early if the framework gives it no score

    # Group the answers: per question, per organisation, with the cases answered No.
    seen: set[tuple[str, str]] = set()
    by_question: dict[str, dict[str, list[str]]] = {}
    no_cases: dict[str, list[str]] = {}
    organisations: set[str] = set()
    cases: set[str] = set()
    unknown: set[str] = set()
    for answer in answers:
        key = (answer.case_id, answer.question_code)
        if key in seen:
            raise ValueError(
                f"case {answer.case_id} has more than one answer to {answer.question_code}"
            )
        seen.add(key)
        if answer.question_code not in question_codes:
            unknown.add(answer.question_code)
            continue
        organisations.add(answer.organisation)
        cases.add(answer.case_id)
        per_org = by_question.setdefault(answer.question_code, {})
        per_org.setdefault(answer.organisation, []).append(answer.value)
        if answer.value == NO:
            no_cases.setdefault(answer.question_code, []).append(answer.case_id)

    org_order = tuple(sorted(organisations, key=_natural_key))

    results: list[StandardResult] = []
    for standard in standards:
        kq_results = tuple(
            _key_question_result(
                kq, by_question.get(kq.code, {}), no_cases.get(kq.code, []), org_order, rules
            )
            for kq in standard.key_questions
        )
        results.append(_standard_result(standard, kq_results, organisation_ratings, rules))

    rated = [r for r in results if r.score is not None]
    scores = [r.score for r in rated if r.score is not None]
    return InspectionRating(
        standards=tuple(results),
        score=sum(scores),
        rating=overall_for(scores, rules),
        standards_rated=len(rated),
        unrated_standards=tuple(r.code for r in results if r.rating is None),
        organisations=org_order,
        cases_counted=len(cases),
        unknown_question_codes=tuple(sorted(unknown, key=_natural_key)),
    )


def _key_question_result(
    kq: KeyQuestionDef,
    per_org_values: Mapping[str, list[str]],
    no_case_ids: list[str],
    organisations: tuple[str, ...],
    rules: RatingRules,
) -> KeyQuestionResult:
    """Tally one key question overall and for every organisation in the inspection.

    Every organisation gets a row, even one with no answers here, so tables across areas line
    up and show "no applicable cases" rather than a missing row.
    """
    by_org = tuple(
        OrganisationTally(org, Tally.of(per_org_values.get(org, ()))) for org in organisations
    )
    overall = sum((row.tally for row in by_org), Tally())
    exact = overall.fraction
    return KeyQuestionResult(
        code=kq.code,
        text=kq.text,
        tally=overall,
        by_organisation=by_org,
        no_case_ids=tuple(sorted(no_case_ids, key=_natural_key)),
        band=None if exact is None else band_for_percent(exact, rules),
        summary=tally_summary(overall, rules),
    )


def _standard_result(
    standard: StandardDef,
    kq_results: tuple[KeyQuestionResult, ...],
    organisation_ratings: Mapping[str, str],
    rules: RatingRules,
) -> StandardResult:
    """Rate one standard: the lead's rating, or the band of the lowest applicable question."""
    if standard.judged_by == JUDGED_BY_ORGANISATION:
        rating = organisation_ratings.get(standard.code)
        return StandardResult(
            code=standard.code,
            title=standard.title,
            judged_by=standard.judged_by,
            rating=rating,
            score=None if rating is None else rules.score_for(rating),
            lowest=None,
            key_questions=kq_results,
            unrated_reason=None if rating is not None else "not yet rated by the lead inspector",
        )

    candidates = [kq for kq in kq_results if not kq.skipped]
    if not candidates:
        return StandardResult(
            code=standard.code,
            title=standard.title,
            judged_by=standard.judged_by,
            rating=None,
            score=None,
            lowest=None,
            key_questions=kq_results,
            unrated_reason="not rated: no key question has any applicable cases",
        )
    # min() keeps the first of equal percents, i.e. the earlier question in framework order.
    lowest = min(candidates, key=lambda kq: kq.tally.fraction)  # type: ignore[arg-type,return-value]
    rating = lowest.band
    if rating is None:  # pragma: no cover -- candidates all have applicable cases
        raise RuntimeError(f"key question {lowest.code} has no band")
    return StandardResult(
        code=standard.code,
        title=standard.title,
        judged_by=standard.judged_by,
        rating=rating,
        score=rules.score_for(rating),
        lowest=lowest,
        key_questions=kq_results,
    )
