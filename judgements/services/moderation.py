"""Quality assurance: agreeing a case (which locks it), returning questions with reasons, and the
lead reopening an agreed case.
"""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from casefiles.models import Case
from inspection import permissions
from inspection.access import role_on
from inspection.models import Question
from judgements.models import (
    AuditEvent,
    ModerationDecision,
    ReturnedQuestion,
)
from judgements.rules import (
    moderation_refusal,
)
from judgements.services._common import (
    Action,
    Status,
    _audit,
    _locked_case,
    _require_stage,
    _set_status,
)


def _check_moderator(case: Case, moderator) -> None:
    _require_stage(case.inspection, "moderate")
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
    _require_stage(case.inspection, "moderate")
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
