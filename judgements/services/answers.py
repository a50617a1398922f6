"""Answers and evidence notes: recording them (with the stale-edit check), the rest of a step not
applying, where the evidence came from, and submitting a case.
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from casefiles.models import Case
from inspection.models import Question
from judgements.models import (
    Answer,
    AnswerValue,
    AuditEvent,
    EvidenceSource,
    ReturnedQuestion,
)
from judgements.rules import (
    applicable_questions,
    missing_answers,
    note_problem,
    question_refusal,
)
from judgements.services._common import (
    Action,
    AnswerInput,
    Conflict,
    IncompleteCase,
    StaleEdit,
    Status,
    _audit,
    _describe,
    _locked_case,
    _locked_for_scoring,
    _set_status,
)
from judgements.tallies import (
    tallies_answers_changed,
)


def answers_check(case: Case, items) -> None:
    """Refuse (ValidationError, by question code) answers the case may not give: a question
    not of its sample or kind, a value that is not Yes, No or Not applicable, a missing or
    bad evidence note. The one check for the first reading and the second."""
    errors = {}
    for item in items:
        code = item.question.code
        if refusal := question_refusal(item.question, case.sample_type, case.organisation.kind):
            errors[code] = refusal
        elif item.value not in AnswerValue.values:
            errors[code] = f"Select Yes, No or Not applicable for {code}"
        elif problem := note_problem(item.question, item.value, item.note):
            errors[code] = problem
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def answers_record(
    *,
    case: Case,
    answers: Iterable[AnswerInput],
    actor,
    own_versions: dict[int, int] | None = None,
    sources: dict[Question, str] | None = None,
) -> list[Answer]:
    """Record a set of answers for one case, all or none, each change in the audit trail.

    Refuses the whole set (StaleEdit) if any answer has changed since the copy the person
    was editing; refuses (ValidationError) a missing evidence note. ``own_versions`` (question
    id -> version) names the versions this person's own autosave produced in this browser since
    the page was opened: those are not someone else's change. ``sources``, if given, are then
    recorded as answer_sources_record records them, under the same lock and in the same
    transaction (the step page saves both). The number of queries does not depend on how
    many answers are saved.
    """
    items = list(answers)
    if sources is not None:
        _sources_check(sources)
    case = _locked_for_scoring(case, actor)
    answers_check(case, items)

    existing = {
        a.question_id: a
        for a in Answer.objects.select_related("answered_by").filter(
            case=case, question__in=[i.question for i in items]
        )
    }
    conflicts = []
    for item in items:
        current = existing.get(item.question.pk)
        current_version = current.version if current else 0
        unchanged = current is not None and (current.value, current.note) == (
            item.value,
            item.note.strip(),
        )
        # The person's own autosave, landed after the page was opened, is no conflict.
        own = (
            current is not None
            and current.answered_by_id == actor.pk
            and (own_versions or {}).get(item.question.pk) == current_version
        )
        if (
            item.seen_version is not None
            and item.seen_version != current_version
            and not unchanged
            and not own
        ):
            conflicts.append(
                Conflict(
                    question=item.question,
                    yours_value=_describe(item.value),
                    yours_note=item.note,
                    theirs_value=_describe(current.value) if current else "No answer",
                    theirs_note=current.note if current else "",
                    theirs_by=str(current.answered_by) if current else "",
                )
            )
    if conflicts:
        raise StaleEdit(conflicts)

    now = timezone.now()
    events: list[AuditEvent] = []
    created, changed, results = [], [], []
    previous = {a.pk: a.value for a in existing.values()}
    for item in items:
        note = item.note.strip()
        current = existing.get(item.question.pk)
        code = item.question.code
        if current is None:
            answer = Answer(
                case=case,
                question=item.question,
                value=item.value,
                note=note,
                answered_by=actor,
                updated_at=now,
            )
            created.append(answer)
            events.append(
                _audit(
                    inspection=case.inspection,
                    case=case,
                    actor=actor,
                    now=now,
                    action=Action.ANSWER_CREATED,
                    subject=code,
                    new=f"{_describe(item.value)}\n{note}".strip(),
                )
            )
            results.append(answer)
            continue
        if current.value == item.value and current.note == note:
            results.append(current)
            continue
        if current.value != item.value:
            events.append(
                _audit(
                    inspection=case.inspection,
                    case=case,
                    actor=actor,
                    now=now,
                    action=Action.ANSWER_CHANGED,
                    subject=code,
                    old=_describe(current.value),
                    new=_describe(item.value),
                )
            )
        if current.note != note:
            events.append(
                _audit(
                    inspection=case.inspection,
                    case=case,
                    actor=actor,
                    now=now,
                    action=Action.NOTE_CHANGED,
                    subject=code,
                    old=current.note,
                    new=note,
                )
            )
        current.value, current.note = item.value, note
        current.version += 1
        current.answered_by, current.updated_at = actor, now
        changed.append(current)
        results.append(current)
    Answer.objects.bulk_create(created)
    if changed:
        # One UPDATE whatever the number changed: each answer's new value and note from a
        # list of rows, its version raised by one. Only the value and the note differ from
        # row to row; the case's lock means that no version changed since the answers were
        # read above. Written as SQL: the ORM's UPDATE with a CASE per row and field took
        # more CPU than the rest of a step's save (bulk_update builds the same, per field).
        # VALUES names its columns column1, column2... (PostgreSQL and SQLite alike).
        table = connection.ops.quote_name(Answer._meta.db_table)
        rows = ", ".join(["(%s, %s, %s)"] * len(changed))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET value = v.column2, note = v.column3, "  # noqa: S608
                f"version = {table}.version + 1, answered_by_id = %s, updated_at = %s "
                f"FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1",
                [
                    actor.pk,
                    connection.ops.adapt_datetimefield_value(now),
                    *(field for a in changed for field in (a.pk, a.value, a.note)),
                ],
            )
    tallies_answers_changed(
        case=case,
        changes=[(a.question_id, None, a.value) for a in created]
        + [(a.question_id, previous[a.pk], a.value) for a in changed if previous[a.pk] != a.value],
    )
    if case.status == Status.NOT_STARTED and (created or changed):
        _set_status(case, Status.IN_PROGRESS, actor=actor, now=now, events=events)
        case.save(update_fields=["status", "updated_at"])
    if sources is not None:
        # The answers just read and written are those whose sources are saved, unless the
        # sources name a question outside the set (then they are read again).
        held = {a.question_id: a for a in [*existing.values(), *created]}
        complete = all(q.pk in held for q in sources) and all(a.pk for a in created)
        known = held if complete else None
        moved, source_events = _source_changes(case, sources, actor=actor, now=now, held=known)
        Answer.objects.bulk_update(moved, ["evidence_source"])
        events += source_events
    AuditEvent.objects.bulk_create(events)
    return results


def answer_record(
    *, case: Case, question: Question, value: str, note: str, actor, seen_version: int | None = None
) -> Answer:
    """Record one answer (the step page's save-as-you-go)."""
    return answers_record(
        case=case,
        answers=[AnswerInput(question=question, value=value, note=note, seen_version=seen_version)],
        actor=actor,
    )[0]


@transaction.atomic
def step_rest_not_applicable(
    *, case: Case, questions: Sequence[Question], note: str, actor
) -> list[Answer]:
    """Answer Not applicable to the questions of a step that have no answer yet.

    The inspector confirms that the rest of a step does not apply; answers already given are
    left as they are. ``note`` is the evidence note for each (key questions need one).
    """
    case = _locked_case(case)
    answered = set(
        Answer.objects.filter(case=case, question__in=list(questions)).values_list(
            "question_id", flat=True
        )
    )
    rest = [q for q in questions if q.pk not in answered]
    if not rest:
        return []
    return answers_record(
        case=case,
        answers=[
            AnswerInput(question=q, value=AnswerValue.NOT_APPLICABLE, note=note, seen_version=0)
            for q in rest
        ],
        actor=actor,
    )


@transaction.atomic
def case_submit(*, case: Case, actor) -> Case:
    """Submit a scored case: every applicable question answered with its notes.

    A case selected for quality assurance goes to the moderator; a returned case goes back.
    """
    case = _locked_for_scoring(case, actor)
    questions = applicable_questions(case)
    answers = {a.question_id: a for a in Answer.objects.filter(case=case)}
    missing = missing_answers(questions, answers)
    if missing:
        raise IncompleteCase(missing)
    now = timezone.now()
    events: list[AuditEvent] = []
    was_returned = case.status == Status.RETURNED
    target = Status.IN_QA if case.selected_for_qa or was_returned else Status.SUBMITTED
    _set_status(
        case,
        target,
        actor=actor,
        now=now,
        events=events,
        why="Resubmitted after return" if was_returned else "Submitted",
    )
    case.submitted_at = now
    case.save(update_fields=["status", "submitted_at", "updated_at"])
    if was_returned:
        ReturnedQuestion.objects.filter(decision__case=case, resolved=False).update(resolved=True)
    AuditEvent.objects.bulk_create(events)
    return case


@transaction.atomic
def answer_sources_record(*, case: Case, sources: dict[Question, str], actor) -> int:
    """Record where the evidence of each answered question came from (EvidenceSource), each
    change in the audit trail. Questions not yet answered are left out. Returns how many
    changed. The answer's version is left as it is: the source goes with the note saved in
    the same request, and a later save from that page must not be refused as stale."""
    _sources_check(sources)
    case = _locked_for_scoring(case, actor)
    changed, events = _source_changes(case, sources, actor=actor, now=timezone.now())
    Answer.objects.bulk_update(changed, ["evidence_source"])
    AuditEvent.objects.bulk_create(events)
    return len(changed)


def _sources_check(sources: dict[Question, str]) -> None:
    allowed = set(EvidenceSource.values) | {""}
    bad = [q.code for q, source in sources.items() if source not in allowed]
    if bad:
        raise ValidationError(
            {code: f"Select where the evidence for {code} came from" for code in bad}
        )


def _source_changes(
    case: Case, sources: dict[Question, str], *, actor, now, held: dict | None = None
) -> tuple[list[Answer], list[AuditEvent]]:
    """The answers (of the locked case) whose source changes, set to the new source, and the
    audit rows that say so; the caller writes both. ``held``: the case's answers to the
    questions of ``sources`` by question id, when the caller has just read them."""
    answers = (
        held
        if held is not None
        else {
            a.question_id: a for a in Answer.objects.filter(case=case, question__in=list(sources))
        }
    )
    events, changed = [], []
    for question, source in sources.items():
        answer = answers.get(question.pk)
        if answer is None or answer.evidence_source == source:
            continue
        events.append(
            _audit(
                inspection=case.inspection,
                case=case,
                actor=actor,
                now=now,
                action=Action.SOURCE_CHANGED,
                subject=question.code,
                old=EvidenceSource(answer.evidence_source).label if answer.evidence_source else "",
                new=EvidenceSource(source).label if source else "",
            )
        )
        answer.evidence_source = source
        changed.append(answer)
    return changed, events
