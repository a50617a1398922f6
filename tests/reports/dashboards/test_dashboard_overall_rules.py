"""The dashboards' overall rating for one organisation follows the framework's rules as the
inspection's ratings page does: standards rated separately left out, no overall rating with
too few counted cases or for a small organisation (inspection.rating_rules.overall_withheld)."""

from inspection.rating_rules import (
    DEFAULT_FRAMEWORK_RULES,
    GOOD,
    INADEQUATE,
    OUTSTANDING,
    RatingRules,
)
from reports.dashboards.structure import Cell, StandardInfo, Structure, overall
from reports.ratings.engine import StandardRating

RULES = RatingRules.from_framework_dict(
    {
        **DEFAULT_FRAMEWORK_RULES,
        "minimum_cases": {"overall": 5},
        "small_organisation": {"unrated_below_cases": 8},
    }
)


def grid(*ratings_and_counts: tuple[str, bool]) -> tuple[Structure, tuple[Cell, ...]]:
    standards = tuple(
        StandardInfo(i, f"1.{i}", f"Standard {i}", "organisation", (), counts)
        for i, (_rating, counts) in enumerate(ratings_and_counts, start=1)
    )
    structure = Structure(framework=None, standards=standards, rules=RULES)
    cells = tuple(
        Cell(standard, StandardRating("organisation", rating, RULES))
        for standard, (rating, _counts) in zip(standards, ratings_and_counts, strict=True)
    )
    return structure, cells


def test_a_standard_rated_separately_is_left_out_of_the_dashboards_overall():
    structure, cells = grid((INADEQUATE, True), (GOOD, True), (OUTSTANDING, False))
    # 0 + 2 from 2 standards is above 1: Requires improvement; with 1.3 it would be Good.
    assert overall(structure, cells, cases_counted=10, cases_in_sample=10) == (
        "Requires improvement"
    )


def test_the_dashboards_withhold_the_overall_rating_as_the_framework_says():
    structure, cells = grid((GOOD, True), (GOOD, True))
    assert overall(structure, cells, cases_counted=5, cases_in_sample=10) == GOOD
    assert overall(structure, cells, cases_counted=4, cases_in_sample=10) is None
    assert overall(structure, cells, cases_counted=0, cases_in_sample=10) is None
    assert overall(structure, cells, cases_counted=7, cases_in_sample=7) is None  # small
    assert overall(structure, cells, cases_counted=8, cases_in_sample=8) == GOOD
