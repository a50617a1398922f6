"""The stages of an inspection's life, and the moves between them.

    Set-up -> Fieldwork -> Quality assurance -> Report drafting -> Approval -> Published

The lead moves an inspection on, and back a stage with a reason. In the approval stage an
approver who is not the lead approves the report (approved_by, approved_at), or returns it
for changes with a reason; once approved, the lead publishes it (published_at). Approval and
publication are refused, with the reasons, while `inspection.readiness.missing` lists
anything. Every move is written to the inspection's history (InspectionChange) in the same
transaction. What each stage allows is `inspection.permissions.stage_allows`.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from . import permissions, readiness
from .access import role_on
from .models import Inspection, InspectionChange

Stage = Inspection.Status

LEAD = "lead"
APPROVER = "approver"
LEAD_OR_APPROVER = "lead or approver"


@dataclass(frozen=True)
class Move:
    """One move an inspection can make: its name in addresses, where from and to, and words."""

    name: str
    source: str
    target: str
    label: str  # the button
    who: str  # LEAD, APPROVER or LEAD_OR_APPROVER
    means: str  # what the move means, on its confirmation page
    stops: str  # what it will stop
    needs_reason: bool = False
    needs_ready: bool = False  # refused while readiness.missing() lists anything
    approves: bool = False  # records approved_by and approved_at (status unchanged)
    needs_approval: bool = False  # only once approved

    @property
    def is_back(self) -> bool:
        return ORDER.index(self.target) < ORDER.index(self.source)


ORDER = [Stage.PLANNING, Stage.FIELDWORK, Stage.MODERATION, Stage.REPORTING, Stage.APPROVAL,
         Stage.PUBLISHED]  # fmt: skip

MOVES = [
    Move(
        name="start-fieldwork",
        source=Stage.PLANNING,
        target=Stage.FIELDWORK,
        label="Start fieldwork",
        who=LEAD,
        means="Inspectors read and score their cases; the team keeps case files up to date.",
        stops="The set-up (title, reference, kind, organisations, framework, dates and partner "
        "inspectorates) can no longer be changed.",
    ),
    Move(
        name="start-quality-assurance",
        source=Stage.FIELDWORK,
        target=Stage.MODERATION,
        label="Start quality assurance",
        who=LEAD,
        means="Quality assurance re-reads the cases selected for it and agrees or returns them.",
        stops="Nothing is stopped: inspectors can still score returned and unfinished cases.",
    ),
    Move(
        name="return-to-fieldwork",
        source=Stage.MODERATION,
        target=Stage.FIELDWORK,
        label="Return to fieldwork",
        who=LEAD,
        means="The inspection goes back to fieldwork.",
        stops="Nothing is stopped.",
        needs_reason=True,
    ),
    Move(
        name="start-report-drafting",
        source=Stage.MODERATION,
        target=Stage.REPORTING,
        label="Start report drafting",
        who=LEAD,
        means="The lead writes the report: foreword, findings, narratives and recommendations.",
        stops="Nothing is stopped: cases can still be scored and quality-assured.",
    ),
    Move(
        name="return-to-quality-assurance",
        source=Stage.REPORTING,
        target=Stage.MODERATION,
        label="Return to quality assurance",
        who=LEAD,
        means="The inspection goes back to quality assurance.",
        stops="Nothing is stopped.",
        needs_reason=True,
    ),
    Move(
        name="send-for-approval",
        source=Stage.REPORTING,
        target=Stage.APPROVAL,
        label="Send for approval",
        who=LEAD,
        means="An approver (not the lead) reads the report and approves it or returns it.",
        stops="Scoring, quality assurance, changes to case files, the sample and assignments, "
        "organisation ratings and the report's text all stop until the report is returned "
        "for changes.",
    ),
    Move(
        name="return-for-changes",
        source=Stage.APPROVAL,
        target=Stage.REPORTING,
        label="Return for changes",
        who=LEAD_OR_APPROVER,
        means="The report goes back to report drafting; any approval given is withdrawn.",
        stops="The approval, if given, is withdrawn: the report must be approved again.",
        needs_reason=True,
    ),
    Move(
        name="approve",
        source=Stage.APPROVAL,
        target=Stage.APPROVAL,
        label="Approve the report",
        who=APPROVER,
        means="You approve the report for publication. Your name and the time are recorded.",
        stops="The report stops being a draft; the lead can then publish it.",
        needs_ready=True,
        approves=True,
    ),
    Move(
        name="publish",
        source=Stage.APPROVAL,
        target=Stage.PUBLISHED,
        label="Publish",
        who=LEAD,
        means="The report is published; the date of publication is recorded.",
        stops="Nothing about the cases, the team, the ratings or the report can change after "
        "this. The case data may then be deleted.",
        needs_ready=True,
        needs_approval=True,
    ),
]
MOVES_BY_NAME = {move.name: move for move in MOVES}
REASON_MAX = 2000


class MoveRefused(Exception):
    """A move that cannot be made now, with every reason in words."""

    def __init__(self, reasons: list[str], missing: list[readiness.Missing] | None = None):
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.missing = missing or []


def may_make(move: Move, user, role: str | None) -> bool:
    """Whether this person may make this kind of move (their role alone, not the stage)."""
    lead = permissions.is_lead(role)
    approver = permissions.may_approve_reports(user, role)
    if move.who == LEAD:
        return lead
    if move.who == APPROVER:
        return approver
    return lead or approver


def available(inspection: Inspection, user, role: str | None) -> list[Move]:
    """The moves this person may make from the inspection's stage now (for its buttons)."""
    return [
        move
        for move in MOVES
        if move.source == inspection.status
        and may_make(move, user, role)
        and not (move.approves and inspection.is_approved)
        and not (move.needs_approval and not inspection.is_approved)
    ]


def refusals(move: Move, inspection: Inspection) -> tuple[list[str], list[readiness.Missing]]:
    """Why the move cannot be made now (apart from who asks), and what is missing."""
    reasons: list[str] = []
    if inspection.status != move.source:
        reasons.append(
            f"The inspection is at the {Stage(inspection.status).label.lower()} stage, so it "
            f"cannot be moved this way (it has changed since the page was opened)."
        )
        return reasons, []
    if move.approves and inspection.is_approved:
        reasons.append("The report has already been approved.")
    if move.needs_approval and not inspection.is_approved:
        reasons.append("The report has not been approved yet.")
    missing = readiness.missing(inspection) if move.needs_ready else []
    if missing:
        things = "thing" if len(missing) == 1 else "things"
        reasons.append(f"{len(missing)} {things} must be done first:")
    return reasons, missing


@transaction.atomic
def move(*, inspection: Inspection, name: str, actor, reason: str = "") -> Inspection:
    """Make a move, audited in the same transaction; refused (MoveRefused) with the reasons.

    The inspection is locked and read afresh, so two people moving it at once do one move
    each in turn, and the second finds it already moved.
    """
    step = MOVES_BY_NAME.get(name)
    if step is None:
        raise MoveRefused([f"There is no move called {name!r}."])
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not may_make(step, actor, role_on(actor, inspection)):
        raise PermissionDenied(_who_words(step))
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise MoveRefused(["Enter the reason"])
    if len(reason) > REASON_MAX:
        raise MoveRefused([f"Reason must be {REASON_MAX} characters or fewer"])
    reasons, missing = refusals(step, inspection)
    if reasons:
        raise MoveRefused(reasons, missing)
    now = timezone.now()
    changes = []
    if step.approves:
        inspection.approved_by = actor
        inspection.approved_at = now
        changes.append(
            _change(
                inspection,
                actor,
                now,
                InspectionChange.Action.APPROVED,
                "Approval",
                "Not approved",
                f"Approved by {actor}",
            )  # fmt: skip
        )
    if step.target != step.source:
        changes.append(
            _change(
                inspection,
                actor,
                now,
                InspectionChange.Action.STAGE_MOVED,
                "Stage",
                Stage(step.source).label,
                Stage(step.target).label,
                reason,
            )  # fmt: skip
        )
        if step.target == Stage.PUBLISHED:
            inspection.published_at = now
            changes.append(
                _change(
                    inspection,
                    actor,
                    now,
                    InspectionChange.Action.PUBLISHED,
                    "Published",
                    "",
                    f"{now:%d %B %Y}",
                )  # fmt: skip
            )
        if step.is_back and inspection.is_approved:
            changes.append(
                _change(
                    inspection,
                    actor,
                    now,
                    InspectionChange.Action.CHANGED,
                    "Approval",
                    f"Approved by {inspection.approved_by}",
                    "Withdrawn",
                    reason,
                )  # fmt: skip
            )
            inspection.approved_by = None
            inspection.approved_at = None
        inspection.status = step.target
    inspection.save(update_fields=["status", "approved_by", "approved_at", "published_at"])
    InspectionChange.objects.bulk_create(changes)
    return inspection


def _who_words(step: Move) -> str:
    if step.who == LEAD:
        return f"Only the lead inspector can {step.label.lower()}."
    if step.who == APPROVER:
        return "Only an approver who is not the lead inspector can approve the report."
    return f"Only the lead inspector or an approver can {step.label.lower()}."


def _change(inspection, actor, now, action, subject, old, new, reason="") -> InspectionChange:
    return InspectionChange(
        inspection=inspection,
        actor=actor,
        at=now,
        action=action,
        subject=subject,
        old_value=old,
        new_value=new,
        reason=reason,
    )
