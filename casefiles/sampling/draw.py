"""Drawing the case sample: how many cases, which are eligible, and which are chosen.

The inspectorate's reports describe the method in one sentence: "The sample size was
set to achieve a confidence level of 80 per cent (with a margin of error of 5), and we
ensured that the ratios in relation to gender, sentence or disposal type, risk of
serious harm, and risk to safety and wellbeing classifications matched those in the
eligible population." This module is that sentence as arithmetic, so that a sample can
be drawn, explained to the inspected organisation, and drawn again identically.

The steps, each a pure function an inspector's screen or a test can call on its own:

1. ``apply_windows``: keep the cases whose start date lies in their sample type's window
   (court disposals from six to nine months before fieldwork, and so on).
2. ``sample_size``: how many cases achieve the confidence level and margin of error.
3. ``draw_sample`` (or ``draw_by_sample_type``, which runs it once per sample type):
   split the cases into strata by the characteristics whose ratios must match, share
   the sample out in proportion (``allocate``) and choose within each stratum by a
   seeded shuffle, keeping the unchosen cases as ranked reserves.
4. ``representativeness``: show, characteristic by characteristic, how closely the
   sample's ratios match the population's.

No ORM here: rows are ``PopulationRow`` values from ``casefiles.sampling.population``.
"""

from __future__ import annotations

import calendar
import math
import random
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist
from typing import TypeVar

from django.db.models import TextChoices

from casefiles.choices import Gender, Level, OrderType, SampleType
from casefiles.sampling.population import PopulationRow

# --------------------------------------------------------------------------- sample size


@dataclass(frozen=True)
class SampleSize:
    """A sample size with its working shown, so a report can say how it was reached."""

    population: int
    confidence: float
    margin: float
    proportion: float
    z: float  # the two-sided critical value of the normal distribution
    n0: float  # the size needed from an infinitely large population
    size: int  # after the finite population correction, rounded up


def sample_size(
    population: int,
    *,
    confidence: float = 0.8,
    margin: float = 0.05,
    proportion: float = 0.5,
) -> SampleSize:
    """The number of cases needed to estimate a proportion to the given precision.

    Uses the normal approximation n0 = z^2 p(1 - p) / e^2 and the finite population
    correction n = n0 / (1 + (n0 - 1) / N), rounded up: eligible populations are small
    (tens of cases), so without the correction the sample would often exceed them.
    A proportion of 0.5 is the cautious choice, giving the largest sample, because we
    do not know in advance how often a case will meet a standard.
    """
    if isinstance(population, bool) or not isinstance(population, int) or population < 0:
        raise ValueError("The population must be a whole number of cases, 0 or more.")
    if not 0 < confidence < 1:
        raise ValueError("The confidence level must be between 0 and 1, for example 0.8.")
    if not 0 < margin < 1:
        raise ValueError("The margin of error must be between 0 and 1, for example 0.05.")
    if not 0 < proportion < 1:
        raise ValueError("The expected proportion must be between 0 and 1, usually 0.5.")

    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    n0 = z * z * proportion * (1 - proportion) / (margin * margin)
    if population == 0:
        size = 0
    else:
        corrected = n0 / (1 + (n0 - 1) / population)
        # Round before ceil so float noise (31.0000000001) does not cost an extra case.
        size = min(population, math.ceil(round(corrected, 9)))
    return SampleSize(
        population=population,
        confidence=confidence,
        margin=margin,
        proportion=proportion,
        z=z,
        n0=n0,
        size=size,
    )


# ------------------------------------------------------------------- eligibility windows


def subtract_months(day: date, months: int) -> date:
    """The same day of the month ``months`` calendar months earlier, clamped to month end.

    31 May minus three months is 29 February in a leap year (28 otherwise): a window
    should never silently reach into the following month.
    """
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class EligibilityWindow:
    """Which start dates make a case of one sample type eligible.

    The start date must lie between ``months_to`` and ``months_from`` calendar months
    before the first day of fieldwork, both ends included: court disposals from six to
    nine months earlier are ``EligibilityWindow("court_disposal", 6, 9)``. Old enough
    that there is work to inspect, recent enough to reflect current practice.
    """

    sample_type: str
    months_from: int
    months_to: int

    def __post_init__(self) -> None:
        if self.months_from < 0 or self.months_to < self.months_from:
            raise ValueError(
                f"The window for {self.sample_type} must run from a smaller number of "
                f"months to a larger one (got {self.months_from} to {self.months_to})."
            )

    def date_range(self, fieldwork_start: date) -> tuple[date, date]:
        """The earliest and latest eligible start dates, both included."""
        return (
            subtract_months(fieldwork_start, self.months_to),
            subtract_months(fieldwork_start, self.months_from),
        )


# The 2018 service inspection (seed 004) and the 2014 thematic (seed 000). Child
# protection plan cases and referrals have no window: any case open during the period
# the organisation was asked about is eligible, so everything sent is kept.
DEFAULT_WINDOWS: tuple[EligibilityWindow, ...] = (
    EligibilityWindow(SampleType.COURT_DISPOSAL.value, months_from=6, months_to=9),
    EligibilityWindow(SampleType.OUT_OF_COURT.value, months_from=3, months_to=5),
    EligibilityWindow(SampleType.NEW_ORDER.value, months_from=0, months_to=3),
)


@dataclass(frozen=True)
class WindowCount:
    """For one sample type: how many cases the window kept and dropped, and its dates.

    ``earliest`` and ``latest`` are None for a sample type with no window.
    """

    sample_type: str
    kept: int
    dropped: int
    earliest: date | None
    latest: date | None


@dataclass(frozen=True)
class WindowResult:
    kept: tuple[PopulationRow, ...]
    counts: tuple[WindowCount, ...]  # one per sample type present, in SampleType order


def apply_windows(
    rows: Iterable[PopulationRow],
    *,
    fieldwork_start: date,
    windows: Iterable[EligibilityWindow] = DEFAULT_WINDOWS,
) -> WindowResult:
    """Keep the cases whose start date lies in their sample type's window.

    Cases of a sample type without a window are all kept. The counts let the screen
    say "31 of 52 court disposals started between 14 May and 14 August 2017", so the
    organisation can see why a case it sent was not eligible.
    """
    by_type: dict[str, EligibilityWindow] = {}
    for window in windows:
        if window.sample_type in by_type:
            raise ValueError(f"There is more than one window for {window.sample_type}.")
        by_type[window.sample_type] = window
    ranges = {kind: window.date_range(fieldwork_start) for kind, window in by_type.items()}

    kept: list[PopulationRow] = []
    kept_count: Counter[str] = Counter()
    dropped_count: Counter[str] = Counter()
    for row in rows:
        span = ranges.get(row.sample_type)
        if span is None or span[0] <= row.start_date <= span[1]:
            kept.append(row)
            kept_count[row.sample_type] += 1
        else:
            dropped_count[row.sample_type] += 1

    counts = tuple(
        WindowCount(
            sample_type=kind,
            kept=kept_count[kind],
            dropped=dropped_count[kind],
            earliest=ranges[kind][0] if kind in ranges else None,
            latest=ranges[kind][1] if kind in ranges else None,
        )
        for kind in _in_choice_order(set(kept_count) | set(dropped_count), SampleType)
    )
    return WindowResult(kept=tuple(kept), counts=counts)


# ------------------------------------------------------------------------ stratification

StratumKey = tuple[str, str, str, str, str]
K = TypeVar("K", bound=Hashable)


def stratum_key(row: PopulationRow) -> StratumKey:
    """The characteristics whose ratios the sample must match, plus the sample type.

    Sample type comes first so that strata never mix, say, court and out-of-court
    disposals, which are sampled separately.
    """
    return (
        row.sample_type,
        row.gender,
        row.disposal_type,
        row.risk_of_serious_harm,
        row.safety_and_wellbeing,
    )


def allocate(strata_sizes: Mapping[K, int], total: int, *, seed: int | None = None) -> dict[K, int]:
    """Share ``total`` cases among strata in proportion to their sizes.

    Each stratum first gets the whole part of its exact quota, total * size / N; the
    cases left over go one each to the strata with the largest fractional remainders
    (Hamilton's largest-remainder method). So the allocations add up to exactly
    ``total`` (capped at the population) and each is within one case of its quota,
    which is what "the ratios matched those in the eligible population" can mean
    for whole cases. Ties go to the larger stratum; strata still level are ordered by a
    shuffle seeded with ``seed`` (keys must be sortable, and are shuffled from sorted
    order), so the result does not depend on the mapping's order. Without a seed they
    go to the earlier key in sorted order; but sorted order leans the same way in every
    inspection (female before male, high before low), which a draw should not, so
    ``draw_sample`` passes its seed.

    Arithmetic is in integers, so equal remainders are truly equal and ties are
    broken by the rule above, never by float rounding. A stratum whose quota is below
    one case can receive none when other strata have larger remainders; that is
    inherent in proportional allocation, and the allocation table shows it.
    """
    if total < 0:
        raise ValueError("The sample size cannot be negative.")
    for key, size in strata_sizes.items():
        if size < 0:
            raise ValueError(f"The stratum {key!r} has a negative number of cases ({size}).")

    population = sum(strata_sizes.values())
    total = min(total, population)
    if population == 0:
        return {key: 0 for key in strata_sizes}

    allocation: dict[K, int] = {}
    remainders: dict[K, int] = {}
    for key, size in strata_sizes.items():
        allocation[key], remainders[key] = divmod(total * size, population)

    leftover = total - sum(allocation.values())
    order = sorted(strata_sizes)
    if seed is not None:
        _tie_random(seed).shuffle(order)
    position = {key: index for index, key in enumerate(order)}
    ranked = sorted(
        strata_sizes, key=lambda key: (-remainders[key], -strata_sizes[key], position[key])
    )
    for key in ranked[:leftover]:
        allocation[key] += 1
    return allocation


@dataclass(frozen=True)
class AllocationRow:
    """One line of the allocation table shown before the draw is confirmed."""

    key: StratumKey
    population: int  # eligible cases in the stratum
    share: float  # population / all eligible cases, 0 to 1
    quota: float  # the exact proportional share of the sample, size * share
    allocated: int  # the whole number of cases drawn from the stratum


@dataclass(frozen=True)
class Draw:
    """A drawn sample, complete enough to explain and to repeat.

    ``size`` is the number asked for; fewer are selected only if the population is
    smaller. ``reserves`` lists, for each stratum, its unselected cases in the order
    they should replace a selected case that turns out not to be inspectable, so that
    a replacement keeps the stratum's share.
    """

    seed: int
    size: int
    allocation: tuple[AllocationRow, ...]  # in stratum key order
    selected: tuple[PopulationRow, ...]  # in case reference order
    reserves: dict[StratumKey, tuple[PopulationRow, ...]]


def _tie_random(seed: int) -> random.Random:
    # Seeded from a string, like the within-stratum shuffles, so that it is the same on
    # every machine; "ties" keeps it apart from any stratum's own generator.
    return random.Random(f"{seed}:ties")  # noqa: S311


def _stratum_random(seed: int, key: StratumKey) -> random.Random:
    # A string seed is hashed with SHA-512 by random.Random, so the same seed and
    # stratum give the same shuffle on every machine and Python run (hash() would not:
    # it is salted per process). The draw must be reproducible, not secret.
    return random.Random(f"{seed}:{'|'.join(key)}")  # noqa: S311


def draw_sample(rows: Iterable[PopulationRow], *, size: int, seed: int) -> Draw:
    """Draw a stratified random sample of ``size`` cases, reproducibly.

    The same rows (in any order) and the same seed always give the same draw, so the
    inspectorate can record the seed and show later how the sample was chosen.
    Within each stratum the cases are put in case reference order, then shuffled by
    a generator seeded from (seed, stratum); the first ``allocated`` are selected and
    the rest are that stratum's reserves, in order. The seed also settles which strata
    get the last cases when their remainders tie (see ``allocate``).
    """
    if size < 0:
        raise ValueError("The sample size cannot be negative.")
    strata: dict[StratumKey, list[PopulationRow]] = defaultdict(list)
    seen: set[str] = set()
    for row in rows:
        if row.case_reference in seen:
            # Without unique references the order within a stratum, and so the draw,
            # would depend on the order rows arrived in.
            raise ValueError(f"The case reference {row.case_reference!r} appears twice.")
        seen.add(row.case_reference)
        strata[stratum_key(row)].append(row)

    keys = sorted(strata)
    sizes = {key: len(strata[key]) for key in keys}
    allocation = allocate(sizes, size, seed=seed)
    population = len(seen)
    effective = min(size, population)

    table: list[AllocationRow] = []
    selected: list[PopulationRow] = []
    reserves: dict[StratumKey, tuple[PopulationRow, ...]] = {}
    for key in keys:
        members = sorted(strata[key], key=lambda row: row.case_reference)
        _stratum_random(seed, key).shuffle(members)
        chosen = allocation[key]
        selected.extend(members[:chosen])
        reserves[key] = tuple(members[chosen:])
        table.append(
            AllocationRow(
                key=key,
                population=sizes[key],
                share=sizes[key] / population,
                quota=effective * sizes[key] / population,
                allocated=chosen,
            )
        )
    selected.sort(key=lambda row: row.case_reference)
    return Draw(
        seed=seed,
        size=size,
        allocation=tuple(table),
        selected=tuple(selected),
        reserves=reserves,
    )


def draw_by_sample_type(
    rows: Iterable[PopulationRow], *, sizes: Mapping[str, int], seed: int
) -> dict[str, Draw]:
    """Draw each sample type separately, with its own size.

    The 2018 inspection sampled 31 court disposals and 19 out-of-court disposals: two
    samples, each sized for its own population, not one sample of 50 shared out. Each
    sample type therefore gets its own draw and its own allocation table (stratum keys
    begin with the sample type, so the seeded shuffles differ between draws).

    Rows whose sample type is not in ``sizes`` are ignored; a sample type in ``sizes``
    with no rows gets an empty draw. Results follow the order of ``sizes``.
    """
    by_type: dict[str, list[PopulationRow]] = defaultdict(list)
    for row in rows:
        by_type[row.sample_type].append(row)
    return {
        kind: draw_sample(by_type.get(kind, []), size=wanted, seed=seed)
        for kind, wanted in sizes.items()
    }


# ---------------------------------------------------------------------- representativeness


@dataclass(frozen=True)
class CharacteristicRow:
    value: str
    label: str
    population_count: int
    population_percent: float
    sample_count: int
    sample_percent: float
    difference: float  # sample percent minus population percent, in percentage points


@dataclass(frozen=True)
class CharacteristicTable:
    characteristic: str  # a PopulationRow field name
    label: str
    rows: tuple[CharacteristicRow, ...]


@dataclass(frozen=True)
class LargestDifference:
    characteristic: str
    value: str
    difference: float  # percentage points, signed: positive means over-represented


# The characteristics the reports promise the sample matches, then sample type.
CHARACTERISTICS: tuple[tuple[str, str, type[TextChoices]], ...] = (
    ("gender", "Gender", Gender),
    ("disposal_type", "Sentence or disposal type", OrderType),
    ("risk_of_serious_harm", "Risk of serious harm", Level),
    ("safety_and_wellbeing", "Safety and wellbeing", Level),
    ("sample_type", "Sample type", SampleType),
)


def _in_choice_order(values: Iterable[str], choices: type[TextChoices]) -> list[str]:
    """Values in the vocabulary's own order (Low, Medium, High...), unknown ones last."""
    order = {value: index for index, value in enumerate(choices.values)}
    return sorted(set(values), key=lambda value: (order.get(value, len(order)), value))


def _percent(count: int, total: int) -> float:
    return 100 * count / total if total else 0.0


def representativeness(
    population_rows: Sequence[PopulationRow], sample_rows: Sequence[PopulationRow]
) -> list[CharacteristicTable]:
    """Compare the sample's make-up with the population's, characteristic by characteristic.

    Stratifying on all four characteristics at once makes many small strata, and
    rounding within them can move the ratio of any one characteristic a little; these
    tables show by how much, so the inspectorate can say the ratios matched and back it.
    """
    tables: list[CharacteristicTable] = []
    for field, heading, choices in CHARACTERISTICS:
        population = Counter(getattr(row, field) for row in population_rows)
        sample = Counter(getattr(row, field) for row in sample_rows)
        # An empty value is a field that does not apply (safety and wellbeing of an adult).
        labels = {"": "Not applicable", **dict(choices.choices)}
        rows = []
        for value in _in_choice_order(set(population) | set(sample), choices):
            population_percent = _percent(population[value], len(population_rows))
            sample_percent = _percent(sample[value], len(sample_rows))
            rows.append(
                CharacteristicRow(
                    value=value,
                    label=str(labels.get(value, value)),
                    population_count=population[value],
                    population_percent=population_percent,
                    sample_count=sample[value],
                    sample_percent=sample_percent,
                    difference=sample_percent - population_percent,
                )
            )
        tables.append(CharacteristicTable(characteristic=field, label=heading, rows=tuple(rows)))
    return tables


def largest_difference(tables: Iterable[CharacteristicTable]) -> LargestDifference | None:
    """The value whose share of the sample is furthest from its share of the population.

    None when there is nothing to compare. Ties go to the first in table order.
    """
    best: LargestDifference | None = None
    for table in tables:
        for row in table.rows:
            if best is None or abs(row.difference) > abs(best.difference):
                best = LargestDifference(table.characteristic, row.value, row.difference)
    return best
