"""Seed 004 (Barking and Dagenham YOS, 2018) for the tests: the figures live in the product
(reports.demo.seed004), where the demonstration data builds its published inspection from them."""

from reports.demo.seed004 import (  # noqa: F401 - re-exported for the tests
    COURT_CASES,
    ORGANISATION,
    OUT_OF_COURT_CASES,
    SEED004_COUNTS,
    SEED004_ORGANISATION_RATINGS,
    SEED004_OVERALL_RATING,
    SEED004_OVERALL_SCORE,
    SEED004_PERCENTS,
    SEED004_RATINGS,
    SEED004_STANDARDS,
    seed004_answers,
    seed004_case_ids,
)
