"""Who may do what: every "may this user do this here?" question, answered in one place.

Views, services, templates (through `Access` and the `navigation` context processor) and
management commands all ask these functions; none keeps a role list of its own.

The functions take plain facts, not objects of the apps above this one: the user's role on the
inspection's team (a `Membership.Role` value, or None for someone not on the team, such as a
manager or an administrator), the user, and attributes of a case such as who it is assigned to
and whether its status still allows the change. Which case statuses those are is the business
of the app that owns the walk-through (`judgements.rules`), so this module imports nothing from
`casefiles`, `judgements` or `reports` (tests/test_layering.py checks that).

Reading is decided by `sees_every_inspection` here and by `Inspection.objects.visible_to`:
managers and administrators read every inspection, anyone else only their team's.
"""

from collections.abc import Callable

from .models import Inspection, Membership

Role = Membership.Role
Stage = Inspection.Status

# Who changes case files, and who answers questions: everyone on the team but quality assurance.
CASE_FILE_ROLES = frozenset({Role.LEAD, Role.INSPECTOR, Role.PARTNER})
SCORING_ROLES = frozenset({Role.LEAD, Role.INSPECTOR, Role.PARTNER})
# Who quality-assures (moderates) cases.
MODERATING_ROLES = frozenset({Role.LEAD, Role.QUALITY_ASSURANCE})


# --------------------------------------------------------------------------- by stage

# What each stage of an inspection allows. Until approval everything may still change; an
# inspection sent for approval is frozen (the approver approves what they read; to change
# anything they return it for changes); once published nothing about its cases changes, and
# only then may its case data be deleted.
_UNTIL_APPROVAL = frozenset({Stage.PLANNING, Stage.FIELDWORK, Stage.MODERATION, Stage.REPORTING})
STAGE_ALLOWS: dict[str, frozenset] = {
    "set_up": frozenset({Stage.PLANNING}),  # title, dates, organisations, framework
    "team": _UNTIL_APPROVAL | {Stage.APPROVAL},  # the team changes until publication
    "score": _UNTIL_APPROVAL,
    "case_file": _UNTIL_APPROVAL,
    "moderate": _UNTIL_APPROVAL,
    "sample": _UNTIL_APPROVAL,
    "allocate": _UNTIL_APPROVAL,
    "rate_organisations": _UNTIL_APPROVAL,
    "write_report": _UNTIL_APPROVAL,
    "purge": frozenset({Stage.PUBLISHED}),
}
# What each action is called in a refusal: "Scoring is not allowed ...".
ACTION_WORDS = {
    "set_up": "Changing the set-up",
    "team": "Changing the team",
    "score": "Scoring",
    "case_file": "Changing case files",
    "moderate": "Quality assurance",
    "sample": "Changing the sample",
    "allocate": "Assigning cases",
    "rate_organisations": "Rating standards",
    "write_report": "Writing the report",
    "purge": "Deleting case data",
}


def stage_allows(status: str, action: str) -> bool:
    """Whether an inspection at this stage (Inspection.Status) allows this action at all.

    Asked by the services that write (judgements, casefiles, sampling), and by views to hide
    the buttons; who may act is a separate question (the may_* functions).
    """
    return status in STAGE_ALLOWS[action]


def stage_refusal(status: str, action: str) -> str | None:
    """Why the stage refuses the action, in words for the person, or None."""
    if stage_allows(status, action):
        return None
    return (
        f"{ACTION_WORDS[action]} is not allowed: the inspection is at the "
        f"{Stage(status).label.lower()} stage."
    )


# --------------------------------------------------------------------------- across inspections


def sees_every_inspection(user) -> bool:
    """Managers and administrators read every inspection; anyone else only their team's."""
    return bool(user.is_authenticated and (user.is_superuser or user.is_manager))


def reads_inspection(user, *, on_team: bool, status: str) -> bool:
    """Whether the user reads an inspection: its team, managers and administrators, and
    approvers while it waits for approval. Inspection.objects.visible_to says the same in SQL."""
    if not user.is_authenticated:
        return False
    return (
        on_team
        or sees_every_inspection(user)
        or (reads_for_approval(user) and status == Inspection.Status.APPROVAL)
    )


def may_see_dashboards(user) -> bool:
    """The national and area dashboards across inspections: managers and administrators."""
    return sees_every_inspection(user)


def may_set_up_inspections(user) -> bool:
    """Inspection managers (and administrators) create inspections and name their lead."""
    return bool(user.is_authenticated and (user.is_superuser or user.sets_up_inspections))


def may_approve_reports(user, role: str | None) -> bool:
    """Approvers approve a report for publication, but never one they lead."""
    return bool(user.is_authenticated and user.approves_reports and role != Role.LEAD)


def reads_for_approval(user) -> bool:
    """Approvers read, besides their own team's, every inspection waiting for approval."""
    return bool(user.is_authenticated and user.approves_reports)


def may_set_up_inspection(user, role: str | None) -> bool:
    """Change an inspection's set-up (until fieldwork starts): inspection managers,
    administrators and its lead."""
    return may_set_up_inspections(user) or is_lead(role)


def may_manage_team(role: str | None) -> bool:
    """Add members to the team and remove them: the lead."""
    return is_lead(role)


def may_edit_frameworks(user) -> bool:
    """Framework editors (and administrators) build and publish framework versions."""
    return bool(user.is_authenticated and (user.is_superuser or user.edits_frameworks))


def may_use_admin(user) -> bool:
    """The Django admin is for staff."""
    return bool(user.is_authenticated and user.is_staff)


# --------------------------------------------------------------------------- on one inspection


def is_lead(role: str | None) -> bool:
    return role == Role.LEAD


def is_moderator(role: str | None) -> bool:
    """Quality assurance and the lead moderate cases (not ones they scored: see may_moderate)."""
    return role in MODERATING_ROLES


def may_edit_case_file(role: str | None, *, locked: bool = False, submitted: bool = False) -> bool:
    """The lead, inspectors and partner inspectors change case files, until a case is locked.

    Quality assurance, managers and administrators only read them. An agreed case is locked.
    Once a case is submitted (or in quality assurance), only the lead changes its file, and
    gives a reason (casefiles.services asks for it).
    """
    return role in CASE_FILE_ROLES and not locked and (not submitted or role == Role.LEAD)


def may_add_case(role: str | None) -> bool:
    """Only the lead adds a case by hand, outside the sample draw, giving the reason."""
    return is_lead(role)


def may_be_assigned_cases(role: str | None) -> bool:
    """Who the lead can give cases to score: everyone who scores."""
    return role in SCORING_ROLES


def may_score(role: str | None, *, user_id, inspector_id, case_open: bool) -> bool:
    """Answer a case's questions: the inspector it is assigned to, or the lead, while it is open.

    `case_open`: the case's status still allows its answers to change
    (`judgements.rules.open_for_scoring`).
    """
    return case_open and role in SCORING_ROLES and (inspector_id == user_id or role == Role.LEAD)


def moderation_refusal(
    role: str | None,
    *,
    user_id,
    inspector_id,
    awaiting_qa: bool,
    has_scored: Callable[[], bool],
) -> str | None:
    """Why this user may not moderate this case ("role", "scored" or "status"), or None.

    Nobody moderates a case they scored: neither the inspector it is assigned to nor anyone
    who answered one of its questions. `awaiting_qa`: the case is submitted or in quality
    assurance (`judgements.rules.awaiting_qa`). `has_scored` reads the answers, so it is asked
    last, only when everything else allows.
    """
    if not is_moderator(role):
        return "role"
    if inspector_id == user_id:
        return "scored"
    if not awaiting_qa:
        return "status"
    if has_scored():
        return "scored"
    return None


def may_moderate(
    role: str | None,
    *,
    user_id,
    inspector_id,
    awaiting_qa: bool,
    has_scored: Callable[[], bool],
) -> bool:
    return (
        moderation_refusal(
            role,
            user_id=user_id,
            inspector_id=inspector_id,
            awaiting_qa=awaiting_qa,
            has_scored=has_scored,
        )
        is None
    )


def may_reopen(role: str | None, *, agreed: bool) -> bool:
    """Only the lead reopens a case, and only an agreed one."""
    return is_lead(role) and agreed


def may_set_up_sample(role: str | None) -> bool:
    """Upload the eligible population, set sample sizes, draw the sample, replace drawn cases."""
    return is_lead(role)


def may_assign_cases(role: str | None) -> bool:
    """Give cases to inspectors and select cases for quality assurance."""
    return is_lead(role)


def may_rate_organisations(role: str | None) -> bool:
    """Rate the standards judged at organisation level, from interviews and documents."""
    return is_lead(role)


def may_write_report(role: str | None) -> bool:
    return is_lead(role)


def may_see_personal_data(role: str | None, user) -> bool:
    """Names, dates of birth and addresses of the people in a case file.

    The inspection's team needs them to inspect the case; managers compare teams and drill down
    to judgements, which they can do without knowing who a child is, so a manager with no place
    on the team sees the case with those details withheld. Administrators keep them: they can
    read every record through the admin site anyway, and support the teams (docs/access.md).
    """
    return role is not None or bool(user.is_superuser)


def may_export_answers(role: str | None, user) -> bool:
    """The answers extract (CSV, Excel): every evidence note of the inspection.

    Evidence notes are written about named children, so only the team (and administrators) may
    take them away in a file; managers read ratings and drill down.
    """
    return role is not None or bool(user.is_superuser)


def may_export_inspection(role: str | None, user) -> bool:
    """The whole inspection as a file, to move it between databases: the lead or a superuser."""
    return is_lead(role) or bool(user.is_superuser)


def may_purge_case_data(role: str | None, user) -> bool:
    """Delete a published inspection's case data: an administrator or the lead inspector."""
    return bool(user.is_active and (user.is_staff or is_lead(role)))


# --------------------------------------------------------------------------- safeguarding concerns


def may_raise_concern(role: str | None) -> bool:
    """Anyone on the team who reads a case file raises a safeguarding concern from it: a child
    at risk is everyone's business, quality assurance and partner inspectors included."""
    return role is not None


def may_follow_up_concern(role: str | None) -> bool:
    """The lead acknowledges a concern, refers it back to the service and closes it."""
    return is_lead(role)


def may_read_concern(role: str | None, *, user_id, raised_by_id, inspector_id) -> bool:
    """A concern's details (the child, what was found) are for those whose work needs them.

    The lead, who follows every concern up, and quality assurance, who check the team's work
    (a concern found in a case they re-read is theirs to know about), read every concern of the
    inspection. An inspector or partner inspector reads the concerns they raised and those on
    the cases assigned to them. Managers and administrators see counts only (docs/access.md).
    """
    if role in (Role.LEAD, Role.QUALITY_ASSURANCE):
        return True
    if role in (Role.INSPECTOR, Role.PARTNER):
        return user_id in (raised_by_id, inspector_id)
    return False


def sees_every_concern(role: str | None) -> bool:
    """Whose list of an inspection's concerns holds every concern (see may_read_concern)."""
    return role in (Role.LEAD, Role.QUALITY_ASSURANCE)
