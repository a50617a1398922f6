"""How far two independent readings of the same cases agree: plain Python, no database.

For one key question (and one pair of inspectors, or all pairs together) the input is a list
of pairs (first reader's answer, second reader's answer), one per reconciled double-read case.

**Not applicable.** Ratings count only Yes and No (a key question's result is the share of
Yes among Yes and No), so the figures are computed on the cases both readers answered Yes or
No. A case where one or both found the question not applicable is left out of the figures and
counted apart (``not_applicable_both``, ``not_applicable_one``): the second is a disagreement
about whether the question applies, which the page shows beside the figures.

**The figures**, for n cases in a 2 x 2 table (a both Yes, b first Yes and second No, c first
No and second Yes, d both No; p_ij the shares):

- raw agreement p_o = (a + d) / n, with a 95% Wilson score interval;
- Cohen's kappa = (p_o - p_e) / (1 - p_e), p_e = p_1 p_2 + (1 - p_1)(1 - p_2), p_1 and p_2
  each reader's share of Yes. Its 95% interval is kappa +- 1.96 SE with the large-sample
  variance of Fleiss, Cohen and Everitt (1969), the one in Fleiss, *Statistical Methods for
  Rates and Proportions* (2nd ed., 1981, eq. 13.15), which does not assume kappa is 0;
- Gwet's AC1 = (p_o - p_e) / (1 - p_e), p_e = 2 pi (1 - pi), pi the mean share of Yes of the
  two readers. Its 95% interval is AC1 +- 1.96 SE with the variance of Gwet (2008), "Computing
  inter-rater reliability and its variance in the presence of high agreement", British
  Journal of Mathematical and Statistical Psychology 61, 29-48, for two raters, with no
  finite-population correction (the cases stand for the service's work, not a closed list);
- the prevalence of Yes: the share of Yes among both readers' answers (2n answers).

Intervals are clipped to the range the figure can take. Kappa is not defined when p_e is 1
(both readers gave the same one answer to every case): it is then None, and the page says
"not defined". No figure is drawn from a resample: every interval is a closed formula, so the
same answers always give the same figures.

**Small samples.** Fewer than SMALL_SAMPLE cases (Yes or No from both) make every interval
wide; such figures are marked "small sample" on the page and in the CSV.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

YES, NO, NOT_APPLICABLE = "yes", "no", "na"
Z95 = 1.959963984540054
# Below this many cases answered Yes or No by both readers, figures are marked small.
SMALL_SAMPLE = 10
# Raw agreement under this share reads as "low", at or over GOOD_AGREEMENT as "good".
LOW_AGREEMENT = 0.7
GOOD_AGREEMENT = 0.9


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Table:
    """The 2 x 2 table of two readers' Yes and No answers."""

    both_yes: int = 0
    first_yes_second_no: int = 0
    first_no_second_yes: int = 0
    both_no: int = 0

    @property
    def n(self) -> int:
        return self.both_yes + self.first_yes_second_no + self.first_no_second_yes + self.both_no

    @property
    def agreed(self) -> int:
        return self.both_yes + self.both_no

    def shares(self) -> tuple[float, float, float, float]:
        n = self.n
        return (
            self.both_yes / n,
            self.first_yes_second_no / n,
            self.first_no_second_yes / n,
            self.both_no / n,
        )


def table_of(pairs: Iterable[tuple[str, str]]) -> tuple[Table, int, int]:
    """The table of the Yes/No pairs, and how many pairs had Not applicable from both readers
    and from one only (left out of the table)."""
    counts = {(YES, YES): 0, (YES, NO): 0, (NO, YES): 0, (NO, NO): 0}
    both_na = one_na = 0
    for first, second in pairs:
        if (first, second) in counts:
            counts[(first, second)] += 1
        elif first == NOT_APPLICABLE and second == NOT_APPLICABLE:
            both_na += 1
        else:
            one_na += 1
    table = Table(
        both_yes=counts[(YES, YES)],
        first_yes_second_no=counts[(YES, NO)],
        first_no_second_yes=counts[(NO, YES)],
        both_no=counts[(NO, NO)],
    )
    return table, both_na, one_na


def _clip(low: float, high: float, bottom: float = -1.0, top: float = 1.0) -> Interval:
    return Interval(max(bottom, low), min(top, high))


def raw_agreement(table: Table) -> float | None:
    return table.agreed / table.n if table.n else None


def wilson(successes: int, n: int) -> Interval | None:
    """The 95% Wilson score interval of a share."""
    if not n:
        return None
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At 0 of n and n of n the interval ends at 0 and at 1 exactly (not by rounding).
    low = 0.0 if successes == 0 else centre - half
    high = 1.0 if successes == n else centre + half
    return _clip(low, high, 0.0, 1.0)


def cohen_kappa(table: Table) -> tuple[float | None, float | None]:
    """Kappa and its large-sample standard error (Fleiss, Cohen and Everitt 1969)."""
    if not table.n:
        return None, None
    n = table.n
    p11, p12, p21, p22 = table.shares()
    po = p11 + p22
    row = (p11 + p12, p21 + p22)  # first reader: Yes, No
    col = (p11 + p21, p12 + p22)  # second reader: Yes, No
    pe = row[0] * col[0] + row[1] * col[1]
    if math.isclose(pe, 1.0):
        return None, None
    kappa = (po - pe) / (1 - pe)
    cells = {(0, 0): p11, (0, 1): p12, (1, 0): p21, (1, 1): p22}
    diagonal = sum(cells[(i, i)] * (1 - (row[i] + col[i]) * (1 - kappa)) ** 2 for i in (0, 1))
    off = (1 - kappa) ** 2 * sum(
        cells[(i, j)] * (col[i] + row[j]) ** 2 for i in (0, 1) for j in (0, 1) if i != j
    )
    variance = (diagonal + off - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    return kappa, math.sqrt(max(variance, 0.0))


def gwet_ac1(table: Table) -> tuple[float | None, float | None]:
    """AC1 and its standard error (Gwet 2008, two raters, q = 2 categories, f = 0)."""
    if not table.n:
        return None, None
    n = table.n
    p11, p12, p21, p22 = table.shares()
    po = p11 + p22
    pi_yes = ((p11 + p12) + (p11 + p21)) / 2
    pis = (pi_yes, 1 - pi_yes)
    pe = sum(p * (1 - p) for p in pis)  # divided by q - 1 = 1
    ac1 = (po - pe) / (1 - pe)
    cells = {(0, 0): p11, (0, 1): p12, (1, 0): p21, (1, 1): p22}
    middle = sum(cells[(k, k)] * (1 - pis[k]) for k in (0, 1)) - po * pe
    last = (
        sum(cells[(k, m)] * (1 - (pis[k] + pis[m]) / 2) ** 2 for k in (0, 1) for m in (0, 1))
        - pe * pe
    )
    variance = (po * (1 - po) - 4 * (1 - ac1) * middle + 4 * (1 - ac1) ** 2 * last) / (
        n * (1 - pe) ** 2
    )
    return ac1, math.sqrt(max(variance, 0.0))


def _interval(estimate: float | None, se: float | None) -> Interval | None:
    if estimate is None or se is None:
        return None
    return _clip(estimate - Z95 * se, estimate + Z95 * se)


@dataclass(frozen=True)
class Agreement:
    """The figures for one key question (and one pair of readers, or all)."""

    code: str
    table: Table
    not_applicable_both: int
    not_applicable_one: int
    raw: float | None
    raw_interval: Interval | None
    kappa: float | None
    kappa_interval: Interval | None
    ac1: float | None
    ac1_interval: Interval | None
    prevalence_yes: float | None

    @property
    def cases(self) -> int:
        """Double-read cases with this question: Yes or No from both, and the rest."""
        return self.table.n + self.not_applicable_both + self.not_applicable_one

    @property
    def small_sample(self) -> bool:
        return self.table.n < SMALL_SAMPLE

    @property
    def reading(self) -> str:
        """The figures in plain words: "agreement is low on 2.2.2: 6 of 10 cases"."""
        n = self.table.n
        if not n:
            return f"No case of {self.code} was answered Yes or No by both readers"
        level = (
            "low"
            if self.raw < LOW_AGREEMENT
            else "good"
            if self.raw >= GOOD_AGREEMENT
            else "moderate"
        )
        words = f"agreement is {level} on {self.code}: {self.table.agreed} of {n} cases"
        if self.not_applicable_one:
            words += f"; the readers differed on whether it applied in {self.not_applicable_one}"
        if self.small_sample:
            words += " (small sample)"
        return words[0].upper() + words[1:]


def agreement(code: str, pairs: Iterable[tuple[str, str]]) -> Agreement:
    table, both_na, one_na = table_of(pairs)
    raw = raw_agreement(table)
    kappa, kappa_se = cohen_kappa(table)
    ac1, ac1_se = gwet_ac1(table)
    prevalence = (
        (2 * table.both_yes + table.first_yes_second_no + table.first_no_second_yes) / (2 * table.n)
        if table.n
        else None
    )
    return Agreement(
        code=code,
        table=table,
        not_applicable_both=both_na,
        not_applicable_one=one_na,
        raw=raw,
        raw_interval=wilson(table.agreed, table.n),
        kappa=kappa,
        kappa_interval=_interval(kappa, kappa_se),
        ac1=ac1,
        ac1_interval=_interval(ac1, ac1_se),
        prevalence_yes=prevalence,
    )
