"""Writes for drawing the sample: the population, the plan, the draw and replacements.

Each is one transaction: a population file with any problem saves nothing, and a draw
either creates every case it selected or none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from casefiles.choices import Ethnicity, SubjectKind
from casefiles.models import (
    Case,
    DrawnCase,
    Order,
    SampleDraw,
    SamplePopulation,
    SampleReplacement,
    SampleSizeOverride,
    SamplingPlan,
)
from casefiles.sampling.draw import draw_by_sample_type, stratum_key
from casefiles.sampling.population import PopulationRow, RowProblem, parse_population
from casefiles.sampling.selectors import row_from_json, row_to_json, sampling_state
from inspection.models import Inspection, Organisation
from inspection.permissions import stage_refusal

# What a drawn case shows until the lead records what the population file does not give.
NOT_YET_RECORDED = "Not yet recorded"


class SamplingError(Exception):
    """A sampling step that cannot be done, with a message for the person who asked."""


@dataclass(frozen=True)
class UploadResult:
    population: SamplePopulation | None
    problems: list[RowProblem]


def _refuse_if_drawn(inspection: Inspection, what: str) -> None:
    if SampleDraw.objects.filter(inspection=inspection).exists():
        raise SamplingError(
            f"The sample for this inspection has already been drawn, so {what} can no "
            "longer be changed."
        )


def _lock(inspection: Inspection) -> Inspection:
    """The inspection, read afresh and locked until the transaction ends.

    Serialises sampling writes for one inspection: two leads drawing (or one uploading
    while another draws) at once must not both act on what they read before.
    """
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    refusal = stage_refusal(locked.status, "sample")
    if refusal:
        raise SamplingError(refusal)
    return locked


def _plan_for_update(inspection: Inspection) -> SamplingPlan:
    plan, _ = SamplingPlan.objects.get_or_create(inspection=inspection)
    return plan


def population_upload(
    *, inspection: Inspection, filename: str, data: bytes, by=None
) -> UploadResult:
    """Check a file of eligible cases and, only if it is clean, keep it as the population.

    Returns every problem found (by row and column) and saves nothing if there is any.
    ``by`` is None when the file comes from the draw_sample command.

    The file is read and checked before the transaction starts: reading a large file
    takes seconds, and holding the inspection's lock that long would make every other
    save on the inspection wait. Only the save is under the lock.
    """
    _refuse_if_drawn(inspection, "the eligible cases")
    organisations = set(inspection.organisations.values_list("slug", flat=True))
    rows, problems = parse_population(filename, data, organisations=organisations)
    if not problems and not rows:
        problems = [
            RowProblem(None, None, "The file lists no cases: below its header row it is empty.")
        ]
    if problems:
        return UploadResult(None, problems)
    return UploadResult(
        _population_save(
            inspection=inspection,
            filename=filename,
            data=data,
            rows=rows,
            by=by,
        ),
        [],
    )


@transaction.atomic
def _population_save(
    *,
    inspection: Inspection,
    filename: str,
    data: bytes,
    rows: list[PopulationRow],
    by,
) -> SamplePopulation:
    _lock(inspection)
    # Checked again under the lock: the sample may have been drawn, or an organisation
    # removed, while the file was being read.
    _refuse_if_drawn(inspection, "the eligible cases")
    current = set(inspection.organisations.values_list("slug", flat=True))
    if not {row.organisation for row in rows} <= current:
        raise SamplingError(
            "The inspection's organisations changed while the file was being checked. "
            "Upload the file again."
        )
    return SamplePopulation.objects.create(
        inspection=inspection,
        filename=filename[:255],
        checksum=hashlib.sha256(data).hexdigest(),
        rows=[row_to_json(row) for row in rows],
        row_count=len(rows),
        uploaded_by=by,
        uploaded_at=timezone.now(),
    )


@transaction.atomic
def sampling_windows_update(
    *, inspection: Inspection, windows: dict[str, tuple[int, int]], by
) -> SamplingPlan:
    """Replace the eligibility windows: months before fieldwork, per sample type."""
    _lock(inspection)
    _refuse_if_drawn(inspection, "the eligibility windows")
    plan = _plan_for_update(inspection)
    plan.windows = {kind: [int(low), int(high)] for kind, (low, high) in windows.items()}
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.save()
    return plan


@transaction.atomic
def sampling_precision_update(
    *, inspection: Inspection, confidence: Decimal, margin: Decimal, by=None
) -> SamplingPlan:
    """Set the confidence level and margin of error (both as fractions, 0.8 and 0.05)."""
    if not (0 < confidence < 1 and 0 < margin < 1):
        raise SamplingError("The confidence level and margin of error must be between 0 and 1.")
    _lock(inspection)
    _refuse_if_drawn(inspection, "the confidence level and margin of error")
    plan = _plan_for_update(inspection)
    plan.confidence = confidence
    plan.margin = margin
    plan.updated_by = by
    plan.updated_at = timezone.now()
    plan.save()
    return plan


@transaction.atomic
def sample_size_override(
    *, inspection: Inspection, sample_type: str, size: int | None, reason: str, by
) -> SampleSizeOverride:
    """Record the lead's sample size for a sample type (None: the calculated size) and why."""
    if not reason.strip():
        raise SamplingError("Give the reason for the sample size.")
    _lock(inspection)
    _refuse_if_drawn(inspection, "the sample size")
    return SampleSizeOverride.objects.create(
        inspection=inspection,
        sample_type=sample_type,
        size=size,
        reason=reason.strip(),
        set_by=by,
        set_at=timezone.now(),
    )


def _new_case(
    row: PopulationRow, *, inspection: Inspection, organisations: dict[str, Organisation]
) -> Case:
    """A case with what the population file gives; the rest is for the lead to record."""
    organisation = organisations[row.organisation]
    return Case(
        inspection=inspection,
        organisation=organisation,
        reference=row.case_reference,
        sample_type=row.sample_type,
        subject_kind=SubjectKind.CHILD if organisation.is_youth else SubjectKind.ADULT,
        subject_name=NOT_YET_RECORDED,
        gender=row.gender,
        ethnicity=Ethnicity.NOT_KNOWN,
        date_of_birth=None,
        risk_of_serious_harm=row.risk_of_serious_harm,
        safety_and_wellbeing=row.safety_and_wellbeing,
        case_manager=NOT_YET_RECORDED,
    )


def _create_cases(
    rows: list[PopulationRow], *, inspection: Inspection, organisations: dict[str, Organisation]
) -> dict[str, Case]:
    """Create the cases for these rows, each with its order; by case reference."""
    cases = Case.objects.bulk_create(
        [_new_case(row, inspection=inspection, organisations=organisations) for row in rows]
    )
    by_reference = {case.reference: case for case in cases}
    Order.objects.bulk_create(
        Order(
            case=by_reference[row.case_reference],
            order_type=row.disposal_type,
            start_date=row.start_date,
        )
        for row in rows
    )
    return by_reference


def _check_can_create(
    rows: list[PopulationRow], *, inspection: Inspection
) -> dict[str, Organisation]:
    """The organisations by slug; refuses rows whose case exists or organisation has gone."""
    organisations = {o.slug: o for o in inspection.organisations.all()}
    gone = sorted({row.organisation for row in rows} - set(organisations))
    if gone:
        raise SamplingError(
            "These organisations are no longer part of the inspection: "
            f"{', '.join(gone)}. Upload the eligible cases again."
        )
    references = [row.case_reference for row in rows]
    existing = sorted(
        Case.objects.filter(inspection=inspection, reference__in=references).values_list(
            "reference", flat=True
        )
    )
    if existing:
        raise SamplingError(
            "These cases are already in the inspection, so the draw would list them twice: "
            f"{', '.join(existing)}. Remove them from the file or from the inspection first."
        )
    return organisations


@transaction.atomic
def sample_draw(*, inspection: Inspection, seed: int, by=None) -> SampleDraw:
    """Draw each sample type's sample from the eligible cases, and create its cases.

    The same population, plan and seed always give the same sample. Every eligible case
    is recorded with its place: in the sample, or a ranked reserve in its stratum.
    """
    if seed < 0:
        raise SamplingError("The seed must be a whole number, 0 or more.")
    inspection = _lock(inspection)
    _refuse_if_drawn(inspection, "the sample")
    state = sampling_state(inspection)
    if state.population is None:
        raise SamplingError("Upload the eligible cases before drawing the sample.")
    sizes = state.sizes_to_draw
    if not sizes:
        raise SamplingError(
            "No case in the population is eligible, so there is nothing to draw. "
            "Check the eligibility windows and the file."
        )

    draws = draw_by_sample_type(state.eligible, sizes=sizes, seed=seed)
    selected = [row for draw in draws.values() for row in draw.selected]
    organisations = _check_can_create(selected, inspection=inspection)

    size_lines = {line.sample_type: line for line in state.sizes}
    record = SampleDraw.objects.create(
        inspection=inspection,
        population=state.population,
        seed=seed,
        confidence=state.plan.confidence,
        margin=state.plan.margin,
        windows=state.plan.windows,
        sizes={
            kind: {
                "eligible": size_lines[kind].calculation.population,
                "z": size_lines[kind].calculation.z,
                "n0": size_lines[kind].calculation.n0,
                "calculated": size_lines[kind].calculation.size,
                "size": size_lines[kind].size,
                "override_reason": (
                    size_lines[kind].override.reason if size_lines[kind].overridden else ""
                ),
                "drawn": len(draw.selected),
            }
            for kind, draw in draws.items()
        },
        allocation=[
            {
                "sample_type": kind,
                "stratum": list(line.key),
                "population": line.population,
                "share": line.share,
                "quota": line.quota,
                "allocated": line.allocated,
            }
            for kind, draw in draws.items()
            for line in draw.allocation
        ],
        drawn_by=by,
        drawn_at=timezone.now(),
    )

    cases = _create_cases(selected, inspection=inspection, organisations=organisations)
    entries = []
    for draw in draws.values():
        chosen: dict[tuple, list[PopulationRow]] = {}
        for row in draw.selected:
            chosen.setdefault(stratum_key(row), []).append(row)
        for line in draw.allocation:
            ordered = [*chosen.get(line.key, []), *draw.reserves[line.key]]
            for position, row in enumerate(ordered, start=1):
                is_selected = position <= line.allocated
                entries.append(
                    DrawnCase(
                        draw=record,
                        case=cases[row.case_reference] if is_selected else None,
                        reference=row.case_reference,
                        sample_type=row.sample_type,
                        stratum="|".join(line.key),
                        position=position,
                        status=DrawnCase.Status.SELECTED
                        if is_selected
                        else DrawnCase.Status.RESERVE,
                        row=row_to_json(row),
                    )
                )
    DrawnCase.objects.bulk_create(entries, batch_size=1000)
    return record


@transaction.atomic
def drawn_case_replace(*, entry: DrawnCase, reason: str, by) -> SampleReplacement:
    """Replace a case in the sample with the next reserve in its stratum, keeping why.

    Refused when the case already has answers: the inspector's work on it would be lost.
    The replaced case leaves the inspection; its place in the draw stays, marked replaced.
    """
    if not reason.strip():
        raise SamplingError("Give the reason for replacing the case.")
    inspection = entry.draw.inspection
    _lock(inspection)
    entry = DrawnCase.objects.select_related("case", "draw").get(pk=entry.pk)
    if entry.status != DrawnCase.Status.SELECTED:
        raise SamplingError(
            f"Case {entry.reference} is not in the sample, so it cannot be replaced."
        )
    case = entry.case
    if case is not None and case.answers.exists():
        raise SamplingError(
            f"Case {entry.reference} already has answers recorded, so it stays in the sample: "
            "replacing it would lose the inspector's work."
        )
    reserve = (
        DrawnCase.objects.filter(
            draw=entry.draw, stratum=entry.stratum, status=DrawnCase.Status.RESERVE
        )
        .order_by("position")
        .first()
    )
    if reserve is None:
        raise SamplingError(
            f"There are no reserves left in the group of case {entry.reference}, so it "
            "cannot be replaced with a case like it."
        )
    row = row_from_json(reserve.row)
    organisations = _check_can_create([row], inspection=inspection)

    entry.status = DrawnCase.Status.REPLACED
    entry.case = None
    entry.save(update_fields=["status", "case"])
    if case is not None:
        case.delete()
    reserve.case = _create_cases([row], inspection=inspection, organisations=organisations)[
        row.case_reference
    ]
    reserve.status = DrawnCase.Status.SELECTED
    reserve.save(update_fields=["status", "case"])
    return SampleReplacement.objects.create(
        draw=entry.draw,
        removed=entry,
        reserve=reserve,
        reason=reason.strip(),
        replaced_by=by,
        replaced_at=timezone.now(),
    )
