"""Tests for reports.stats: Wilson intervals against hand-worked values, and their properties.

Hand working for 8 of 10 at 95% (z = 1.959964, z^2 = 3.841459):
  denominator = 1 + z^2/n = 1.3841459
  centre      = (0.8 + z^2/20) / 1.3841459 = 0.992073 / 1.3841459 = 0.716740
  half width  = z * sqrt(0.8*0.2/10 + z^2/400) / 1.3841459
              = 1.959964 * sqrt(0.016 + 0.0096037) / 1.3841459 = 0.226578
  interval    = (0.490162, 0.943318)
For 0 of 10 the upper bound is (z^2/n) / (1 + z^2/n) = 0.3841459 / 1.3841459 = 0.277533.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.stats import SMALL_SAMPLE, is_small_sample, wilson_interval


def test_eight_of_ten() -> None:
    interval = wilson_interval(8, 10)
    assert interval is not None
    lower, upper = interval
    assert lower == pytest.approx(0.490162, abs=1e-5)
    assert upper == pytest.approx(0.943318, abs=1e-5)


def test_none_of_ten() -> None:
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.277533, abs=1e-5))


def test_all_of_ten() -> None:
    assert wilson_interval(10, 10) == (pytest.approx(0.722467, abs=1e-5), 1.0)


def test_no_cases_gives_none() -> None:
    assert wilson_interval(0, 0) is None


def test_seed004_2_2_2_fifteen_of_thirty_one() -> None:
    # Planning to keep the child safe, 48%: the interval spans two bands, so say so on the page.
    lower, upper = wilson_interval(15, 31)  # type: ignore[misc]
    assert lower == pytest.approx(0.3197, abs=1e-4)
    assert upper == pytest.approx(0.6516, abs=1e-4)


def test_other_confidence_levels() -> None:
    # 8 of 10 at 90% (z = 1.644854, z^2 = 2.705543): denominator 1.2705543,
    # centre 0.9352772 / 1.2705543 = 0.736118, half width 0.248171 / 1.2705543 = 0.195325.
    lower, upper = wilson_interval(8, 10, confidence=0.90)  # type: ignore[misc]
    assert lower == pytest.approx(0.54079, abs=1e-4)
    assert upper == pytest.approx(0.93144, abs=1e-4)


@pytest.mark.parametrize(
    "successes, n, confidence",
    [(-1, 10, 0.95), (11, 10, 0.95), (0, -1, 0.95), (1, 2, 0.0), (1, 2, 1.0), (1, 2, 95)],
)
def test_bad_arguments(successes: int, n: int, confidence: float) -> None:
    with pytest.raises(ValueError):
        wilson_interval(successes, n, confidence=confidence)


@given(
    st.integers(min_value=1, max_value=100_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    ),
    st.floats(min_value=0.5, max_value=0.999),
)
def test_interval_contains_the_proportion_and_stays_in_range(
    pair: tuple[int, int], confidence: float
) -> None:
    successes, n = pair
    interval = wilson_interval(successes, n, confidence=confidence)
    assert interval is not None
    lower, upper = interval
    p = successes / n
    assert 0.0 <= lower <= p <= upper <= 1.0


@given(
    st.integers(min_value=1, max_value=1_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_interval_is_symmetric_and_widens_with_confidence(pair: tuple[int, int]) -> None:
    successes, n = pair
    lower, upper = wilson_interval(successes, n)  # type: ignore[misc]
    mirror_lower, mirror_upper = wilson_interval(n - successes, n)  # type: ignore[misc]
    assert lower == pytest.approx(1 - mirror_upper, abs=1e-12)
    assert upper == pytest.approx(1 - mirror_lower, abs=1e-12)
    wide_lower, wide_upper = wilson_interval(successes, n, confidence=0.99)  # type: ignore[misc]
    assert wide_lower <= lower and upper <= wide_upper


def test_small_sample() -> None:
    assert SMALL_SAMPLE == 10
    assert is_small_sample(0)
    assert is_small_sample(9)
    assert not is_small_sample(10)
    assert not is_small_sample(31)
    with pytest.raises(ValueError):
        is_small_sample(-1)
