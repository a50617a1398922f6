"""Interval statistics for key-question results.

Samples are small (31 court cases, 19 out-of-court in seed 004; a thematic area may have a
dozen), so a percent alone overstates what is known. The Wilson score interval is used
rather than the textbook normal ("Wald") interval because it stays inside [0, 1] and does not
collapse to zero width at 0 of n or n of n -- exactly the cases a dashboard must not present
as certain. Plain Python: no database, no Django.
"""

from __future__ import annotations

import math
from statistics import NormalDist

#: Fewer applicable cases than this and a percent should be shown with a caution: one case
#: moves the figure by more than ten points.
SMALL_SAMPLE = 10


def is_small_sample(n: int) -> bool:
    """True when ``n`` applicable cases is too few to lean on (fewer than :data:`SMALL_SAMPLE`)."""
    if n < 0:
        raise ValueError(f"a number of cases cannot be negative, got {n}")
    return n < SMALL_SAMPLE


def wilson_interval(
    successes: int, n: int, *, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Wilson score interval for a proportion, as fractions in [0, 1].

    Returns None when ``n`` is 0: with no applicable cases there is nothing to estimate, and
    callers show "no applicable cases" rather than a meaningless (0, 1).
    ``z`` comes from :class:`statistics.NormalDist` so any confidence level works, not just a
    hard-coded 1.96.
    """
    if isinstance(successes, bool) or isinstance(n, bool):
        raise TypeError("successes and n must be whole numbers, not bools")
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    if n == 0:
        return None

    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    z2 = z * z
    p = successes / n
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator

    # At 0 of n and n of n the bound is exactly 0 or 1 in theory; pin it so floating-point
    # noise cannot put it a hair inside (excluding p) or outside [0, 1].
    lower = 0.0 if successes == 0 else max(0.0, min(p, centre - half_width))
    upper = 1.0 if successes == n else min(1.0, max(p, centre + half_width))
    return lower, upper
