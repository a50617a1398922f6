"""Reads for blind double scoring: who is blind to what, the second reader's walk-through,
the lead's list, the reconciliation and the agreement figures' input.

Blindness is decided here, once: until a double reading is reconciled, its second reader
sees none of the case's answers (the judgements pages send them to their own reading, the
history page refuses them, the answers extract leaves the case out), and its first reader
sees none of the second reader's (they are kept apart and shown only on the second reading's
own pages, which are for the second reader, and on the reconciliation page once both are in).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from casefiles.access import case_access
from casefiles.models import Case
from inspection.models import Inspection, Question, User

from .models import Answer, ReconciledAnswer, SecondAnswer, SecondReading
from .rules import applicable_questions, case_questions, progress
from .selectors import Walkthrough

PENDING = (SecondReading.Status.READING, SecondReading.Status.SUBMITTED)


def blind_reading(case: Case, user) -> SecondReading | None:
    """The case's second reading if this user is its second reader and it is not reconciled:
    the user must not see the case's (first reading's) answers (one query, none when the case
    is not awaiting reconciliation)."""
    if not case.awaiting_reconciliation:
        return None
    return SecondReading.objects.filter(case=case, reader=user, status__in=PENDING).first()


def hides_second_reading(case: Case, user) -> bool:
    """Whether the second reading's answers are hidden from this user on the case's pages:
    its first reader, until the two are reconciled."""
    return bool(case.awaiting_reconciliation and case.inspector_id == user.pk)


def reading_for_reader(user, public_id):
    """The case, the Access and its second reading, for its second reader only (else 403)."""
    case, access = case_access(user, public_id)
    reading = SecondReading.objects.filter(case=case).select_related("reader", "case").first()
    if reading is None:
        raise Http404("This case is not read a second time")
    if reading.reader_id != user.pk:
        raise PermissionDenied("Only the second reader opens the second reading.")
    reading.case = case
    return case, access, reading


def second_walkthrough(reading: SecondReading) -> Walkthrough:
    """The walk-through with the second reader's answers (two queries)."""
    case = reading.case
    questions = applicable_questions(case, case_questions(case.inspection.framework))
    answers = {a.question_id: a for a in SecondAnswer.objects.filter(reading=reading)}
    return Walkthrough(
        case=case, questions=questions, answers=answers, steps=progress(case, questions, answers)
    )


def inspection_readings(inspection: Inspection) -> list[SecondReading]:
    """Every second reading of the inspection, by case reference (one query)."""
    return list(
        SecondReading.objects.filter(case__inspection=inspection)
        .select_related("case", "case__inspector", "reader", "first_reader")
        .order_by("case__reference")
    )


def readings_to_do(user) -> list[SecondReading]:
    """The user's second readings not yet reconciled, and those waiting for them to
    reconcile as the first reader (one query)."""
    return list(
        SecondReading.objects.filter(status__in=PENDING, reader=user)
        .select_related("case", "case__inspection")
        .order_by("case__inspection__reference", "case__reference")
    )


@dataclass
class Comparison:
    question: Question
    first: Answer | None
    second: SecondAnswer | None

    @property
    def differs(self) -> bool:
        return (self.first.value if self.first else "") != (
            self.second.value if self.second else ""
        )


def comparisons(reading: SecondReading) -> list[Comparison]:
    """Each question with both readings' answers, differences first, then framework order
    (three queries)."""
    case = reading.case
    questions = applicable_questions(case)
    first = {a.question_id: a for a in Answer.objects.filter(case=case)}
    second = {a.question_id: a for a in SecondAnswer.objects.filter(reading=reading)}
    rows = [Comparison(q, first.get(q.pk), second.get(q.pk)) for q in questions]
    return sorted(rows, key=lambda row: not row.differs)


@dataclass(frozen=True)
class PairedAnswers:
    """A key question's answers from reconciled double readings: (first, second) per case,
    grouped by the pair of readers (names in alphabetical order)."""

    code: str
    pairs: dict[tuple[str, str], list[tuple[str, str]]]

    @property
    def all_pairs(self) -> list[tuple[str, str]]:
        return [pair for pairs in self.pairs.values() for pair in pairs]


def reconciled_key_answers(inspections) -> list[PairedAnswers]:
    """The first and second answers to every key question of reconciled double readings of
    these inspections (two queries), key questions in framework order."""
    rows = (
        ReconciledAnswer.objects.filter(
            reading__case__inspection__in=inspections, question__parent__isnull=True
        )
        .values_list(
            "question__code",
            "question__position",
            "first_value",
            "second_value",
            "reading__first_reader_id",
            "reading__reader_id",
        )
        .order_by("question__position", "question__code")
    )
    rows = list(rows)
    ids = {row[4] for row in rows} | {row[5] for row in rows}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    by_code: dict[str, dict[tuple[str, str], list]] = {}
    for code, _position, first, second, first_reader, second_reader in rows:
        pair = tuple(sorted((names.get(first_reader, ""), names.get(second_reader, ""))))
        by_code.setdefault(code, defaultdict(list))[pair].append((first, second))
    return [PairedAnswers(code, dict(pairs)) for code, pairs in by_code.items()]
