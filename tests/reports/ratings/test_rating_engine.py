"""Tests for reports.ratings.engine and inspection.rating_rules: bands, overall cut points,
rounding, edge cases and the seed 004 ratings.

No database and no Django: the engine is plain Python, so these run with ``-p no:django``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspection.rating_rules import (
    DEFAULT_FRAMEWORK_RULES,
    DEFAULT_RULES,
    GOOD,
    INADEQUATE,
    OUTSTANDING,
    RATING_NAMES,
    REQUIRES_IMPROVEMENT,
    RatingRules,
    Tally,
    band_for_percent,
    overall_for,
    round_half_up,
    whole_percent,
)
from reports.ratings.engine import (
    AnswerFact,
    InspectionRating,
    KeyQuestionDef,
    StandardDef,
    explain,
    rate_inspection,
)
from tests.support.seed004 import (
    COURT_CASES,
    OUT_OF_COURT_CASES,
    SEED004_COUNTS,
    SEED004_ORGANISATION_RATINGS,
    SEED004_OVERALL_RATING,
    SEED004_OVERALL_SCORE,
    SEED004_PERCENTS,
    SEED004_RATINGS,
    SEED004_STANDARDS,
    seed004_answers,
)

RULES = RatingRules.from_framework_dict(DEFAULT_FRAMEWORK_RULES)


def _cases_standard(code: str, n_questions: int = 3) -> StandardDef:
    return StandardDef(
        code=code,
        title=f"Standard {code}",
        judged_by="cases",
        key_questions=tuple(
            KeyQuestionDef(f"{code}.{i}", f"Question {code}.{i}?")
            for i in range(1, n_questions + 1)
        ),
    )


def _answers(code: str, yes: int, no: int, na: int = 0, org: str = "Org A") -> list[AnswerFact]:
    values = ["yes"] * yes + ["no"] * no + ["na"] * na
    return [
        AnswerFact(case_id=f"{org}-{i}", organisation=org, question_code=code, value=v)
        for i, v in enumerate(values, start=1)
    ]


def _scores_summing_to(total: int, n: int) -> list[int]:
    """n standard scores (each 0-3) adding up to total."""
    assert 0 <= total <= 3 * n
    scores = [0] * n
    for i in range(total):
        scores[i % n] += 1
    return scores


# --------------------------------------------------------------------------- rules


def test_rules_read_from_framework_dict() -> None:
    assert RULES == DEFAULT_RULES
    assert [band.rating for band in RULES.bands] == list(RATING_NAMES)
    assert RULES.scores == {OUTSTANDING: 3, GOOD: 2, REQUIRES_IMPROVEMENT: 1, INADEQUATE: 0}
    assert RULES.overall_thresholds[-1].above_per_standard is None
    assert RULES.overall_thresholds[0].above_per_standard == Fraction(5, 2)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("rating_bands"), "rating_bands"),
        (lambda d: d["rating_bands"].reverse(), "highest first"),
        (lambda d: d["rating_bands"][-1].update(min_percent=10), "start at 0"),
        (lambda d: d["rating_bands"][0].update(rating="Excellent"), "unknown rating"),
        (lambda d: d["rating_scores"].pop("Good"), "no score"),
        (lambda d: d["overall_thresholds"][-1].update(above_per_standard=0), "null"),
        (lambda d: d["overall_thresholds"].reverse(), "null"),
    ],
)
def test_rules_refuse_incomplete_frameworks(mutate: Callable[[dict], object], message: str) -> None:
    framework = copy.deepcopy(DEFAULT_FRAMEWORK_RULES)
    mutate(framework)
    with pytest.raises(ValueError, match=message):
        RatingRules.from_framework_dict(framework)


# --------------------------------------------------------------------------- bands


@pytest.mark.parametrize(
    "percent, rating",
    [
        (100, OUTSTANDING),
        (80.0, OUTSTANDING),
        (80, OUTSTANDING),
        (79.99, GOOD),
        (79.9, GOOD),
        (65.0, GOOD),
        (64.9, REQUIRES_IMPROVEMENT),
        (50.0, REQUIRES_IMPROVEMENT),
        (49.99, INADEQUATE),
        (49.9, INADEQUATE),
        (0, INADEQUATE),
        (Decimal("64.99"), REQUIRES_IMPROVEMENT),
        (Fraction(129, 2), REQUIRES_IMPROVEMENT),  # 64.5 prints as 65% but is not Good
    ],
)
def test_band_edges(percent, rating: str) -> None:
    assert band_for_percent(percent, RULES) == rating


@pytest.mark.parametrize("percent", [-0.1, 100.1])
def test_band_refuses_impossible_percent(percent: float) -> None:
    with pytest.raises(ValueError):
        band_for_percent(percent, RULES)


def test_band_uses_the_unrounded_percent_not_the_printed_one() -> None:
    """20 of 31 = 64.5%: printed 65%, rated Requires improvement, and the reason says so."""
    standard = _cases_standard("9.1", 1)
    result = rate_inspection(
        standards=[standard],
        answers=_answers("9.1.1", 20, 11),
        organisation_ratings={},
        rules=RULES,
    ).standard("9.1")
    assert result.key_questions[0].tally.whole_percent == 65
    assert result.rating == REQUIRES_IMPROVEMENT
    assert explain(result) == (
        "lowest key question 9.1.1: 20 of 31 is 64.5%, so Requires improvement"
    )


def test_exactly_on_the_edge_counts_as_the_higher_band() -> None:
    # 13 of 20 is exactly 65%, 16 of 20 exactly 80%, 10 of 20 exactly 50%.
    for yes, rating in ((13, GOOD), (16, OUTSTANDING), (10, REQUIRES_IMPROVEMENT), (9, INADEQUATE)):
        result = rate_inspection(
            standards=[_cases_standard("9.1", 1)],
            answers=_answers("9.1.1", yes, 20 - yes),
            organisation_ratings={},
            rules=RULES,
        )
        assert result.standard("9.1").rating == rating


# --------------------------------------------------------------------------- tallies


def test_tally_display_and_rounding() -> None:
    tally = Tally(yes=26, no=5)
    assert tally.applicable == 31
    assert tally.display == "26 of 31 (84%)"
    assert str(tally) == "26 of 31 (84%)"
    assert tally.rounded_percent == Decimal("83.9")
    assert tally.percent == pytest.approx(83.870967, abs=1e-6)


def test_tally_rounds_half_up_unlike_builtin_round() -> None:
    assert Tally(yes=1, no=7).whole_percent == 13  # 12.5 -> 13; round(12.5) would be 12
    assert Tally(yes=1, no=15).rounded_percent == Decimal("6.3")  # 6.25 -> 6.3
    assert Tally(yes=1, no=39).display == "1 of 40 (3%)"  # 2.5 -> 3


def test_tally_with_no_applicable_cases() -> None:
    tally = Tally(yes=0, no=0, not_applicable=4)
    assert tally.applicable == 0
    assert tally.percent is None
    assert tally.rounded_percent is None
    assert tally.whole_percent is None
    assert tally.display == "no applicable cases"
    assert Tally().display == "no applicable cases"


def test_tally_refuses_negative_counts() -> None:
    with pytest.raises(ValueError):
        Tally(yes=-1)


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 50))
def test_tally_whole_percent_matches_integer_half_up(yes: int, no: int, na: int) -> None:
    tally = Tally(yes, no, na)
    if yes + no == 0:
        assert tally.whole_percent is None
        return
    # Integer-only half-up rounding of 100 * yes / (yes + no): an independent oracle.
    expected = (200 * yes + (yes + no)) // (2 * (yes + no))
    assert tally.whole_percent == expected
    assert tally.display == f"{yes} of {yes + no} ({expected}%)"


# --------------------------------------------------------------------------- standards


def test_all_not_applicable_question_is_skipped_and_says_so() -> None:
    answers = (
        _answers("9.1.1", 8, 2)  # 80%
        + _answers("9.1.2", 0, 0, na=10)  # no applicable cases
        + _answers("9.1.3", 6, 4)  # 60%
    )
    result = rate_inspection(
        standards=[_cases_standard("9.1")], answers=answers, organisation_ratings={}, rules=RULES
    )
    standard = result.standard("9.1")
    skipped = standard.key_question("9.1.2")
    assert skipped.skipped
    assert skipped.band is None
    assert skipped.tally.percent is None
    assert skipped.tally.display == "no applicable cases"
    assert standard.rating == REQUIRES_IMPROVEMENT
    assert standard.lowest is not None and standard.lowest.code == "9.1.3"
    assert standard.skipped_key_questions == ("9.1.2",)
    assert explain(standard) == (
        "lowest key question 9.1.3: 6 of 10 (60%), so Requires improvement"
        " (9.1.2 skipped: no applicable cases)"
    )
    assert result.rating == REQUIRES_IMPROVEMENT


def test_standard_with_no_cases_at_all_is_unrated_and_left_out() -> None:
    result = rate_inspection(
        standards=[_cases_standard("9.1"), _cases_standard("9.2")],
        answers=_answers("9.1.1", 9, 1) + _answers("9.2.1", 0, 0, na=3),
        organisation_ratings={},
        rules=RULES,
    )
    empty = result.standard("9.2")
    assert empty.rating is None
    assert empty.score is None
    assert empty.lowest is None
    assert "no key question has any applicable cases" in explain(empty)
    assert result.unrated_standards == ("9.2",)
    assert result.standards_rated == 1
    assert result.score == 3
    assert result.rating == OUTSTANDING


def test_standard_never_answered_is_unrated() -> None:
    result = rate_inspection(
        standards=[_cases_standard("9.1")], answers=[], organisation_ratings={}, rules=RULES
    )
    assert result.standard("9.1").rating is None
    assert result.rating is None
    assert result.standards_rated == 0
    assert explain(result) == "not rated: no counted cases"


def test_unrated_standard_is_excluded_from_n() -> None:
    """Good + Good + (unrated): S=4, N=2 -> 4 > 3 is Good; counting N=3 would give RI.

    (One case is counted, on a standard rated separately, which adds to neither S nor N: an
    inspection with no counted case has no overall rating.)
    """
    standards = [
        StandardDef("1.1", "Governance", "organisation"),
        StandardDef("1.2", "Staff", "organisation"),
        StandardDef("1.3", "Partnerships", "organisation"),
        replace(_cases_standard("4.1", 1), counts_toward_overall=False),
    ]
    result = rate_inspection(
        standards=standards,
        answers=_answers("4.1.1", 1, 0),
        organisation_ratings={"1.1": GOOD, "1.2": GOOD},
        rules=RULES,
    )
    assert result.standards_rated == 2
    assert result.unrated_standards == ("1.3",)
    assert result.score == 4
    assert result.rating == GOOD
    assert overall_for([2, 2, 0], RULES) == REQUIRES_IMPROVEMENT  # what counting it would do
    assert explain(result.standard("1.3")) == "not yet rated by the lead inspector"
    assert explain(result) == (
        "score 4 from 2 rated standards, so Good (left out, not rated: 1.3); "
        "rated separately, not in the score: 4.1 is Outstanding"
    )


def test_per_organisation_tallies_and_no_cases() -> None:
    answers = (
        _answers("9.1.1", 3, 1, org="Reading")
        + _answers("9.1.1", 1, 2, na=1, org="Bromley")
        + _answers("9.1.2", 2, 0, org="Bromley")
    )
    result = rate_inspection(
        standards=[_cases_standard("9.1", 2)], answers=answers, organisation_ratings={}, rules=RULES
    )
    assert result.organisations == ("Bromley", "Reading")
    kq1 = result.key_question("9.1.1")
    assert kq1.tally == Tally(4, 3, 1)
    assert [row.organisation for row in kq1.by_organisation] == ["Bromley", "Reading"]
    assert kq1.tally_for("Bromley") == Tally(1, 2, 1)
    assert kq1.tally_for("Reading") == Tally(3, 1, 0)
    assert kq1.no_case_ids == ("Bromley-2", "Bromley-3", "Reading-4")
    # Reading answered nothing to 9.1.2 but still has a row, so tables line up.
    kq2 = result.key_question("9.1.2")
    assert kq2.tally_for("Reading").display == "no applicable cases"
    assert result.cases_counted == 8


def test_lowest_ties_go_to_the_first_question() -> None:
    answers = _answers("9.1.1", 5, 5) + _answers("9.1.2", 5, 5) + _answers("9.1.3", 9, 1)
    result = rate_inspection(
        standards=[_cases_standard("9.1")], answers=answers, organisation_ratings={}, rules=RULES
    )
    lowest = result.standard("9.1").lowest
    assert lowest is not None and lowest.code == "9.1.1"


def test_bad_inputs_are_refused() -> None:
    standard = _cases_standard("9.1", 1)
    org_standard = StandardDef("1.1", "Governance", "organisation")
    with pytest.raises(ValueError, match="more than one answer"):
        rate_inspection(
            standards=[standard],
            answers=_answers("9.1.1", 1, 0) * 2,
            organisation_ratings={},
            rules=RULES,
        )
    with pytest.raises(ValueError, match="judged from cases"):
        rate_inspection(
            standards=[standard], answers=[], organisation_ratings={"9.1": GOOD}, rules=RULES
        )
    with pytest.raises(ValueError, match="unknown rating"):
        rate_inspection(
            standards=[org_standard], answers=[], organisation_ratings={"1.1": "OK"}, rules=RULES
        )
    with pytest.raises(ValueError):
        AnswerFact("c1", "Org", "9.1.1", "maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        StandardDef("9.9", "Bad", "guesswork")  # type: ignore[arg-type]


def test_answers_to_unknown_questions_are_reported_not_counted() -> None:
    result = rate_inspection(
        standards=[_cases_standard("9.1", 1)],
        answers=_answers("9.1.1", 1, 0) + [AnswerFact("x", "Org A", "7.7.7", "no")],
        organisation_ratings={},
        rules=RULES,
    )
    assert result.unknown_question_codes == ("7.7.7",)
    assert result.key_question("9.1.1").tally == Tally(1, 0, 0)


# --------------------------------------------------------------------------- overall


@pytest.mark.parametrize(
    "total, rating",
    [
        (0, INADEQUATE),
        (6, INADEQUATE),
        (7, REQUIRES_IMPROVEMENT),
        (18, REQUIRES_IMPROVEMENT),
        (19, GOOD),
        (30, GOOD),
        (31, OUTSTANDING),
        (36, OUTSTANDING),
    ],
)
def test_overall_cut_points_for_twelve_standards(total: int, rating: str) -> None:
    assert overall_for(_scores_summing_to(total, 12), RULES) == rating


@pytest.mark.parametrize(
    "total, rating",
    [
        (4, INADEQUATE),
        (5, REQUIRES_IMPROVEMENT),
        (12, REQUIRES_IMPROVEMENT),
        (13, GOOD),
        (20, GOOD),
        (21, OUTSTANDING),
    ],
)
def test_overall_cut_points_for_eight_standards(total: int, rating: str) -> None:
    assert overall_for(_scores_summing_to(total, 8), RULES) == rating


def test_overall_with_nothing_rated_is_none() -> None:
    assert overall_for([], RULES) is None


@given(st.lists(st.integers(0, 3), min_size=1, max_size=30))
def test_overall_matches_the_n_over_2_rule(scores: list[int]) -> None:
    n, total = len(scores), sum(scores)
    # DOMAIN.md: cut points N/2, 3N/2 and 5N/2 (score above the cut point moves up a rating).
    if 2 * total > 5 * n:
        expected = OUTSTANDING
    elif 2 * total > 3 * n:
        expected = GOOD
    elif 2 * total > n:
        expected = REQUIRES_IMPROVEMENT
    else:
        expected = INADEQUATE
    assert overall_for(scores, RULES) == expected


# --------------------------------------------------------------------------- seed 004


@pytest.fixture(scope="module")
def seed004() -> InspectionRating:
    return rate_inspection(
        standards=SEED004_STANDARDS,
        answers=seed004_answers(),
        organisation_ratings=SEED004_ORGANISATION_RATINGS,
        rules=RULES,
    )


def test_seed004_dataset_is_consistent_with_the_published_samples() -> None:
    answers = seed004_answers()
    court = {a.case_id for a in answers if a.question_code.startswith("2.")}
    out_of_court = {a.case_id for a in answers if a.question_code.startswith("3.")}
    assert len(court) == COURT_CASES == 31
    assert len(out_of_court) == OUT_OF_COURT_CASES == 19
    case_questions = {
        kq.code for s in SEED004_STANDARDS if s.judged_by == "cases" for kq in s.key_questions
    }
    assert set(SEED004_PERCENTS) == case_questions == set(SEED004_COUNTS)
    assert len(SEED004_STANDARDS) == 12
    # every case answers every key question of its domain exactly once
    for code in case_questions:
        expected = COURT_CASES if code.startswith("2.") else OUT_OF_COURT_CASES
        assert sum(1 for a in answers if a.question_code == code) == expected


@pytest.mark.parametrize("code", sorted(SEED004_PERCENTS))
def test_seed004_each_count_rounds_to_the_published_percent_in_its_band(code: str) -> None:
    yes, no, na = SEED004_COUNTS[code]
    tally = Tally(yes, no, na)
    published = SEED004_PERCENTS[code]
    assert tally.whole_percent == published
    assert band_for_percent(tally.fraction, RULES) == band_for_percent(published, RULES)


@pytest.mark.parametrize("code", sorted(SEED004_PERCENTS))
def test_seed004_key_question_percents(seed004: InspectionRating, code: str) -> None:
    assert seed004.key_question(code).tally.whole_percent == SEED004_PERCENTS[code]


@pytest.mark.parametrize("code", sorted(SEED004_RATINGS))
def test_seed004_standard_ratings(seed004: InspectionRating, code: str) -> None:
    assert seed004.standard(code).rating == SEED004_RATINGS[code]


def test_seed004_overall(seed004: InspectionRating) -> None:
    assert seed004.standards_rated == 12
    assert seed004.unrated_standards == ()
    assert seed004.score == SEED004_OVERALL_SCORE == 14
    assert seed004.rating == SEED004_OVERALL_RATING == REQUIRES_IMPROVEMENT
    assert explain(seed004) == "score 14 from 12 rated standards, so Requires improvement"
    assert seed004.cases_counted == 50
    assert seed004.organisations == ("Barking and Dagenham YOS",)
    assert seed004.unknown_question_codes == ()


def test_seed004_planning_explained(seed004: InspectionRating) -> None:
    """DOMAIN.md: 2.2 Planning, 80%, 48%, 62% gives Inadequate."""
    planning = seed004.standard("2.2")
    assert [kq.tally.whole_percent for kq in planning.key_questions] == [80, 48, 62]
    assert explain(planning) == "lowest key question 2.2.2: 15 of 31 (48%), so Inadequate"
    assert planning.lowest is not None
    assert len(planning.lowest.no_case_ids) == 16
    assert planning.key_question("2.2.1").band == OUTSTANDING  # 24 of 30 is exactly 80%
    assert explain(seed004.standard("1.2")) == (
        "rated by the lead inspector from interviews and documents: Requires improvement"
    )


def test_seed004_64_percent_stays_requires_improvement(seed004: InspectionRating) -> None:
    kq = seed004.key_question("3.2.2")
    assert kq.tally.display == "9 of 14 (64%)"
    assert kq.tally.percent is not None and kq.tally.percent < 65
    assert seed004.standard("3.2").lowest is kq


# --------------------------------------------------------------------------- rounding


def test_the_one_rounding_function_rounds_halves_up() -> None:
    assert round(62.5) == 62  # Python rounds half to even; the reports do not
    assert round_half_up(62.5) == 63
    assert round_half_up(Fraction(129, 2)) == 65
    assert round_half_up(Fraction(2000, 31), 1) == Decimal("64.5")
    assert round_half_up(0.125, 2) == Decimal("0.13")
    assert round_half_up(-2.5) == -3  # away from zero: a difference of -2.5 points is -3
    assert whole_percent(5, 8) == 63
    assert whole_percent(1, 3) == 33
    assert whole_percent(0, 0) is None


def test_a_standard_is_explained_with_or_without_its_rating() -> None:
    from reports.ratings.engine import standard_rating

    rated = standard_rating(
        judged_by="cases",
        key_questions=[("9.1.1", Tally(8, 2)), ("9.1.2", Tally(0, 0, 3)), ("9.1.3", Tally(4, 6))],
        lead_rating=None,
        rules=RULES,
    )
    assert rated.explanation == (
        "lowest key question 9.1.3: 4 of 10 (40%), so Inadequate"
        " (9.1.2 skipped: no applicable cases)"
    )
    # Beside the rating (the dashboards), the same words less the rating itself.
    assert rated.explain(rating_shown=True) == "lowest key question 9.1.3: 4 of 10 (40%)"
    empty = standard_rating(
        judged_by="cases", key_questions=[("9.1.1", None)], lead_rating=None, rules=RULES
    )
    assert empty.explanation == "not rated: no key question has any applicable cases"
    assert empty.explain(rating_shown=True) == "no key question has any applicable cases"
    lead = standard_rating(
        judged_by="organisation", key_questions=(), lead_rating=GOOD, rules=RULES
    )
    assert lead.explanation == "rated by the lead inspector from interviews and documents: Good"
    assert lead.score == 2
