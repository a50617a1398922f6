"""Blind double scoring: selecting cases for a second, independent reading, the second
reader's answers, and reconciling the two readings into the case's answers.

The second reader's answers are kept apart (SecondAnswer); the case does not count towards
ratings while ``Case.awaiting_reconciliation`` is set, and counts again, with the agreed
answers, once they are reconciled. Every step writes its AuditEvent in the same transaction.
"""

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from casefiles.models import Case
from inspection import permissions
from inspection.access import role_on
from inspection.models import Inspection, Membership
from judgements.models import (
    Answer,
    AnswerValue,
    AuditEvent,
    ReconciledAnswer,
    SecondAnswer,
    SecondReading,
)
from judgements.rules import applicable_questions, missing_answers
from judgements.services._common import (
    Action,
    AnswerInput,
    Conflict,
    IncompleteCase,
    StaleEdit,
    _audit,
    _describe,
    _locked_case,
    _require,
)
from judgements.services.answers import answers_check
from judgements.tallies import tallies_case_counted

Status = Case.Status
# A case is selected before its first reading is quality-assured: while it is still being
# scored, or submitted and not yet in anyone's hands.
SELECTABLE_STATUSES = frozenset({Status.NOT_STARTED, Status.IN_PROGRESS, Status.SUBMITTED})
# Second readers read blind: the lead sees every answer of the inspection, so only inspectors
# and partner inspectors on the team read a case a second time.
SECOND_READER_ROLES = frozenset({Membership.Role.INSPECTOR, Membership.Role.PARTNER})


def may_read_second(user, inspection: Inspection) -> bool:
    return role_on(user, inspection) in SECOND_READER_ROLES


def _set_awaiting(case: Case, awaiting: bool) -> None:
    """Set the flag; the case's answers leave or join the tallies if that changes whether it
    counts (the case is locked by the caller)."""
    counted_before = case.counts_towards_ratings
    case.awaiting_reconciliation = awaiting
    if counted_before != case.counts_towards_ratings:
        tallies_case_counted(
            case=case,
            counted=case.counts_towards_ratings,
            agreed=case.status == Case.Status.AGREED,
        )
    case.save(update_fields=["awaiting_reconciliation", "updated_at"])


@transaction.atomic
def second_reading_select(*, case: Case, reader, actor) -> SecondReading:
    """The lead selects a case for a second reading by `reader`, another inspector."""
    case = _locked_case(case)
    _require(permissions.may_assign_cases, case.inspection, actor, "selects second readings")
    if SecondReading.objects.filter(case=case).exists():
        raise ValidationError({"case": f"Case {case.reference} is already read a second time"})
    if case.status not in SELECTABLE_STATUSES:
        raise ValidationError(
            {
                "case": f"Case {case.reference} is {Case.Status(case.status).label.lower()}: "
                "only a case not yet in quality assurance can be read a second time"
            }
        )
    if case.inspector_id is None:
        raise ValidationError({"case": f"Case {case.reference} has no inspector yet"})
    if not may_read_second(reader, case.inspection):
        raise ValidationError({"reader": f"{reader} is not an inspector on this inspection's team"})
    if reader.pk == case.inspector_id:
        raise ValidationError(
            {"reader": f"{reader} is the case's own inspector: choose someone else"}
        )
    now = timezone.now()
    reading = SecondReading.objects.create(
        case=case, reader=reader, selected_by=actor, selected_at=now
    )
    _set_awaiting(case, True)
    AuditEvent.objects.create(
        **_audit_fields(case, actor, now),
        action=Action.SECOND_READING,
        subject="Selected for a second reading",
        new_value=f"Second reader: {reader}",
    )
    return reading


def _audit_fields(case: Case, actor, now) -> dict:
    return {"inspection": case.inspection, "case": case, "actor": actor, "at": now}


@transaction.atomic
def second_reading_remove(*, reading: SecondReading, actor) -> None:
    """The lead takes a case out of double reading before it is reconciled; the second
    reader's answers go with it (the audit trail keeps what they were)."""
    case = _locked_case(reading.case)
    _require(permissions.may_assign_cases, case.inspection, actor, "removes second readings")
    reading = SecondReading.objects.select_for_update().get(pk=reading.pk)
    if reading.is_reconciled:
        raise ValidationError({"reading": "A reconciled reading is kept: it cannot be removed"})
    now = timezone.now()
    AuditEvent.objects.create(
        **_audit_fields(case, actor, now),
        action=Action.SECOND_READING,
        subject="Second reading removed",
        old_value=f"Second reader: {reading.reader} ({reading.get_status_display().lower()})",
    )
    reading.delete()
    _set_awaiting(case, False)


@dataclass(frozen=True)
class SecondShare:
    selected: list[SecondReading]
    eligible: int


def second_reading_share(*, inspection: Inspection, percent: int, seed: int, actor) -> SecondShare:
    """Select a share of the cases not yet selected for a second reading, at random from a
    seed (so the choice can be checked), one inspector's case at a time in turn; each goes to
    the other inspector with the fewest second readings so far."""
    _require(permissions.may_assign_cases, inspection, actor, "selects second readings")
    if not 1 <= percent <= 100:
        raise ValidationError({"percent": "Share must be a whole number from 1 to 100"})
    readers = sorted(
        (
            m.user
            for m in inspection.memberships.select_related("user")
            if m.role in SECOND_READER_ROLES
        ),
        key=lambda u: u.get_username(),
    )
    cases = list(
        Case.objects.filter(
            inspection=inspection,
            status__in=SELECTABLE_STATUSES,
            inspector__isnull=False,
            second_reading__isnull=True,
        ).order_by("reference")
    )
    wanted = min(len(cases), max(1, round(len(cases) * percent / 100))) if cases else 0
    rng = random.Random(f"second:{inspection.reference}:{seed}")  # noqa: S311 - reproducible
    by_inspector: dict[int, list[Case]] = {}
    for case in cases:
        by_inspector.setdefault(case.inspector_id, []).append(case)
    piles = [by_inspector[key] for key in sorted(by_inspector)]
    for pile in piles:
        rng.shuffle(pile)
    rng.shuffle(piles)
    load = {
        u.pk: SecondReading.objects.filter(case__inspection=inspection, reader=u).count()
        for u in readers
    }
    chosen: list[SecondReading] = []
    with transaction.atomic():
        while len(chosen) < wanted and any(piles):
            for pile in piles:
                if not pile or len(chosen) >= wanted:
                    continue
                case = pile.pop()
                others = [u for u in readers if u.pk != case.inspector_id]
                if not others:
                    continue
                reader = min(others, key=lambda u: (load[u.pk], u.get_username()))
                chosen.append(second_reading_select(case=case, reader=reader, actor=actor))
                load[reader.pk] += 1
    return SecondShare(selected=chosen, eligible=len(cases))


def _locked_reading(reading: SecondReading) -> SecondReading:
    return (
        SecondReading.objects.select_for_update(of=("self",))
        .select_related("case__inspection__framework", "case__organisation", "reader")
        .get(pk=reading.pk)
    )


def _check_second_reader(reading: SecondReading, actor) -> None:
    if reading.reader_id != actor.pk:
        raise PermissionDenied("Only the second reader answers a second reading.")
    if reading.status != SecondReading.Status.READING:
        raise PermissionDenied("This second reading is submitted: its answers cannot change.")


@transaction.atomic
def second_answers_record(
    *, reading: SecondReading, answers: Iterable[AnswerInput], actor
) -> list[SecondAnswer]:
    """Record the second reader's answers to one step, all or none, each change audited.

    The same checks as the first reading (answer values, evidence notes, a stale copy)."""
    items = list(answers)
    reading = _locked_reading(reading)
    _check_second_reader(reading, actor)
    case = reading.case
    answers_check(case, items)
    existing = {
        a.question_id: a
        for a in SecondAnswer.objects.filter(
            reading=reading, question__in=[i.question for i in items]
        )
    }
    conflicts = []
    for item in items:
        current = existing.get(item.question.pk)
        version = current.version if current else 0
        same = current is not None and (current.value, current.note) == (
            item.value,
            item.note.strip(),
        )
        if item.seen_version is not None and item.seen_version != version and not same:
            conflicts.append(
                Conflict(
                    question=item.question,
                    yours_value=_describe(item.value),
                    yours_note=item.note,
                    theirs_value=_describe(current.value) if current else "No answer",
                    theirs_note=current.note if current else "",
                    theirs_by=str(actor),
                )
            )
    if conflicts:
        raise StaleEdit(conflicts)
    now = timezone.now()
    events, results = [], []
    for item in items:
        note = item.note.strip()
        current = existing.get(item.question.pk)
        if current is not None and (current.value, current.note) == (item.value, note):
            results.append(current)
            continue
        old = f"{_describe(current.value)}\n{current.note}".strip() if current else ""
        if current is None:
            current = SecondAnswer(reading=reading, question=item.question, version=0)
        current.value, current.note = item.value, note
        current.version += 1
        current.updated_at = now
        current.save()
        results.append(current)
        events.append(
            AuditEvent(
                **_audit_fields(case, actor, now),
                action=Action.SECOND_ANSWER,
                subject=item.question.code,
                old_value=old,
                new_value=f"{_describe(item.value)}\n{note}".strip(),
            )
        )
    AuditEvent.objects.bulk_create(events)
    return results


@transaction.atomic
def second_reading_submit(*, reading: SecondReading, actor) -> SecondReading:
    """The second reader submits: every applicable question answered with its notes."""
    reading = _locked_reading(reading)
    _check_second_reader(reading, actor)
    answers = {a.question_id: a for a in SecondAnswer.objects.filter(reading=reading)}
    missing = missing_answers(applicable_questions(reading.case), answers)
    if missing:
        raise IncompleteCase(missing)
    now = timezone.now()
    reading.status = SecondReading.Status.SUBMITTED
    reading.submitted_at = now
    reading.save(update_fields=["status", "submitted_at"])
    AuditEvent.objects.create(
        **_audit_fields(reading.case, actor, now),
        action=Action.SECOND_READING,
        subject="Second reading submitted",
        old_value=SecondReading.Status.READING.label,
        new_value=SecondReading.Status.SUBMITTED.label,
    )
    return reading


def may_reconcile(reading: SecondReading, user, role: str | None) -> bool:
    """The two readers or the lead agree the answers."""
    return user.pk in (reading.reader_id, reading.case.inspector_id) or permissions.is_lead(role)


def ready_to_reconcile(reading: SecondReading) -> bool:
    """Both readings are submitted (the first reader's case is submitted or in QA)."""
    return reading.status == SecondReading.Status.SUBMITTED and reading.case.status in (
        Status.SUBMITTED,
        Status.IN_QA,
    )


@dataclass(frozen=True)
class Agreed:
    value: str
    note: str


@transaction.atomic
def second_reading_reconcile(
    *, reading: SecondReading, agreed: Mapping[int, Agreed], actor
) -> SecondReading:
    """Agree one answer per question and write it to the case's answers.

    Where the two readings gave the same answer, the first reading's answer and note stand
    (``agreed`` may leave them out). Where they differ, ``agreed[question id]`` gives the
    answer and the note that explains it, which becomes the answer's evidence note. The two
    readings are kept (ReconciledAnswer, SecondAnswer); the case then counts.
    """
    case = _locked_case(reading.case)
    reading = _locked_reading(reading)
    reading.case = case
    if not may_reconcile(reading, actor, role_on(actor, case.inspection)):
        raise PermissionDenied("Only the two readers or the lead reconcile a double reading.")
    if reading.is_reconciled:
        raise ValidationError({"reading": "These readings were already reconciled"})
    if not ready_to_reconcile(reading):
        raise ValidationError({"reading": "Both readings must be submitted first"})
    questions = applicable_questions(case)
    first = {a.question_id: a for a in Answer.objects.filter(case=case)}
    second = {a.question_id: a for a in SecondAnswer.objects.filter(reading=reading)}
    errors = {}
    rows = []
    for question in questions:
        one, two = first.get(question.pk), second.get(question.pk)
        one_value, two_value = (one.value if one else ""), (two.value if two else "")
        if one_value == two_value and one is not None:
            value, note, reason = one.value, one.note, ""
        else:
            choice = agreed.get(question.pk)
            if choice is None or choice.value not in AnswerValue.values:
                errors[question.code] = f"Select the agreed answer for {question.code}"
                continue
            if not choice.note.strip():
                errors[question.code] = (
                    f"Enter a note on the agreed answer to {question.code}: the readings differ"
                )
                continue
            value, note, reason = choice.value, choice.note.strip(), choice.note.strip()
        rows.append((question, one, two, value, note, reason))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    events: list[AuditEvent] = []
    created, changed = [], []
    for question, one, two, value, note, reason in rows:
        ReconciledAnswer.objects.create(
            reading=reading,
            question=question,
            first_value=one.value if one else "",
            first_note=one.note if one else "",
            second_value=two.value if two else "",
            second_note=two.note if two else "",
            agreed_value=value,
            reason=reason,
        )
        if one is None:
            created.append(
                Answer(
                    case=case,
                    question=question,
                    value=value,
                    note=note,
                    answered_by=actor,
                    updated_at=now,
                )
            )
            events.append(
                _audit(
                    inspection=case.inspection,
                    case=case,
                    actor=actor,
                    now=now,
                    action=Action.ANSWER_CREATED,
                    subject=question.code,
                    new=f"{_describe(value)}\n{note}".strip(),
                )
            )
            continue
        if one.value != value:
            events.append(
                _audit(
                    inspection=case.inspection,
                    case=case,
                    actor=actor,
                    now=now,
                    action=Action.ANSWER_CHANGED,
                    subject=question.code,
                    old=_describe(one.value),
                    new=_describe(value),
                )
            )
        if one.note != note:
            events.append(
                _audit(
                    inspection=case.inspection,
                    case=case,
                    actor=actor,
                    now=now,
                    action=Action.NOTE_CHANGED,
                    subject=question.code,
                    old=one.note,
                    new=note,
                )
            )
        if (one.value, one.note) != (value, note):
            one.value, one.note = value, note
            one.version += 1
            one.answered_by, one.updated_at = actor, now
            changed.append(one)
    Answer.objects.bulk_create(created)
    if changed:
        Answer.objects.bulk_update(
            changed, ["value", "note", "version", "answered_by", "updated_at"]
        )
    differing = sum(1 for row in rows if row[5])
    reading.status = SecondReading.Status.RECONCILED
    reading.first_reader_id = case.inspector_id
    reading.reconciled_by, reading.reconciled_at = actor, now
    reading.save(update_fields=["status", "first_reader", "reconciled_by", "reconciled_at"])
    events.append(
        _audit(
            inspection=case.inspection,
            case=case,
            actor=actor,
            now=now,
            action=Action.SECOND_READING,
            subject="Readings reconciled",
            old=SecondReading.Status.SUBMITTED.label,
            new=f"{SecondReading.Status.RECONCILED.label}: {differing} answer"
            f"{'s' if differing != 1 else ''} agreed where the readings differed",
        )
    )
    AuditEvent.objects.bulk_create(events)
    # The agreed answers are in place: the case now counts (its answers join the tallies).
    _set_awaiting(case, False)
    return reading
