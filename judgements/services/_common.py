"""Shared by the services: the audit row, the case lock, status moves, and the checks every write
makes.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from casefiles.models import Case
from inspection import permissions
from inspection.access import role_on
from inspection.models import Inspection, Question
from judgements.models import (
    AnswerValue,
    AuditEvent,
)
from judgements.rules import (
    open_for_scoring,
)
from judgements.tallies import tallies_case_agreed, tallies_case_counted

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


def _locked_for_scoring(case: Case, actor) -> Case:
    """The case re-read under its row lock (_locked_case); refused unless the actor may change
    its answers now (their role on the team read again, under the lock)."""
    locked = _locked_case(case)
    _check_can_score(locked, actor)
    return locked


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
    # Its answers join or leave the tallies in the same transaction (the case is locked), and
    # its judgements the agreed count when it is agreed, or no longer, while it counts.
    was_counted, counted = case.counts_with(case.status), case.counts_with(status)
    was_agreed = was_counted and case.status == Case.Status.AGREED
    agreed = counted and status == Case.Status.AGREED
    if was_counted != counted:
        tallies_case_counted(case=case, counted=counted, agreed=agreed or was_agreed)
    elif was_agreed != agreed:
        tallies_case_agreed(case=case, agreed=agreed)
    case.status = status


def _require_stage(inspection: Inspection, action: str) -> None:
    """Refuse what the inspection's stage does not allow (inspection.permissions.stage_allows)."""
    refusal = permissions.stage_refusal(inspection.status, action)
    if refusal:
        raise PermissionDenied(refusal)


def _require(allowed, inspection: Inspection, actor, what: str) -> None:
    """Refuse unless the actor's role allows it (`allowed`: a role question of permissions)."""
    if not allowed(role_on(actor, inspection)):
        raise PermissionDenied(f"Only the lead inspector {what}.")


def _check_can_score(case: Case, actor) -> None:
    _require_stage(case.inspection, "score")
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
