"""Reads for drawing the sample: where an inspection's sampling stands, and the drawn sample.

The arithmetic is in ``casefiles.sampling.draw``; this module feeds it the inspection's saved
choices and population, and shapes the results for the pages and the command.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from casefiles.choices import Gender, Level, OrderType, SampleType
from casefiles.models import (
    DrawnCase,
    SampleDraw,
    SamplePopulation,
    SampleReplacement,
    SampleSizeOverride,
    SamplingPlan,
)
from casefiles.sampling.draw import (
    CharacteristicTable,
    EligibilityWindow,
    LargestDifference,
    SampleSize,
    apply_windows,
    largest_difference,
    representativeness,
    sample_size,
)
from casefiles.sampling.population import PopulationRow
from inspection.access import Access, access_to
from inspection.models import Inspection

SAMPLE_TYPE_LABELS = dict(SampleType.choices)

# --------------------------------------------------------------------- rows as stored


def row_to_json(row: PopulationRow) -> dict:
    return {
        "case_reference": row.case_reference,
        "sample_type": row.sample_type,
        "organisation": row.organisation,
        "gender": row.gender,
        "disposal_type": row.disposal_type,
        "risk_of_serious_harm": row.risk_of_serious_harm,
        "safety_and_wellbeing": row.safety_and_wellbeing,
        "start_date": row.start_date.isoformat(),
        "row_number": row.row_number,
    }


def row_from_json(data: dict) -> PopulationRow:
    return PopulationRow(**{**data, "start_date": date.fromisoformat(data["start_date"])})


def stratum_label(key: str | tuple[str, ...]) -> dict[str, str]:
    """A stratum's characteristics in words, from its key (sample type first)."""
    parts = key.split("|") if isinstance(key, str) else list(key)
    _kind, gender, disposal, rosh, wellbeing = parts
    return {
        "gender": str(dict(Gender.choices).get(gender, gender)),
        "disposal_type": str(dict(OrderType.choices).get(disposal, disposal)),
        "risk_of_serious_harm": str(dict(Level.choices).get(rosh, rosh)),
        "safety_and_wellbeing": str(
            dict(Level.choices).get(wellbeing, wellbeing) or "Not applicable"
        ),
    }


# ---------------------------------------------------------------- where sampling stands


def sampling_plan(inspection: Inspection) -> SamplingPlan:
    """The inspection's saved plan, or an unsaved one holding the defaults."""
    try:
        return inspection.sampling_plan
    except SamplingPlan.DoesNotExist:
        return SamplingPlan(inspection=inspection)


def sample_types_for(inspection: Inspection) -> list[str]:
    """The sample types the inspection's framework draws, in the vocabulary's order."""
    wanted = set(inspection.framework.sample_types or SampleType.values)
    return [value for value in SampleType.values if value in wanted]


def windows_of(plan: SamplingPlan) -> list[EligibilityWindow]:
    return [
        EligibilityWindow(kind, int(months[0]), int(months[1]))
        for kind, months in sorted(plan.windows.items())
    ]


@dataclass(frozen=True)
class RuleLine:
    """How one eligibility rule treated one sample type's rows."""

    sample_type: str
    label: str
    rule: str
    kept: int
    dropped: int


@dataclass(frozen=True)
class SizeLine:
    """One sample type's sample size: the calculation, any override, and the size used."""

    sample_type: str
    label: str
    calculation: SampleSize
    override: SampleSizeOverride | None

    @property
    def size(self) -> int:
        if self.override is not None and self.override.size is not None:
            return min(self.override.size, self.calculation.population)
        return self.calculation.size

    @property
    def overridden(self) -> bool:
        return self.override is not None and self.override.size is not None


@dataclass(frozen=True)
class SamplingState:
    inspection: Inspection
    plan: SamplingPlan
    population: SamplePopulation | None
    rows: list[PopulationRow]
    eligible: list[PopulationRow]
    rules: list[RuleLine]
    sizes: list[SizeLine]
    overrides: list[SampleSizeOverride]
    draw: SampleDraw | None

    @property
    def confidence_percent(self) -> float:
        return float(self.plan.confidence) * 100

    @property
    def margin_percent(self) -> float:
        return float(self.plan.margin) * 100

    @property
    def sizes_to_draw(self) -> dict[str, int]:
        return {line.sample_type: line.size for line in self.sizes if line.calculation.population}


def _rule_text(window: EligibilityWindow | None, earliest, latest) -> str:
    if window is None:
        return "No window: every case is eligible"
    return (
        f"Started {earliest:%-d %B %Y} to {latest:%-d %B %Y} "
        f"({window.months_from} to {window.months_to} months before fieldwork)"
    )


def sampling_state(inspection: Inspection) -> SamplingState:
    """Everything the sample pages and the draw need, in four queries.

    Queries: the plan; the latest population; the overrides; the draw.
    """
    plan = sampling_plan(inspection)
    population = (
        SamplePopulation.objects.filter(inspection=inspection).select_related("uploaded_by").first()
    )
    rows = [row_from_json(item) for item in population.rows] if population else []
    kinds = sample_types_for(inspection)

    windows = windows_of(plan)
    by_type = {window.sample_type: window for window in windows}
    in_framework = [row for row in rows if row.sample_type in kinds]
    result = apply_windows(
        in_framework, fieldwork_start=inspection.fieldwork_start, windows=windows
    )
    rules = [
        RuleLine(
            count.sample_type,
            SAMPLE_TYPE_LABELS.get(count.sample_type, count.sample_type),
            _rule_text(by_type.get(count.sample_type), count.earliest, count.latest),
            count.kept,
            count.dropped,
        )
        for count in result.counts
    ]
    outside: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.sample_type not in kinds:
            outside[row.sample_type] += 1
    for kind in SampleType.values:
        if outside.get(kind):
            rules.append(
                RuleLine(
                    kind,
                    SAMPLE_TYPE_LABELS[kind],
                    "Not a sample this inspection's framework draws",
                    0,
                    outside[kind],
                )
            )

    overrides = list(
        SampleSizeOverride.objects.filter(inspection=inspection).select_related("set_by")
    )
    latest_override: dict[str, SampleSizeOverride] = {}
    for override in overrides:  # newest first
        latest_override.setdefault(override.sample_type, override)
    eligible_count: dict[str, int] = defaultdict(int)
    for row in result.kept:
        eligible_count[row.sample_type] += 1
    sizes = [
        SizeLine(
            kind,
            SAMPLE_TYPE_LABELS[kind],
            sample_size(
                eligible_count[kind],
                confidence=float(plan.confidence),
                margin=float(plan.margin),
            ),
            latest_override.get(kind),
        )
        for kind in kinds
    ]
    draw = (
        SampleDraw.objects.filter(inspection=inspection)
        .select_related("drawn_by", "population")
        .first()
    )
    return SamplingState(
        inspection=inspection,
        plan=plan,
        population=population,
        rows=rows,
        eligible=list(result.kept),
        rules=rules,
        sizes=sizes,
        overrides=overrides,
        draw=draw,
    )


# ------------------------------------------------------------------------ the drawn sample


@dataclass
class StratumView:
    key: str
    labels: dict[str, str]
    population: int
    share: float
    quota: float
    allocated: int
    selected: list[DrawnCase] = field(default_factory=list)
    reserves: list[DrawnCase] = field(default_factory=list)
    replaced: list[DrawnCase] = field(default_factory=list)

    @property
    def share_percent(self) -> float:
        return self.share * 100


@dataclass
class SampleTypeView:
    sample_type: str
    label: str
    sizes: dict
    strata: list[StratumView]
    tables: list[CharacteristicTable]
    largest: LargestDifference | None
    largest_label: str

    @property
    def selected(self) -> list[DrawnCase]:
        return sorted(
            (entry for stratum in self.strata for entry in stratum.selected),
            key=lambda entry: entry.reference,
        )


@dataclass(frozen=True)
class DrawView:
    draw: SampleDraw
    sample_types: list[SampleTypeView]
    replacements: list[SampleReplacement]

    @property
    def confidence_percent(self) -> float:
        return float(self.draw.confidence) * 100

    @property
    def margin_percent(self) -> float:
        return float(self.draw.margin) * 100


def _largest_label(tables: list[CharacteristicTable], largest: LargestDifference | None) -> str:
    if largest is None:
        return ""
    for table in tables:
        if table.characteristic != largest.characteristic:
            continue
        for row in table.rows:
            if row.value == largest.value:
                direction = "more" if largest.difference > 0 else "less"
                if largest.difference == 0:
                    return "The sample matches the population exactly on every characteristic."
                return (
                    f"{table.label}: {row.label}, {abs(largest.difference):.1f} percentage "
                    f"points {direction} in the sample than in the population."
                )
    return ""


def draw_view(draw: SampleDraw) -> DrawView:
    """The drawn sample, per sample type: allocation, cases, reserves and representativeness.

    Queries: the entries (with their cases); the replacements (with the people and cases).
    """
    entries = list(draw.entries.select_related("case"))
    by_stratum: dict[str, list[DrawnCase]] = defaultdict(list)
    for entry in entries:
        by_stratum[entry.stratum].append(entry)

    views = []
    for kind, sizes in draw.sizes.items():
        strata = []
        for line in draw.allocation:
            if line["sample_type"] != kind:
                continue
            key = "|".join(line["stratum"])
            members = sorted(by_stratum.get(key, []), key=lambda entry: entry.position)
            strata.append(
                StratumView(
                    key=key,
                    labels=stratum_label(key),
                    population=line["population"],
                    share=line["share"],
                    quota=line["quota"],
                    allocated=line["allocated"],
                    selected=[m for m in members if m.status == DrawnCase.Status.SELECTED],
                    reserves=[m for m in members if m.status == DrawnCase.Status.RESERVE],
                    replaced=[m for m in members if m.status == DrawnCase.Status.REPLACED],
                )
            )
        eligible = [row_from_json(e.row) for e in entries if e.sample_type == kind]
        chosen = [
            row_from_json(e.row)
            for e in entries
            if e.sample_type == kind and e.status == DrawnCase.Status.SELECTED
        ]
        # Within one sample type the "sample type" characteristic says nothing.
        tables = [
            t for t in representativeness(eligible, chosen) if t.characteristic != "sample_type"
        ]
        largest = largest_difference(tables)
        views.append(
            SampleTypeView(
                sample_type=kind,
                label=SAMPLE_TYPE_LABELS.get(kind, kind),
                sizes=sizes,
                strata=strata,
                tables=tables,
                largest=largest,
                largest_label=_largest_label(tables, largest),
            )
        )
    replacements = list(draw.replacements.select_related("removed", "reserve__case", "replaced_by"))
    return DrawView(draw=draw, sample_types=views, replacements=replacements)


# ------------------------------------------------------------------------------- access


def drawn_case_access(user, public_id) -> tuple[DrawnCase, Access]:
    """A case's place in a draw, if the user may read the inspection; else 404."""
    entries: QuerySet[DrawnCase] = DrawnCase.objects.filter(
        draw__inspection__in=Inspection.objects.visible_to(user)
    ).select_related("draw__inspection__framework", "case")
    entry = get_object_or_404(entries, public_id=public_id)
    inspection = entry.draw.inspection
    return entry, access_to(user, inspection)


# ------------------------------------------------------------------ the sample as drawn


@dataclass(frozen=True)
class StratumSize:
    """One group of a sample type: its characteristics, eligible cases and cases drawn."""

    labels: dict[str, str]
    eligible: int
    drawn: int


@dataclass(frozen=True)
class SampleTypeSize:
    sample_type: str
    label: str
    eligible: int
    calculated: int
    size: int
    drawn: int
    override_reason: str  # empty when the calculated size was used
    strata: list[StratumSize]


@dataclass(frozen=True)
class CaseOutsideDraw:
    reference: str
    sample_type: str
    sample_label: str
    organisation: str
    reason: str


@dataclass(frozen=True)
class CaseReplaced:
    removed: str
    replaced_by: str
    reason: str
    replaced_at: object  # datetime


@dataclass(frozen=True)
class SampleAsDrawn:
    """How the sample was drawn, for the report's methodology annex and the sample pages.

    ``drawn`` is False for an inspection whose cases were all added by hand (no draw):
    then the sizes are empty, the precision is None and every case is outside the draw.
    """

    drawn: bool
    confidence_percent: float | None  # e.g. 80.0
    margin_points: float | None  # margin of error in percentage points, e.g. 5.0
    seed: int | None
    population_file: str
    sample_types: list[SampleTypeSize]
    added: list[CaseOutsideDraw]
    replaced: list[CaseReplaced]
    cases_in_inspection: int

    @property
    def drawn_total(self) -> int:
        return sum(kind.drawn for kind in self.sample_types)

    @property
    def eligible_total(self) -> int:
        return sum(kind.eligible for kind in self.sample_types)


def sample_as_drawn(inspection: Inspection) -> SampleAsDrawn:
    """The sample as drawn: sizes by sample type and stratum, confidence and margin of error,
    and the cases added outside the draw or replaced, each with its reason.

    Queries: the draw; the cases added outside it; the replacements (when drawn); the count
    of the inspection's cases.
    """
    from casefiles.models import Case  # casefiles.models imports this package's models

    draw = SampleDraw.objects.filter(inspection=inspection).select_related("population").first()
    added = [
        CaseOutsideDraw(
            reference=case.reference,
            sample_type=case.sample_type,
            sample_label=SAMPLE_TYPE_LABELS.get(case.sample_type, case.sample_type),
            organisation=case.organisation.name,
            reason=case.added_reason,
        )
        for case in Case.objects.filter(inspection=inspection, added_outside_draw=True)
        .select_related("organisation")
        .order_by("reference")
    ]
    cases = Case.objects.filter(inspection=inspection).count()
    if draw is None:
        return SampleAsDrawn(
            drawn=False,
            confidence_percent=None,
            margin_points=None,
            seed=None,
            population_file="",
            sample_types=[],
            added=added,
            replaced=[],
            cases_in_inspection=cases,
        )
    sample_types = []
    for kind, sizes in draw.sizes.items():
        strata = [
            StratumSize(
                labels=stratum_label(tuple(line["stratum"])),
                eligible=line["population"],
                drawn=line["allocated"],
            )
            for line in draw.allocation
            if line["sample_type"] == kind
        ]
        sample_types.append(
            SampleTypeSize(
                sample_type=kind,
                label=SAMPLE_TYPE_LABELS.get(kind, kind),
                eligible=sizes["eligible"],
                calculated=sizes["calculated"],
                size=sizes["size"],
                drawn=sizes["drawn"],
                override_reason=sizes.get("override_reason", ""),
                strata=strata,
            )
        )
    replaced = [
        CaseReplaced(
            removed=r.removed.reference,
            replaced_by=r.reserve.reference,
            reason=r.reason,
            replaced_at=r.replaced_at,
        )
        for r in draw.replacements.select_related("removed", "reserve").order_by("replaced_at")
    ]
    return SampleAsDrawn(
        drawn=True,
        confidence_percent=float(draw.confidence) * 100,
        margin_points=float(draw.margin) * 100,
        seed=draw.seed,
        population_file=draw.population.filename,
        sample_types=sample_types,
        added=added,
        replaced=replaced,
        cases_in_inspection=cases,
    )
