"""The agreement figures (judgements.agreement): hand-worked and published examples, the
variance formulas checked against an independent delta-method computation, and properties."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judgements.agreement import (
    NO,
    NOT_APPLICABLE,
    SMALL_SAMPLE,
    YES,
    Table,
    agreement,
    cohen_kappa,
    gwet_ac1,
    wilson,
)


def _pairs(both_yes=0, yes_no=0, no_yes=0, both_no=0):
    return (
        [(YES, YES)] * both_yes + [(YES, NO)] * yes_no + [(NO, YES)] * no_yes + [(NO, NO)] * both_no
    )


def test_published_example_cohen_kappa():
    # The worked example of the Wikipedia article "Cohen's kappa" (section "Simple
    # example"): 50 grant proposals, both readers Yes 20, A Yes and B No 5, A No and B Yes 10,
    # both No 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    figures = agreement("2.1.1", _pairs(20, 5, 10, 15))
    assert figures.raw == pytest.approx(0.7)
    assert figures.kappa == pytest.approx(0.4)


def test_hand_worked_ac1_and_prevalence():
    # The same table by hand: pi = (25/50 + 30/50) / 2 = 0.55, p_e = 2 x 0.55 x 0.45 = 0.495,
    # AC1 = (0.7 - 0.495) / (1 - 0.495) = 0.405940...; Yes in 55 of the 100 answers.
    figures = agreement("2.1.1", _pairs(20, 5, 10, 15))
    assert figures.ac1 == pytest.approx(0.205 / 0.505)
    assert figures.prevalence_yes == pytest.approx(0.55)


def test_hand_worked_high_agreement_paradox():
    # 125 cases, 118 both Yes, 5 Yes/No, 2 No/Yes, none both No: agreement 94.4%, yet
    # p_1 = 0.984, p_2 = 0.96, p_e = 0.94528, kappa = (0.944 - 0.94528) / 0.05472 < 0;
    # pi = 0.972, p_e(AC1) = 0.054432, AC1 = 0.889568 / 0.945568 = 0.9408.
    figures = agreement("2.2.2", _pairs(118, 5, 2, 0))
    assert figures.raw == pytest.approx(0.944)
    assert figures.kappa == pytest.approx((0.944 - 0.94528) / 0.05472)
    assert figures.ac1 == pytest.approx(0.889568 / 0.945568)


def _delta_method_variance(statistic, table: Table) -> float:
    """Var = g' (diag(p) - p p') g / n, g the gradient of the statistic in the four shares
    (numerical): the large-sample variance any linearisation-based formula must equal."""
    shares = list(table.shares())
    n = table.n

    def value(p):
        total = sum(p)
        p = [x / total for x in p]
        return statistic(_table_from_shares(p))[0]

    step = 1e-6
    gradient = []
    for i in range(4):
        up = shares.copy()
        down = shares.copy()
        up[i] += step
        down[i] -= step
        gradient.append((value(up) - value(down)) / (2 * step))
    mean = sum(g * p for g, p in zip(gradient, shares, strict=True))
    return sum(p * (g - mean) ** 2 for g, p in zip(gradient, shares, strict=True)) / n


def _table_from_shares(p):
    """A table-like object with the given shares and n = 1 (only shares are read)."""

    class FromShares:
        n = 1

        def shares(self):
            return tuple(p)

    return FromShares()


@pytest.mark.parametrize("cells", [(20, 5, 10, 15), (118, 5, 2, 1), (40, 10, 12, 38), (7, 2, 1, 3)])
def test_variance_formulas_equal_the_delta_method(cells):
    table = Table(*cells)
    _k, kappa_se = cohen_kappa(table)
    _a, ac1_se = gwet_ac1(table)
    assert kappa_se**2 == pytest.approx(_delta_method_variance(cohen_kappa, table), rel=1e-4)
    assert ac1_se**2 == pytest.approx(_delta_method_variance(gwet_ac1, table), rel=1e-4)


def test_not_applicable_is_left_out_and_counted_apart():
    pairs = _pairs(3, 1, 0, 2) + [(NOT_APPLICABLE, NOT_APPLICABLE), (YES, NOT_APPLICABLE)]
    figures = agreement("2.1.1", pairs)
    assert figures.table.n == 6
    assert (figures.not_applicable_both, figures.not_applicable_one) == (1, 1)
    assert figures.cases == 8
    assert "differed on whether it applied in 1" in figures.reading


def test_plain_words_and_small_samples():
    figures = agreement("2.2.2", _pairs(4, 2, 2, 2))
    assert figures.reading == "Agreement is low on 2.2.2: 6 of 10 cases"
    assert not figures.small_sample and SMALL_SAMPLE == 10
    small = agreement("2.2.2", _pairs(8, 0, 0, 1))
    assert small.small_sample
    assert small.reading == "Agreement is good on 2.2.2: 9 of 9 cases (small sample)"


def test_kappa_undefined_when_every_answer_is_the_same():
    figures = agreement("2.1.1", _pairs(12))
    assert figures.kappa is None and figures.kappa_interval is None
    assert figures.ac1 == pytest.approx(1.0)
    assert figures.raw == 1.0


def test_no_pairs_gives_no_figures():
    figures = agreement("2.1.1", [])
    assert figures.raw is None and figures.kappa is None and figures.ac1 is None
    assert figures.reading.startswith("No case of 2.1.1")


def test_wilson_interval_hand_worked():
    # 6 of 10: centre (0.6 + 1.96^2/20) / (1 + 1.96^2/10) = 0.5617, half-width 0.2656.
    interval = wilson(6, 10)
    assert interval.low == pytest.approx(0.3127, abs=1e-3)
    assert interval.high == pytest.approx(0.8318, abs=1e-3)


answers = st.sampled_from([YES, NO])


@given(st.lists(answers, min_size=1, max_size=200))
def test_identical_readings_agree_fully(values):
    figures = agreement("q", [(v, v) for v in values])
    assert figures.raw == 1.0
    assert figures.ac1 == pytest.approx(1.0)
    assert figures.kappa is None or figures.kappa == pytest.approx(1.0)


@given(st.integers(min_value=0, max_value=2**32 - 1), st.floats(min_value=0.2, max_value=0.8))
@settings(max_examples=25, deadline=None)
def test_kappa_near_zero_when_readers_answer_independently(seed, prevalence):
    rng = random.Random(seed)
    n = 4000
    pairs = [
        (YES if rng.random() < prevalence else NO, YES if rng.random() < prevalence else NO)
        for _ in range(n)
    ]
    figures = agreement("q", pairs)
    # Five standard errors of kappa under independence (about 1/sqrt(n)).
    assert abs(figures.kappa) < 5 / math.sqrt(n)


@given(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=3))
def test_ac1_stable_when_nearly_all_yes_while_kappa_is_not(extra_a, extra_b):
    # 100 cases nearly all Yes, agreement 97-100%: AC1 stays high, kappa swings.
    base = _pairs(96, 1 + extra_a, 1 + extra_b, 0)
    figures = agreement("q", base)
    assert figures.ac1 > 0.9
    assert figures.kappa < 0.1
    with_one_no = agreement("q", _pairs(96, 1 + extra_a, 1 + extra_b, 1))
    assert abs(with_one_no.ac1 - figures.ac1) < 0.05
    assert abs(with_one_no.kappa - figures.kappa) > 0.15


@given(
    st.lists(st.tuples(answers, answers), min_size=1, max_size=80),
)
def test_intervals_contain_their_figures(pairs):
    figures = agreement("q", pairs)
    assert figures.raw_interval.low <= figures.raw <= figures.raw_interval.high
    assert figures.ac1_interval.low <= figures.ac1 + 1e-12
    assert figures.ac1 - 1e-12 <= figures.ac1_interval.high
    if figures.kappa is not None:
        assert figures.kappa_interval.low <= figures.kappa + 1e-12
        assert figures.kappa - 1e-12 <= figures.kappa_interval.high
