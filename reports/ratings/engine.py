"""The rating engine: how counts of inspectors' Yes / No / Not applicable answers become ratings.

Plain Python on purpose -- no ORM, no database, no Django -- so that the method that
reproduces the published ratings (DOMAIN.md, "How answers become ratings") can be tested
against seed 004 in milliseconds. The rules it applies (rating names, bands, scores, overall
cut points, rounding) are a framework's data, in :mod:`inspection.rating_rules`.

The engine works on tallies: counts of Yes, No and Not applicable per key question (and per
organisation), as :func:`reports.ratings.tallies.answer_tallies` counts them in the database.
A standard's rating and its explanation come from one function, :func:`standard_rating`,
which the ratings pages, the written report, the JSON document and the dashboards all call,
so a rating reads the same wherever it is shown.

The method, in short:

1. A key question's result is the share of Yes among the cases answered Yes or No; Not
   applicable is left out ("26 of 31 (84%)").
2. A case-judged standard takes the band of its *lowest* key question (a key question with no
   applicable cases, or fewer than the framework's minimum, cannot be lowest: it is skipped,
   and the result says so). A standard whose key questions have fewer applicable cases than
   the framework's minimum for a standard is not rated.
3. Standards judged from interviews and documents are rated directly by the lead inspector.
4. The overall rating sums the scores of the rated standards that count toward it (a standard
   the framework rates separately, such as resettlement, does not) and compares the sum with
   the framework's thresholds (scaled by the number of standards rated, or fixed); unrated
   standards are left out of that number. An inspection with fewer counted cases than the
   framework's minimum has no overall rating, and a small organisation (a sample smaller than
   the framework says) has no ratings at all.

Everything the method varies by is the framework's data (:class:`RatingRules`, and each
standard's ``counts_toward_overall``); explanations are in words, never arrows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from inspection.rating_rules import (
    ANSWER_VALUES,
    NO,
    RATING_NAMES,
    AnswerValue,
    RatingRules,
    Tally,
    band_of_tally,
    overall_for,
    overall_withheld,
    small_organisation,
    tally_summary,
)

JUDGED_BY_CASES = "cases"
JUDGED_BY_ORGANISATION = "organisation"
JudgedBy = Literal["cases", "organisation"]


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort "case-2" before "case-10", so drill-down lists read in sample order."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


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
    #: False for a standard the framework rates separately, outside the overall score.
    counts_toward_overall: bool = True

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
        """ "2.2.2: 15 of 31 (48%), so Inadequate"; the exact figure instead when rounding
        would make the printed percent look as if it sat in another band ("2.2.2: 76 of 117
        is 64.96%, so Requires improvement")."""
        summary = self.summary or self.tally.display
        if self.band is None:
            return f"{self.code}: {summary}"
        return f"{self.code}: {summary}, so {self.band}"


# --------------------------------------------------------------------------- a standard


@dataclass(frozen=True, slots=True)
class StandardRating:
    """A standard's rating and what it rests on: THE rule, used by every page and export.

    For a case-judged standard, ``lowest_code`` and ``lowest_tally`` are the key question
    whose band the standard takes, and ``skipped`` the key questions with no applicable
    cases; for an organisation-judged one, ``rating`` is the lead inspector's (or None).
    """

    judged_by: str
    rating: str | None
    rules: RatingRules
    lowest_code: str | None = None
    lowest_tally: Tally | None = None
    skipped: tuple[str, ...] = ()
    #: Why a standard that could have been rated is not (too few cases, a small organisation).
    unrated_because: str = ""

    @property
    def score(self) -> int | None:
        return None if self.rating is None else self.rules.score_for(self.rating)

    def explain(self, *, rating_shown: bool = False) -> str:
        """Why the standard has its rating, in one line a page can show.

        "lowest key question 2.2.2: 15 of 31 (48%), so Inadequate", naming any key question
        skipped for want of applicable cases. With ``rating_shown`` (a page that shows the
        rating right beside the line, as the dashboards do) the line gives only the reason:
        "lowest key question 2.2.2: 15 of 31 (48%)".
        """
        if self.unrated_because:
            return self.unrated_because if rating_shown else f"not rated: {self.unrated_because}"
        if self.judged_by == JUDGED_BY_ORGANISATION:
            if self.rating is None:
                return "not yet rated by the lead inspector"
            reason = "rated by the lead inspector from interviews and documents"
            return reason if rating_shown else f"{reason}: {self.rating}"
        if self.rating is None or self.lowest_tally is None:
            reason = "no key question has any applicable cases"
            return reason if rating_shown else f"not rated: {reason}"
        summary = tally_summary(self.lowest_tally, self.rules)
        reason = f"lowest key question {self.lowest_code}: {summary}"
        if rating_shown:
            return reason
        text = f"{reason}, so {self.rating}"
        if self.skipped:
            minimum = self.rules.minimum_key_question_cases
            why = (
                "no applicable cases" if minimum <= 1 else f"fewer than {minimum} applicable cases"
            )
            text += f" ({', '.join(self.skipped)} skipped: {why})"
        return text

    @property
    def explanation(self) -> str:
        """Why the standard has its rating, rating included (see :meth:`explain`)."""
        return self.explain()


def standard_rating(
    *,
    judged_by: str,
    key_questions: Iterable[tuple[str, Tally | None]],
    lead_rating: str | None,
    rules: RatingRules,
) -> StandardRating:
    """Rate one standard from its key questions' tallies (code, tally) in framework order.

    A case-judged standard takes the band of its lowest key question with at least the
    framework's minimum of applicable cases (of equal percents, the earlier question); with
    none it is not rated, nor when no key question reaches the framework's minimum for a
    standard. An organisation-judged standard takes the lead inspector's rating, or none yet.
    """
    if judged_by == JUDGED_BY_ORGANISATION:
        if lead_rating is not None:
            rules.score_for(lead_rating)  # fail early if the framework gives it no score
        return StandardRating(judged_by, lead_rating, rules)
    lowest_code: str | None = None
    low: Tally | None = None
    skipped: list[str] = []
    most = 0  # the most applicable cases any key question has: the standard's cases
    for code, tally in key_questions:
        applicable = tally.applicable if tally is not None else 0
        most = max(most, applicable)
        if tally is None or not applicable or applicable < rules.minimum_key_question_cases:
            skipped.append(code)
            continue
        # yes/applicable below low's, compared without division; strictly lower only, so
        # of equal percents the earlier question stays the lowest.
        if low is None or tally.yes * low.applicable < low.yes * tally.applicable:
            lowest_code, low = code, tally
    if most and most < rules.minimum_standard_cases:
        plural = "case" if most == 1 else "cases"
        return StandardRating(
            judged_by,
            None,
            rules,
            skipped=tuple(skipped),
            unrated_because=(
                f"{most} applicable {plural}, fewer than the {rules.minimum_standard_cases} "
                "a standard needs"
            ),
        )
    if low is None:
        if most:  # cases, but no key question with the minimum a key question needs
            return StandardRating(
                judged_by,
                None,
                rules,
                skipped=tuple(skipped),
                unrated_because=(
                    "no key question has the "
                    f"{rules.minimum_key_question_cases} applicable cases it needs"
                ),
            )
        return StandardRating(judged_by, None, rules, skipped=tuple(skipped))
    return StandardRating(
        judged_by, band_of_tally(low, rules), rules, lowest_code, low, tuple(skipped)
    )


@dataclass(frozen=True)
class StandardResult:
    """A standard's rating (``verdict``, from :func:`standard_rating`) with its key questions.

    ``rating`` is None when the standard cannot be rated: a case-judged standard none of whose
    key questions has an applicable case, or an organisation-level one not yet rated.
    """

    code: str
    title: str
    judged_by: JudgedBy
    key_questions: tuple[KeyQuestionResult, ...]
    verdict: StandardRating
    counts_toward_overall: bool = True

    @property
    def rating(self) -> str | None:
        return self.verdict.rating

    @property
    def score(self) -> int | None:
        return self.verdict.score

    @property
    def is_rated(self) -> bool:
        return self.rating is not None

    @property
    def lowest(self) -> KeyQuestionResult | None:
        """The key question whose band the standard takes (case-judged and rated only)."""
        code = self.verdict.lowest_code
        return None if code is None else self.key_question(code)

    @property
    def skipped_key_questions(self) -> tuple[str, ...]:
        """Codes of case-judged key questions left out of the band: no applicable cases."""
        return self.verdict.skipped

    def key_question(self, code: str) -> KeyQuestionResult:
        for kq in self.key_questions:
            if kq.code == code:
                return kq
        raise KeyError(code)

    @property
    def explanation(self) -> str:
        """Why the standard has its rating, in one line a page can show."""
        return self.verdict.explanation


@dataclass(frozen=True)
class InspectionRating:
    """Every standard's result and the overall rating.

    ``standards_rated`` is N in the overall thresholds; ``unrated_standards`` (of those that
    count toward the overall rating) were left out of both the score and N;
    ``rated_separately`` are the standards the framework keeps out of the overall score.
    ``unknown_question_codes`` lists answers to questions the framework does not have, which
    the caller should surface rather than lose silently. ``unrated_because`` says why there
    is no overall rating when the framework's case minimums or small-organisation rule
    withhold it.
    """

    standards: tuple[StandardResult, ...]
    score: int
    rating: str | None
    standards_rated: int
    unrated_standards: tuple[str, ...]
    organisations: tuple[str, ...]
    cases_counted: int
    unknown_question_codes: tuple[str, ...] = ()
    rated_separately: tuple[str, ...] = ()
    unrated_because: str = ""

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
        """ "score 14 from 12 rated standards, so Requires improvement", then any standard left
        out ("left out, not rated: 1.3") and any rated separately ("rated separately: 4.1 is
        Good")."""
        if self.unrated_because:
            return f"not rated: {self.unrated_because}"
        if self.rating is None:
            return "not rated: no standard has a rating yet"
        plural = "standard" if self.standards_rated == 1 else "standards"
        text = f"score {self.score} from {self.standards_rated} rated {plural}, so {self.rating}"
        if self.unrated_standards:
            text += f" (left out, not rated: {', '.join(self.unrated_standards)})"
        if self.rated_separately:
            parts = [
                f"{code} is {self.standard(code).rating or 'not rated'}"
                for code in self.rated_separately
            ]
            text += f"; rated separately, not in the score: {'; '.join(parts)}"
        return text


def explain(result: StandardResult | KeyQuestionResult | InspectionRating) -> str:
    """One line saying why a standard, key question or inspection has its rating."""
    return result.explanation


# --------------------------------------------------------------------------- engine


def rate_tallies(
    *,
    standards: Sequence[StandardDef],
    tallies: Mapping[tuple[str, str], Tally],
    organisation_ratings: Mapping[str, str],
    rules: RatingRules,
    no_case_ids: Mapping[str, Sequence[str]] | None = None,
    cases_counted: int,
    cases_in_sample: int | None = None,
    organisations: Sequence[str] | None = None,
) -> InspectionRating:
    """Rate every standard and the inspection from answer tallies and the lead's ratings.

    ``tallies`` maps (organisation, key question code) to the counts of submitted cases'
    answers; ``no_case_ids`` (key question code to case references answered No) is carried
    into the results for drill-down. ``cases_counted`` is the number of counted cases (the
    framework's minimum for an overall rating is compared with it); ``cases_in_sample``, when
    given, is compared with the framework's size of a small organisation. ``organisations``
    names every organisation rated, so each key question lists them all, with zeros where
    one has no counted answers; without it, the organisations with answers. Raises
    ValueError on inputs that would make a rating unexplainable: an unknown rating name, or a
    lead inspector's rating for a standard that is not organisation-judged (it would be
    ignored).
    """
    question_codes: set[str] = set()
    standard_codes: dict[str, StandardDef] = {}
    for standard in standards:
        if standard.code in standard_codes:
            raise ValueError(f"standard {standard.code} is defined twice")
        standard_codes[standard.code] = standard
        for kq in standard.key_questions:
            if kq.code in question_codes:
                raise ValueError(f"key question {kq.code} is defined twice")
            question_codes.add(kq.code)

    for code, rating in organisation_ratings.items():
        standard = standard_codes.get(code)
        if standard is None:
            raise ValueError(f"organisation rating given for unknown standard {code}")
        if standard.judged_by != JUDGED_BY_ORGANISATION:
            raise ValueError(f"standard {code} is judged from cases; it cannot be rated directly")
        if rating not in RATING_NAMES:
            raise ValueError(f"unknown rating {rating!r} for standard {code}")
        rules.score_for(rating)  # fail early if the framework gives it no score

    by_question: dict[str, dict[str, Tally]] = {}
    named: set[str] = set(organisations or ())
    unknown: set[str] = set()
    for (organisation, code), tally in tallies.items():
        if code not in question_codes:
            unknown.add(code)
            continue
        named.add(organisation)
        per_org = by_question.setdefault(code, {})
        per_org[organisation] = per_org.get(organisation, Tally()) + tally
    org_order = tuple(sorted(named, key=natural_key))
    no_cases = no_case_ids or {}
    small_reason = small_organisation(rules, cases_in_sample)

    results: list[StandardResult] = []
    for standard in standards:
        kq_results = tuple(
            _key_question_result(
                kq, by_question.get(kq.code, {}), no_cases.get(kq.code, ()), org_order, rules
            )
            for kq in standard.key_questions
        )
        if small_reason:
            verdict = StandardRating(standard.judged_by, None, rules, unrated_because=small_reason)
        else:
            verdict = standard_rating(
                judged_by=standard.judged_by,
                key_questions=((kq.code, kq.tally) for kq in kq_results),
                lead_rating=organisation_ratings.get(standard.code),
                rules=rules,
            )
        results.append(
            StandardResult(
                standard.code,
                standard.title,
                standard.judged_by,
                kq_results,
                verdict,
                standard.counts_toward_overall,
            )
        )
    return _overall(
        results,
        rules=rules,
        organisations=org_order,
        cases_counted=cases_counted,
        unknown=tuple(sorted(unknown, key=natural_key)),
        unrated_because=overall_withheld(
            rules, cases_counted=cases_counted, cases_in_sample=cases_in_sample
        ),
    )


def _overall(
    results: list[StandardResult],
    *,
    rules: RatingRules,
    organisations: tuple[str, ...],
    cases_counted: int,
    unknown: tuple[str, ...],
    unrated_because: str,
) -> InspectionRating:
    """The overall rating from the standards that count toward it, unless the framework's
    minimum of counted cases (or its small-organisation rule) withholds it
    (``unrated_because``, from :func:`inspection.rating_rules.overall_withheld`)."""
    counted = [r for r in results if r.counts_toward_overall]
    scores = [r.score for r in counted if r.score is not None]
    return InspectionRating(
        standards=tuple(results),
        score=sum(scores),
        rating=None if unrated_because else overall_for(scores, rules),
        standards_rated=len(scores),
        unrated_standards=tuple(r.code for r in counted if r.rating is None),
        organisations=organisations,
        cases_counted=cases_counted,
        unknown_question_codes=unknown,
        rated_separately=tuple(r.code for r in results if not r.counts_toward_overall),
        unrated_because=unrated_because,
    )


def rate_inspection(
    *,
    standards: Sequence[StandardDef],
    answers: Iterable[AnswerFact],
    organisation_ratings: Mapping[str, str],
    rules: RatingRules,
    cases_in_sample: int | None = None,
    organisations: Sequence[str] | None = None,
) -> InspectionRating:
    """Rate an inspection from individual answers: tally them, then :func:`rate_tallies`.

    For callers that hold answers one by one (tests, seed data). Raises ValueError when a
    case answers the same question twice (it would be counted twice).
    """
    seen: set[tuple[str, str]] = set()
    values: dict[tuple[str, str], list[str]] = {}
    no_cases: dict[str, list[str]] = {}
    cases: set[str] = set()
    for answer in answers:
        key = (answer.case_id, answer.question_code)
        if key in seen:
            raise ValueError(
                f"case {answer.case_id} has more than one answer to {answer.question_code}"
            )
        seen.add(key)
        values.setdefault((answer.organisation, answer.question_code), []).append(answer.value)
        if answer.value == NO:
            no_cases.setdefault(answer.question_code, []).append(answer.case_id)
    known = {kq.code for standard in standards for kq in standard.key_questions}
    for case_id, code in seen:
        if code in known:
            cases.add(case_id)
    return rate_tallies(
        standards=standards,
        tallies={key: Tally.of(found) for key, found in values.items()},
        organisation_ratings=organisation_ratings,
        rules=rules,
        no_case_ids=no_cases,
        cases_counted=len(cases),
        cases_in_sample=cases_in_sample,
        organisations=organisations,
    )


def _key_question_result(
    kq: KeyQuestionDef,
    per_org: Mapping[str, Tally],
    no_case_ids: Sequence[str],
    organisations: tuple[str, ...],
    rules: RatingRules,
) -> KeyQuestionResult:
    """Tally one key question overall and for every organisation in the inspection.

    Every organisation gets a row, even one with no answers here, so tables across areas line
    up and show "no applicable cases" rather than a missing row.
    """
    by_org = tuple(OrganisationTally(org, per_org.get(org, Tally())) for org in organisations)
    overall = sum((row.tally for row in by_org), Tally())
    return KeyQuestionResult(
        code=kq.code,
        text=kq.text,
        tally=overall,
        by_organisation=by_org,
        no_case_ids=tuple(sorted(no_case_ids, key=natural_key)),
        band=band_of_tally(overall, rules),
        summary=tally_summary(overall, rules),
    )
