"""Every write to a judgement goes through here, with its audit row in the same transaction.

A judgement is an answer and its evidence note, a case's status in the walk-through and
quality assurance, a moderation decision, or an organisation-level rating. Nothing else in
the code base writes these tables (tests/test_audit_paths.py checks that).
"""

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import F, Value, When
from django.utils import timezone

from casefiles.models import Case
from inspection import permissions
from inspection.access import role_on
from inspection.models import Inspection, Organisation, Question, Standard

from .models import (
    Answer,
    AnswerValue,
    AuditEvent,
    EvidenceSource,
    ModerationDecision,
    OrganisationRating,
    ReadRecord,
    ReturnedQuestion,
)
from .rules import (
    applicable_questions,
    missing_answers,
    moderation_refusal,
    note_problem,
    open_for_scoring,
)
from .tallies import tallies_answers_changed, tallies_case_counted, tallies_generation_bump

Action = AuditEvent.Action
Status = Case.Status


@dataclass(frozen=True)
class AnswerInput:
    """One answer as the inspector sent it, with the version of the answer they last saw."""

    question: Question
    value: str
    note: str
    seen_version: int | None = None  # None: the caller does not check for a stale copy


@dataclass(frozen=True)
class Conflict:
    question: Question
    yours_value: str
    yours_note: str
    theirs_value: str
    theirs_note: str
    theirs_by: str


class StaleEdit(Exception):
    """Someone else saved these answers after the copy being saved was opened."""

    def __init__(self, conflicts: Sequence[Conflict]):
        self.conflicts = list(conflicts)
        codes = ", ".join(c.question.code for c in conflicts)
        super().__init__(f"Changed by someone else since you opened the page: {codes}")


class IncompleteCase(Exception):
    def __init__(self, missing):
        self.missing = missing
        super().__init__(f"{len(missing)} question(s) still need an answer or a note")


def _audit(*, inspection, case, actor, now, action, subject, old="", new="") -> AuditEvent:
    return AuditEvent(
        inspection=inspection,
        case=case,
        actor=actor,
        at=now,
        action=action,
        subject=subject,
        old_value=old,
        new_value=new,
    )


def _describe(value: str) -> str:
    return AnswerValue(value).label if value else ""


def _locked_case(case: Case) -> Case:
    """Re-read the case under a row lock so that writes to one case happen one at a time."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("inspection", "organisation")
        .get(pk=case.pk)
    )


def _set_status(case: Case, status: str, *, actor, now, events: list, why: str = "") -> None:
    if case.status == status:
        return
    events.append(
        _audit(
            inspection=case.inspection,
            case=case,
            actor=actor,
            now=now,
            action=Action.STATUS_CHANGED,
            subject=why or "Case status",
            old=Case.Status(case.status).label,
            new=Case.Status(status).label,
        )
    )
    if (case.status in Case.COUNTED_STATUSES) != (status in Case.COUNTED_STATUSES):
        # Its answers join or leave the tallies in the same transaction (the case is locked).
        tallies_case_counted(case=case, counted=status in Case.COUNTED_STATUSES)
    case.status = status


def _require(allowed, inspection: Inspection, actor, what: str) -> None:
    """Refuse unless the actor's role allows it (`allowed`: a role question of permissions)."""
    if not allowed(role_on(actor, inspection)):
        raise PermissionDenied(f"Only the lead inspector {what}.")


def _check_can_score(case: Case, actor) -> None:
    if not open_for_scoring(case):
        raise PermissionDenied(
            f"Case {case.reference} is {Case.Status(case.status).label.lower()}: "
            "its answers cannot be changed now."
        )
    role = role_on(actor, case.inspection)
    if not permissions.may_score(
        role, user_id=actor.pk, inspector_id=case.inspector_id, case_open=True
    ):
        raise PermissionDenied("Only the inspector assigned to this case can score it.")


@transaction.atomic
def answers_record(
    *,
    case: Case,
    answers: Iterable[AnswerInput],
    actor,
    own_versions: dict[int, int] | None = None,
) -> list[Answer]:
    """Record a set of answers for one case, all or none, each change in the audit trail.

    Refuses the whole set (StaleEdit) if any answer has changed since the copy the person
    was editing; refuses (ValidationError) a missing evidence note. ``own_versions`` (question
    id -> version) names the versions this person's own autosave produced in this browser since
    the page was opened: those are not someone else's change. The number of queries
    does not depend on how many answers are saved.
    """
    items = list(answers)
    case = _locked_case(case)
    _check_can_score(case, actor)
    errors = {}
    for item in items:
        if not _asked(case, item.question):
            errors[item.question.code] = (
                f"{item.question.code} is not asked on cases of "
                f"{case.organisation.get_kind_display()}s: it cannot be answered"
            )
            continue
        if item.value not in AnswerValue.values:
            errors[item.question.code] = (
                f"Select Yes, No or Not applicable for {item.question.code}"
            )
            continue
        problem = note_problem(item.question, item.value, item.note)
        if problem:
            errors[item.question.code] = problem
    if errors:
        raise ValidationError(errors)

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
        # One UPDATE whatever the number changed. Only the value and the note differ from
        # row to row (bulk_update would build a CASE for every field, at a cost in CPU); the
        # case's lock means that no version changed since the answers were read above.
        Answer.objects.filter(pk__in=[a.pk for a in changed]).update(
            value=DbCase(*[When(pk=a.pk, then=Value(a.value)) for a in changed]),
            note=DbCase(*[When(pk=a.pk, then=Value(a.note)) for a in changed]),
            version=F("version") + 1,
            answered_by=actor,
            updated_at=now,
        )
    tallies_answers_changed(
        case=case,
        changes=[(a.question_id, None, a.value) for a in created]
        + [(a.question_id, previous[a.pk], a.value) for a in changed if previous[a.pk] != a.value],
    )
    if case.status == Status.NOT_STARTED and (created or changed):
        _set_status(case, Status.IN_PROGRESS, actor=actor, now=now, events=events)
        case.save(update_fields=["status", "updated_at"])
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


def _asked(case: Case, question: Question) -> bool:
    """Whether the question is asked of this case's kind of organisation.

    (An answer outside the case's sample is kept as before: a case's sample type can be
    corrected after it was scored, and the exports keep such answers.)
    """
    return question.applies_to_kind(case.organisation.kind)


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
    case = _locked_case(case)
    _check_can_score(case, actor)
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
def case_assign(*, case: Case, inspector, actor) -> Case:
    """The lead gives a case to someone on the team who scores cases (or to nobody)."""
    case = _locked_case(case)
    _require(permissions.may_assign_cases, case.inspection, actor, "assigns cases")
    if case.inspector_id == (inspector.pk if inspector else None):
        return case
    if inspector is not None and not permissions.may_be_assigned_cases(
        role_on(inspector, case.inspection)
    ):
        raise ValidationError(
            {"inspector": f"{inspector} is not an inspector on this inspection's team"}
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


def _check_moderator(case: Case, moderator) -> None:
    refusal = moderation_refusal(case, role_on(moderator, case.inspection), moderator)
    if refusal == "role":
        raise PermissionDenied("Only quality assurance or the lead inspector moderates cases.")
    if refusal == "scored":
        raise PermissionDenied("A case cannot be quality-assured by anyone who scored it.")
    if refusal == "status":
        raise PermissionDenied(
            f"Case {case.reference} is {Case.Status(case.status).label.lower()}: "
            "only a submitted case can be quality-assured."
        )


@transaction.atomic
def case_agree(*, case: Case, moderator, feedback: str = "") -> Case:
    """The moderator agrees every judgement: the case is locked. Any overall feedback to the
    inspector is kept with the decision."""
    case = _locked_case(case)
    _check_moderator(case, moderator)
    now = timezone.now()
    feedback = feedback.strip()
    ModerationDecision.objects.create(
        case=case,
        decision=ModerationDecision.Decision.AGREED,
        moderator=moderator,
        at=now,
        reason=feedback,
    )
    events = [
        _audit(
            inspection=case.inspection,
            case=case,
            actor=moderator,
            now=now,
            action=Action.MODERATED,
            subject="Quality assurance",
            new=f"Agreed\n{feedback}".strip(),
        )
    ]
    _set_status(case, Status.AGREED, actor=moderator, now=now, events=events)
    case.save(update_fields=["status", "updated_at"])
    AuditEvent.objects.bulk_create(events)
    return case


@transaction.atomic
def case_return(
    *, case: Case, moderator, reasons: dict[Question, str], feedback: str = ""
) -> ModerationDecision:
    """The moderator returns the case with a reason for each question sent back, and any
    overall feedback to the inspector."""
    if not reasons:
        raise ValidationError({"returns": "Select at least one question to return, with a reason"})
    blank = [q.code for q, reason in reasons.items() if not reason.strip()]
    if blank:
        raise ValidationError({code: f"Enter a reason for returning {code}" for code in blank})
    case = _locked_case(case)
    _check_moderator(case, moderator)
    now = timezone.now()
    decision = ModerationDecision.objects.create(
        case=case,
        decision=ModerationDecision.Decision.RETURNED,
        moderator=moderator,
        at=now,
        reason=feedback.strip() or f"{len(reasons)} question(s) returned",
    )
    ReturnedQuestion.objects.bulk_create(
        ReturnedQuestion(decision=decision, question=q, reason=r.strip())
        for q, r in reasons.items()
    )
    events = [
        _audit(
            inspection=case.inspection,
            case=case,
            actor=moderator,
            now=now,
            action=Action.MODERATED,
            subject=f"Returned {q.code}",
            new=r.strip(),
        )
        for q, r in reasons.items()
    ]
    if feedback.strip():
        events.append(
            _audit(
                inspection=case.inspection,
                case=case,
                actor=moderator,
                now=now,
                action=Action.MODERATED,
                subject="Overall feedback",
                new=feedback.strip(),
            )
        )
    _set_status(case, Status.RETURNED, actor=moderator, now=now, events=events)
    case.save(update_fields=["status", "updated_at"])
    AuditEvent.objects.bulk_create(events)
    return decision


@transaction.atomic
def case_reopen(*, case: Case, lead, reason: str) -> Case:
    """Only the lead reopens an agreed case, and must say why."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for reopening the case"})
    case = _locked_case(case)
    role = role_on(lead, case.inspection)
    if not permissions.is_lead(role):
        raise PermissionDenied("Only the lead inspector reopens an agreed case.")
    if not permissions.may_reopen(role, agreed=case.status == Status.AGREED):
        raise PermissionDenied("Only an agreed case can be reopened.")
    now = timezone.now()
    ModerationDecision.objects.create(
        case=case,
        decision=ModerationDecision.Decision.REOPENED,
        moderator=lead,
        at=now,
        reason=reason.strip(),
    )
    events = [
        _audit(
            inspection=case.inspection,
            case=case,
            actor=lead,
            now=now,
            action=Action.MODERATED,
            subject="Reopened",
            new=reason.strip(),
        )
    ]
    _set_status(case, Status.IN_PROGRESS, actor=lead, now=now, events=events)
    case.save(update_fields=["status", "updated_at"])
    AuditEvent.objects.bulk_create(events)
    return case


@transaction.atomic
def organisation_rating_record(
    *,
    inspection: Inspection,
    organisation: Organisation,
    standard: Standard,
    rating: str,
    narrative: str,
    evidence: str,
    actor,
    seen_version: int | None = None,
) -> OrganisationRating:
    """The lead rates a standard judged from interviews and documents, with the narrative."""
    _require(
        permissions.may_rate_organisations,
        inspection,
        actor,
        "rates standards at organisation level",
    )
    if not inspection.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": "This organisation is not part of the inspection"})
    if standard.is_case_judged or standard.framework_id != inspection.framework_id:
        raise ValidationError({"standard": "This standard is not rated at organisation level"})
    if rating not in OrganisationRating.Rating.values:
        raise ValidationError({"rating": "Select a rating"})
    if not narrative.strip():
        raise ValidationError({"narrative": "Enter the narrative that explains the rating"})
    Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
    current = OrganisationRating.objects.filter(
        inspection=inspection, organisation=organisation, standard=standard
    ).first()
    if seen_version is not None and seen_version != (current.version if current else 0):
        raise StaleEdit([])
    now = timezone.now()
    fields = {"rating": rating, "narrative": narrative.strip(), "evidence": evidence.strip()}
    events = []
    subject = f"{standard.code} {standard.title} ({organisation.name})"
    for name, new in fields.items():
        old = getattr(current, name) if current else ""
        if old != new:
            events.append(
                _audit(
                    inspection=inspection,
                    case=None,
                    actor=actor,
                    now=now,
                    action=Action.ORG_RATING_CHANGED,
                    subject=f"{subject}: {name}",
                    old=old,
                    new=new,
                )
            )
    if not events:
        return current
    if current is None:
        current = OrganisationRating(
            inspection=inspection, organisation=organisation, standard=standard, version=0
        )
    for name, new in fields.items():
        setattr(current, name, new)
    current.version += 1
    current.rated_by, current.updated_at = actor, now
    current.save()
    AuditEvent.objects.bulk_create(events)
    tallies_generation_bump()  # the dashboards show this rating
    return current


@transaction.atomic
def answer_sources_record(*, case: Case, sources: dict[Question, str], actor) -> int:
    """Record where the evidence of each answered question came from (EvidenceSource), each
    change in the audit trail. Questions not yet answered are left out. Returns how many
    changed. The answer's version is left as it is: the source goes with the note saved in
    the same request, and a later save from that page must not be refused as stale."""
    allowed = set(EvidenceSource.values) | {""}
    bad = [q.code for q, source in sources.items() if source not in allowed]
    if bad:
        raise ValidationError(
            {code: f"Select where the evidence for {code} came from" for code in bad}
        )
    case = _locked_case(case)
    _check_can_score(case, actor)
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(case=case, question__in=list(sources))
    }
    now = timezone.now()
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
    Answer.objects.bulk_update(changed, ["evidence_source"])
    AuditEvent.objects.bulk_create(events)
    return len(changed)


# Opening the same page of the same case again within this time adds no record: the record of
# the first opening stands for the others (docs/access.md), and an inspector going back and
# forth between a case's steps does not write a row on every page.
READ_RECORD_WINDOW = timedelta(minutes=5)


def case_read_record(*, case: Case, reader, page: str) -> ReadRecord | None:
    """Note that someone opened a page showing this case's file or judgements.

    Returns the new record, or None when the same reader's record of the same page of the
    same case is less than READ_RECORD_WINDOW old (one read of the index on case and time).
    Two requests at the same moment may both add one: a read is never left unrecorded.
    """
    now = timezone.now()
    recent = ReadRecord.objects.filter(
        case=case, reader=reader, page=page, at__gt=now - READ_RECORD_WINDOW
    )
    if recent.exists():
        return None
    return ReadRecord.objects.create(case=case, reader=reader, at=now, page=page)
