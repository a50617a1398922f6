"""Who scores which case, and which cases quality assurance reads (by hand or a seeded share)."""

import random
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casefiles.models import Case
from inspection import permissions
from inspection.access import role_on
from inspection.models import Inspection
from judgements.models import (
    AuditEvent,
    SecondReading,
)
from judgements.services._common import (
    Action,
    Status,
    _audit,
    _locked_case,
    _require,
    _require_stage,
    _set_status,
)

OPEN_SECOND_READINGS = (SecondReading.Status.READING, SecondReading.Status.SUBMITTED)


@transaction.atomic
def case_assign(*, case: Case, inspector, actor) -> Case:
    """The lead gives a case to someone on the team who scores cases (or to nobody)."""
    case = _locked_case(case)
    _require(permissions.may_assign_cases, case.inspection, actor, "assigns cases")
    _require_stage(case.inspection, "allocate")
    if case.inspector_id == (inspector.pk if inspector else None):
        return case
    if inspector is not None and not permissions.may_be_assigned_cases(
        role_on(inspector, case.inspection)
    ):
        raise ValidationError(
            {"inspector": f"{inspector} is not an inspector on this inspection's team"}
        )
    if (
        inspector is not None
        and SecondReading.objects.filter(
            case=case, reader=inspector, status__in=OPEN_SECOND_READINGS
        ).exists()
    ):
        raise ValidationError(
            {"inspector": f"{inspector} is reading this case a second time: choose someone else"}
        )
    old = str(case.inspector) if case.inspector_id else "Not assigned"
    case.inspector = inspector
    case.save(update_fields=["inspector", "updated_at"])
    AuditEvent.objects.create(
        inspection=case.inspection,
        case=case,
        actor=actor,
        at=timezone.now(),
        action=Action.ASSIGNED,
        subject="Inspector",
        old_value=old,
        new_value=str(inspector) if inspector else "Not assigned",
    )
    return case


@transaction.atomic
def qa_select(*, case: Case, selected: bool, actor) -> Case:
    case = _locked_case(case)
    _require(
        permissions.may_assign_cases,
        case.inspection,
        actor,
        "selects cases for quality assurance",
    )
    _require_stage(case.inspection, "allocate")
    if case.selected_for_qa == selected:
        return case
    now = timezone.now()
    events = [
        _audit(
            inspection=case.inspection,
            case=case,
            actor=actor,
            now=now,
            action=Action.QA_SELECTED,
            subject="Selected for quality assurance",
            old="Yes" if case.selected_for_qa else "No",
            new="Yes" if selected else "No",
        )
    ]
    case.selected_for_qa = selected
    if selected and case.status == Status.SUBMITTED:
        _set_status(case, Status.IN_QA, actor=actor, now=now, events=events)
    elif not selected and case.status == Status.IN_QA:
        _set_status(case, Status.SUBMITTED, actor=actor, now=now, events=events)
    case.save(update_fields=["selected_for_qa", "status", "updated_at"])
    AuditEvent.objects.bulk_create(events)
    return case


@dataclass(frozen=True)
class ShareSelection:
    """What selecting a share did: the cases newly selected, and how many were selected before."""

    newly_selected: list[Case]
    already_selected: int
    wanted: int  # the share of all the inspection's cases, in cases


def _spread(cases: list[Case], count: int, rng: random.Random) -> list[Case]:
    """Pick `count` cases taking one from each inspector in turn, so that every inspector's
    work is looked at before anyone's is looked at twice."""
    by_inspector: dict[int | None, list[Case]] = {}
    for case in cases:
        by_inspector.setdefault(case.inspector_id, []).append(case)
    piles = list(by_inspector.values())
    for pile in piles:
        rng.shuffle(pile)
    rng.shuffle(piles)
    chosen: list[Case] = []
    while len(chosen) < count:
        for pile in piles:
            if pile and len(chosen) < count:
                chosen.append(pile.pop())
    return chosen


def qa_select_share(*, inspection: Inspection, percent: int, seed: int, actor) -> ShareSelection:
    """Select cases for quality assurance until `percent` of the inspection's cases are selected.

    Never picks a case already selected; picks at random from a seed (so the choice can be
    checked), spread across inspectors.
    """
    if not 1 <= percent <= 100:
        raise ValidationError({"percent": "Share must be a whole number from 1 to 100"})
    cases = list(Case.objects.filter(inspection=inspection).order_by("reference"))
    wanted = max(1, round(len(cases) * percent / 100)) if cases else 0
    already = [c for c in cases if c.selected_for_qa]
    candidates = [c for c in cases if not c.selected_for_qa]
    count = min(len(candidates), max(0, wanted - len(already)))
    rng = random.Random(f"qa:{inspection.reference}:{seed}")  # noqa: S311 - reproducible, not secret
    chosen = _spread(candidates, count, rng)
    with transaction.atomic():
        selected = [qa_select(case=c, selected=True, actor=actor) for c in chosen]
    return ShareSelection(newly_selected=selected, already_selected=len(already), wanted=wanted)
