"""A framework's standards and key questions as the dashboards use them, and each standard's
rating for one organisation in one inspection (a grid cell), rated by the rating engine's own
rule (reports.ratings.engine.standard_rating), so a rating on a dashboard is the rating on the
inspection's own pages and is explained in the same words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

from django.utils.text import slugify

from inspection.models import Framework
from inspection.rating_rules import (
    NOT_RATED,
    RATING_NAMES,
    RatingRules,
    Tally,
    overall_for,
    overall_withheld,
)
from reports.ratings.engine import JUDGED_BY_ORGANISATION, StandardRating, standard_rating
from reports.ratings.selectors import framework_key_questions
from reports.stats import is_small_sample


@dataclass(frozen=True)
class KeyQuestionInfo:
    id: int
    code: str
    text: str
    standard_code: str


@dataclass(frozen=True)
class StandardInfo:
    id: int
    code: str
    title: str
    judged_by: str
    key_questions: tuple[KeyQuestionInfo, ...]
    counts_toward_overall: bool = True

    @property
    def is_case_judged(self) -> bool:
        return self.judged_by != JUDGED_BY_ORGANISATION


@dataclass(frozen=True)
class Structure:
    framework: Framework
    standards: tuple[StandardInfo, ...]
    rules: RatingRules

    @cached_property
    def key_questions(self) -> tuple[KeyQuestionInfo, ...]:
        return tuple(kq for standard in self.standards for kq in standard.key_questions)

    @cached_property
    def case_key_questions(self) -> tuple[KeyQuestionInfo, ...]:
        """Key questions answered per case (organisation-judged standards are not)."""
        return tuple(
            kq
            for standard in self.standards
            if standard.is_case_judged
            for kq in standard.key_questions
        )

    @cached_property
    def standard_queries(self) -> tuple[str, ...]:
        """ "?standard=2.1" for each standard: the drill-down from a cell."""
        return tuple(f"?standard={quote(s.code, safe='')}" for s in self.standards)

    def standard(self, code: str) -> StandardInfo | None:
        return next((s for s in self.standards if s.code == code), None)

    def key_question(self, code: str) -> KeyQuestionInfo | None:
        return next((kq for kq in self.key_questions if kq.code == code), None)


def framework_structure(framework: Framework) -> Structure:
    """The framework's standards and their key questions, in framework order (1 query)."""
    standards: dict[int, tuple[str, str, str, list[KeyQuestionInfo], bool]] = {}
    for row in framework_key_questions(framework):
        pk, code, title, judged_by, kq_pk, kq_code, kq_text, counts = row
        questions = standards.setdefault(pk, (code, title, judged_by, [], counts))[3]
        if kq_pk is not None:
            questions.append(KeyQuestionInfo(kq_pk, kq_code, kq_text, code))
    return Structure(
        framework=framework,
        standards=tuple(
            StandardInfo(pk, code, title, judged_by, tuple(questions), counts)
            for pk, (code, title, judged_by, questions, counts) in standards.items()
        ),
        rules=RatingRules.from_framework_dict(framework.rules_dict()),
    )


# --------------------------------------------------------------------------- rating a cell


RATING_CSS = {name: slugify(name) for name in RATING_NAMES}


class Cell:
    """One standard's rating for one organisation in one inspection, and why.

    A plain class with slots: a national grid makes thousands of these per request, and the
    explanation (``reason``) is only worked out when a page asks for it.
    """

    __slots__ = ("standard", "verdict", "cases_url")

    def __init__(self, standard: StandardInfo, verdict: StandardRating, *, cases_url: str = ""):
        self.standard = standard
        self.verdict = verdict
        self.cases_url = cases_url

    @property
    def rating(self) -> str | None:
        return self.verdict.rating

    @property
    def label(self) -> str:
        return self.rating or NOT_RATED

    @property
    def css(self) -> str:
        return RATING_CSS.get(self.rating, "") if self.rating else ""

    @property
    def small_sample(self) -> bool:
        lowest = self.verdict.lowest_tally
        return lowest is not None and is_small_sample(lowest.applicable)

    @property
    def reason(self) -> str:
        """The rating engine's explanation, as on the inspection's pages, less the rating
        itself, which the page shows right beside it."""
        return self.verdict.explain(rating_shown=True)


def rate_standard(
    standard: StandardInfo,
    tallies: Mapping[int, Tally],
    lead: Mapping[int, str],
    rules: RatingRules,
    *,
    cases_url: str = "",
) -> Cell:
    """One standard's cell: ``tallies`` by key question id, ``lead`` the lead inspector's
    ratings by standard id, rated by reports.ratings.engine.standard_rating."""
    verdict = standard_rating(
        judged_by=standard.judged_by,
        key_questions=((kq.code, tallies.get(kq.id)) for kq in standard.key_questions),
        lead_rating=lead.get(standard.id),
        rules=rules,
    )
    return Cell(standard, verdict, cases_url=cases_url)


def rate_pair(
    structure: Structure, tallies: Mapping[int, Tally], lead: Mapping[int, str], cases_url: str
) -> tuple[Cell, ...]:
    """Every standard's cell for one organisation in one inspection."""
    return tuple(
        rate_standard(standard, tallies, lead, structure.rules, cases_url=cases_url + suffix)
        for standard, suffix in zip(structure.standards, structure.standard_queries, strict=True)
    )


def overall(
    structure: Structure,
    cells: tuple[Cell, ...],
    *,
    cases_counted: int,
    cases_in_sample: int | None = None,
) -> str | None:
    """The overall rating of one organisation in one inspection, from its cells (a standard
    the framework rates separately is left out); none where the framework withholds it (too
    few counted cases, a small organisation), as on the inspection's own ratings page."""
    if overall_withheld(
        structure.rules, cases_counted=cases_counted, cases_in_sample=cases_in_sample
    ):
        return None
    scores = [
        cell.verdict.score
        for cell in cells
        if cell.verdict.score is not None and cell.standard.counts_toward_overall
    ]
    return overall_for(scores, structure.rules)
