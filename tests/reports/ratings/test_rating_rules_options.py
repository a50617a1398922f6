"""The rule options a framework file gives the rating engine, one by one, and the results of
published reports reproduced from a 13-standard framework with a standard rated separately.

No database: the engine and the rules are plain Python.

The 13-standard framework is a test-only file (tests/support/frameworks): the inspectorate's
2021 question texts are not among the project's sources, so its texts are placeholders. Its
shape is the published one: twelve standards make the overall rating and resettlement is rated
separately. The standard ratings behind Cheshire 2021 and Reading 2024 are made up to match
what those reports publish (the total "26/36" and Good; seven Inadequate and five Requires
improvement with resettlement not rated, and Inadequate), not taken from the reports.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from inspection.rating_rules import (
    DEFAULT_FRAMEWORK_RULES,
    DEFAULT_RULES,
    GOOD,
    INADEQUATE,
    OUTSTANDING,
    REQUIRES_IMPROVEMENT,
    RatingRules,
    Tally,
    band_of_tally,
    exact_figure,
    overall_for,
    tally_summary,
)
from reports.ratings.engine import (
    AnswerFact,
    KeyQuestionDef,
    StandardDef,
    rate_inspection,
    rate_tallies,
    standard_rating,
)

TEST_FRAMEWORK = (
    Path(__file__).resolve().parents[2] / "support" / "frameworks" / "youth-justice-test-2021.json"
)

#: Yes and No counts (of ten cases) whose percent falls in each band.
COUNTS = {OUTSTANDING: (9, 1), GOOD: (7, 3), REQUIRES_IMPROVEMENT: (6, 4), INADEQUATE: (4, 6)}


def rules(**options) -> RatingRules:
    return RatingRules.from_framework_dict({**copy.deepcopy(DEFAULT_FRAMEWORK_RULES), **options})


def standards_of(document: dict) -> list[StandardDef]:
    """A framework file's standards as the engine's definitions (as the selectors build them
    from the loaded framework)."""
    return [
        StandardDef(
            code=standard["code"],
            title=standard["title"],
            judged_by=standard["judged_by"],
            key_questions=tuple(
                KeyQuestionDef(kq["code"], kq["text"]) for kq in standard["key_questions"]
            ),
            counts_toward_overall=standard.get("counts_toward_overall", True),
        )
        for domain in document["domains"]
        for standard in domain["standards"]
    ]


def answers_rating(standard: StandardDef, rating: str, *, prefix: str) -> list[AnswerFact]:
    """Ten cases' answers to every key question of the standard, giving it ``rating``."""
    yes, no = COUNTS[rating]
    return [
        AnswerFact(f"{prefix}-{i}", "Test YJS", kq.code, "yes" if i <= yes else "no")
        for kq in standard.key_questions
        for i in range(1, yes + no + 1)
    ]


def rate_test_framework(ratings: dict[str, str | None]):
    """Rate the 13-standard test framework so that each standard gets the rating given (None:
    no case to inspect); organisation-judged standards take theirs from the lead inspector."""
    document = json.loads(TEST_FRAMEWORK.read_text())
    standards = standards_of(document)
    answers, lead = [], {}
    prefixes = {"2": "C", "3": "O", "4": "R"}  # court, out-of-court and resettlement cases
    for standard in standards:
        rating = ratings[standard.code]
        if standard.judged_by == "organisation":
            if rating is not None:
                lead[standard.code] = rating
        elif rating is not None:
            answers += answers_rating(standard, rating, prefix=prefixes[standard.code[0]])
    return rate_inspection(
        standards=standards,
        answers=answers,
        organisation_ratings=lead,
        rules=RatingRules.from_framework_dict(document),
    )


# --- today's frameworks: results of published reports ---------------------------------------


def test_cheshire_2021_scores_26_of_36_over_twelve_standards_and_is_good():
    ratings = {
        **{"1.1": GOOD, "1.2": OUTSTANDING, "1.3": GOOD, "1.4": GOOD},
        **{"2.1": GOOD, "2.2": GOOD, "2.3": GOOD, "2.4": GOOD},
        **{"3.1": GOOD, "3.2": GOOD, "3.3": OUTSTANDING, "3.4": GOOD},
        "4.1": OUTSTANDING,  # rated separately: not in the 26 nor in the 12
    }
    result = rate_test_framework(ratings)
    assert len(result.standards) == 13
    assert result.standard("4.1").rating == OUTSTANDING
    assert result.rated_separately == ("4.1",)
    assert result.standards_rated == 12
    assert f"{result.score}/{3 * result.standards_rated}" == "26/36"
    assert result.rating == GOOD
    assert result.explanation == (
        "score 26 from 12 rated standards, so Good; "
        "rated separately, not in the score: 4.1 is Outstanding"
    )
    # Counted in, resettlement would have made it 29 from 13.
    assert result.score + result.standard("4.1").score == 29


def test_reading_2024_with_resettlement_not_rated_is_inadequate():
    i, ri = INADEQUATE, REQUIRES_IMPROVEMENT
    ratings = {
        **{"1.1": i, "1.2": ri, "1.3": i, "1.4": ri},
        **{"2.1": i, "2.2": i, "2.3": i, "2.4": ri},
        **{"3.1": i, "3.2": i, "3.3": ri, "3.4": ri},
        "4.1": None,  # no resettlement cases to inspect
    }
    result = rate_test_framework(ratings)
    counted = [s.rating for s in result.standards if s.counts_toward_overall]
    assert counted.count(INADEQUATE) == 7 and counted.count(REQUIRES_IMPROVEMENT) == 5
    resettlement = result.standard("4.1")
    assert resettlement.rating is None
    assert resettlement.explanation == "not rated: no key question has any applicable cases"
    assert result.unrated_standards == ()  # resettlement is not one of the twelve
    assert (result.score, result.standards_rated, result.rating) == (5, 12, INADEQUATE)
    assert result.explanation == (
        "score 5 from 12 rated standards, so Inadequate; "
        "rated separately, not in the score: 4.1 is not rated"
    )


# --- standards rated separately ----------------------------------------------------------------


def test_a_standard_rated_separately_is_left_out_of_the_score_and_of_n():
    main = StandardDef("1.1", "Main", "organisation")
    separate = StandardDef("1.2", "Separate", "organisation", counts_toward_overall=False)
    answers = [AnswerFact("C-1", "Org", "9.1.1", "yes")]  # one counted case
    case_standard = StandardDef("9.1", "Cases", "cases", (KeyQuestionDef("9.1.1", "?"),))
    result = rate_inspection(
        standards=[main, separate, case_standard],
        answers=answers,
        organisation_ratings={"1.1": INADEQUATE, "1.2": OUTSTANDING},
        rules=DEFAULT_RULES,
    )
    # Counted: 0 + 3 from 2 is 3 > 1, Requires improvement; with 1.2 it would be 6 from 3, Good.
    assert (result.score, result.standards_rated) == (3, 2)
    assert result.rating == REQUIRES_IMPROVEMENT
    assert overall_for([0, 3, 3], DEFAULT_RULES) == GOOD
    assert result.standard("1.2").rating == OUTSTANDING
    assert not result.standard("1.2").counts_toward_overall


# --- overall thresholds: per standard or fixed ----------------------------------------------


def test_fixed_overall_thresholds_do_not_scale_with_the_standards_rated():
    fixed = rules(
        overall_thresholds=[
            {"rating": OUTSTANDING, "above": 30},
            {"rating": GOOD, "above": 18},
            {"rating": REQUIRES_IMPROVEMENT, "above": 6},
            {"rating": INADEQUATE, "above": None},
        ]
    )
    # Twelve standards: the same cut points as N/2, 3N/2, 5N/2.
    for total in range(37):
        scores = [3] * (total // 3) + ([total % 3] if total % 3 else [])
        scores += [0] * (12 - len(scores))
        assert overall_for(scores, fixed) == overall_for(scores, DEFAULT_RULES), total
    # Six standards scoring 10: per standard 10 > 9 is Good; fixed, 10 is only above 6.
    assert overall_for([2, 2, 2, 2, 1, 1], DEFAULT_RULES) == GOOD
    assert overall_for([2, 2, 2, 2, 1, 1], fixed) == REQUIRES_IMPROVEMENT
    assert overall_for([], fixed) is None


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        (
            [
                {"rating": GOOD, "above": 18},
                {"rating": REQUIRES_IMPROVEMENT, "above_per_standard": 0.5},
                {"rating": INADEQUATE, "above_per_standard": None},
            ],
            "must all be per standard (above_per_standard) or all fixed (above), not a mixture",
        ),
        (
            [
                {"rating": GOOD, "above": 6},
                {"rating": REQUIRES_IMPROVEMENT, "above": 18},
                {"rating": INADEQUATE, "above": None},
            ],
            "overall_thresholds must be ordered, highest first",
        ),
        (
            [
                {"rating": GOOD, "above": 18, "above_per_standard": 1.5},
                {"rating": INADEQUATE, "above": None},
            ],
            "either above_per_standard or above, not both",
        ),
        (
            [{"rating": GOOD, "above": 18}, {"rating": INADEQUATE, "above": 2}],
            "the last overall threshold must have above_per_standard null",
        ),
    ],
)
def test_bad_overall_thresholds_are_refused_naming_the_field(thresholds, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        rules(overall_thresholds=thresholds)


# --- the smallest numbers of cases ----------------------------------------------------------


def test_a_key_question_with_fewer_cases_than_the_minimum_has_no_band_and_is_skipped():
    five = rules(minimum_cases={"key_question": 5})
    few, enough = Tally(yes=1, no=3), Tally(yes=6, no=4)
    assert band_of_tally(few, five) is None
    assert band_of_tally(few, DEFAULT_RULES) == INADEQUATE
    assert tally_summary(few, five) == "1 of 4 (25%): fewer than 5 applicable cases"
    verdict = standard_rating(
        judged_by="cases",
        key_questions=[("9.1.1", few), ("9.1.2", enough)],
        lead_rating=None,
        rules=five,
    )
    assert (verdict.rating, verdict.lowest_code, verdict.skipped) == (
        REQUIRES_IMPROVEMENT,
        "9.1.2",
        ("9.1.1",),
    )
    assert verdict.explanation == (
        "lowest key question 9.1.2: 6 of 10 (60%), so Requires improvement "
        "(9.1.1 skipped: fewer than 5 applicable cases)"
    )
    alone = standard_rating(
        judged_by="cases", key_questions=[("9.1.1", few)], lead_rating=None, rules=five
    )
    assert alone.rating is None
    assert alone.explanation == "not rated: no key question has the 5 applicable cases it needs"


def test_a_standard_with_fewer_cases_than_the_minimum_is_not_rated():
    ten = rules(minimum_cases={"standard": 10})
    tallies = [("9.1.1", Tally(yes=8, no=1)), ("9.1.2", Tally(yes=5, no=3, not_applicable=1))]
    verdict = standard_rating(judged_by="cases", key_questions=tallies, lead_rating=None, rules=ten)
    assert verdict.rating is None and verdict.score is None
    assert (
        verdict.explanation == "not rated: 9 applicable cases, fewer than the 10 a standard needs"
    )
    assert verdict.explain(rating_shown=True) == (
        "9 applicable cases, fewer than the 10 a standard needs"
    )
    tallies[0] = ("9.1.1", Tally(yes=9, no=1))
    verdict = standard_rating(judged_by="cases", key_questions=tallies, lead_rating=None, rules=ten)
    assert verdict.rating == REQUIRES_IMPROVEMENT  # 5 of 8, the lowest


def _one_standard(n_cases: int, rules_: RatingRules, **extra):
    standard = StandardDef("9.1", "Cases", "cases", (KeyQuestionDef("9.1.1", "?"),))
    answers = [AnswerFact(f"C-{i}", "Org", "9.1.1", "yes") for i in range(n_cases)]
    return rate_inspection(
        standards=[standard], answers=answers, organisation_ratings={}, rules=rules_, **extra
    )


def test_an_overall_rating_needs_the_frameworks_minimum_of_counted_cases():
    ten = rules(minimum_cases={"overall": 10})
    short = _one_standard(9, ten)
    assert short.standard("9.1").rating == OUTSTANDING  # the standard is still rated
    assert short.rating is None
    assert short.explanation == (
        "not rated: 9 counted cases, fewer than the 10 an overall rating needs"
    )
    assert _one_standard(10, ten).rating == OUTSTANDING


def test_an_inspection_with_no_counted_case_has_no_overall_rating():
    result = rate_inspection(
        standards=[StandardDef("1.1", "Lead", "organisation")],
        answers=[],
        organisation_ratings={"1.1": GOOD},
        rules=DEFAULT_RULES,
    )
    assert result.standard("1.1").rating == GOOD
    assert result.rating is None
    assert result.explanation == "not rated: no counted cases"


def test_a_small_organisation_is_inspected_but_not_rated():
    small = rules(small_organisation={"unrated_below_cases": 10})
    lead = StandardDef("1.1", "Lead", "organisation")
    standard = StandardDef("9.1", "Cases", "cases", (KeyQuestionDef("9.1.1", "?"),))
    tallies = {("Org", "9.1.1"): Tally(yes=8, no=1)}

    def rate(cases_in_sample):
        return rate_tallies(
            standards=[lead, standard],
            tallies=tallies,
            organisation_ratings={"1.1": GOOD},
            rules=small,
            cases_counted=9,
            cases_in_sample=cases_in_sample,
        )

    result = rate(9)
    reason = "a small organisation, 9 cases in the sample, fewer than 10: inspected but not rated"
    assert [s.rating for s in result.standards] == [None, None]
    assert result.rating is None
    assert result.explanation == f"not rated: {reason}"
    assert result.standard("9.1").explanation == f"not rated: {reason}"
    # The figures are still there to read.
    assert result.key_question("9.1.1").tally.display == "8 of 9 (89%)"
    assert rate(10).rating == GOOD  # 2 + 3 from 2 standards
    assert rate(None).rating == GOOD  # size not known: rated
    assert _one_standard(1, DEFAULT_RULES, cases_in_sample=1).rating == OUTSTANDING


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"minimum_cases": {"key_question": 0}}, "minimum_cases.key_question must be"),
        ({"minimum_cases": {"standard": -1}}, "minimum_cases.standard must be"),
        ({"minimum_cases": {"overall": 1.5}}, "minimum_cases.overall must be"),
        (
            {"small_organisation": {"unrated_below_cases": 0}},
            "small_organisation.unrated_below_cases must be 1 or more",
        ),
        (
            {"small_organisation": {"unrated_below_cases": "10"}},
            "small_organisation.unrated_below_cases must be a whole number",
        ),
    ],
)
def test_bad_case_minimums_are_refused_naming_the_field(options, message):
    with pytest.raises(ValueError, match=message):
        rules(**options)


def test_rules_with_options_survive_pickling_and_compare_by_value():
    import pickle

    options = rules(
        minimum_cases={"key_question": 3}, small_organisation={"unrated_below_cases": 5}
    )
    copied = pickle.loads(pickle.dumps(options))  # noqa: S301 - our own bytes
    assert copied == options
    assert hash(copied) == hash(options)
    assert options != DEFAULT_RULES
    assert rules() == DEFAULT_RULES


# --- every organisation under each key question -----------------------------------------------


def test_every_organisation_named_is_listed_under_each_key_question_with_zeros():
    standard = StandardDef("9.1", "Cases", "cases", (KeyQuestionDef("9.1.1", "?"),))
    result = rate_tallies(
        standards=[standard],
        tallies={("Reading YOT", "9.1.1"): Tally(yes=3, no=1)},
        organisation_ratings={},
        rules=DEFAULT_RULES,
        cases_counted=4,
        organisations=["Slough YOT", "Reading YOT", "Bracknell YOT"],
    )
    rows = result.key_question("9.1.1").by_organisation
    assert [(row.organisation, row.tally) for row in rows] == [
        ("Bracknell YOT", Tally()),
        ("Reading YOT", Tally(yes=3, no=1)),
        ("Slough YOT", Tally()),
    ]
    assert result.organisations == ("Bracknell YOT", "Reading YOT", "Slough YOT")


# --- explanations: words, and the exact figure where the band depends on it ------------------


def test_the_exact_figure_is_shown_where_rounding_would_cross_a_band():
    tally = Tally(yes=76, no=41)  # 64.957...%: prints as 65%, which would read Good
    assert tally.whole_percent == 65
    assert band_of_tally(tally, DEFAULT_RULES) == REQUIRES_IMPROVEMENT
    assert tally_summary(tally, DEFAULT_RULES) == "76 of 117 is 64.96%"
    verdict = standard_rating(
        judged_by="cases", key_questions=[("2.2.2", tally)], lead_rating=None, rules=DEFAULT_RULES
    )
    assert verdict.explanation == (
        "lowest key question 2.2.2: 76 of 117 is 64.96%, so Requires improvement"
    )
    assert "unrounded" not in verdict.explanation
    # One decimal place is enough where it stays in the band: 20 of 31 is 64.516...%.
    assert tally_summary(Tally(yes=20, no=11), DEFAULT_RULES) == "20 of 31 is 64.5%"
    # No band edge between the printed and the exact figure: the usual "n of N (p%)".
    assert tally_summary(Tally(yes=15, no=16), DEFAULT_RULES) == "15 of 31 (48%)"


def test_the_exact_figure_takes_as_many_places_as_the_band_needs():
    just_under = Fraction(649999, 10000)  # 64.9999%
    assert exact_figure(just_under, REQUIRES_IMPROVEMENT, DEFAULT_RULES) == "64.9999"
    far_under = Fraction(64999999999, 10**9)  # cut short, never rounded up into Good
    assert exact_figure(far_under, REQUIRES_IMPROVEMENT, DEFAULT_RULES) == "64.999999"


def test_explanations_are_in_words_not_arrows():
    result = rate_test_framework(
        {
            **dict.fromkeys(("1.1", "1.2", "1.3", "1.4"), GOOD),
            **dict.fromkeys(("2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"), GOOD),
            "3.4": REQUIRES_IMPROVEMENT,
            "4.1": None,
        }
    )
    lines = [result.explanation]
    for standard in result.standards:
        lines.append(standard.explanation)
        lines += [kq.explanation for kq in standard.key_questions]
    assert not [line for line in lines if "->" in line or "→" in line]
    assert result.standard("3.4").key_questions[0].explanation == (
        "3.4.1: 6 of 10 (60%), so Requires improvement"
    )


def test_a_standard_definition_counts_toward_the_overall_rating_unless_it_says_not():
    plain = StandardDef("1.1", "Lead", "organisation")
    assert plain.counts_toward_overall
    assert not replace(plain, counts_toward_overall=False).counts_toward_overall
