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

from .models import Membership

Role = Membership.Role

# Who changes case files, and who answers questions: everyone on the team but quality assurance.
CASE_FILE_ROLES = frozenset({Role.LEAD, Role.INSPECTOR, Role.PARTNER})
SCORING_ROLES = frozenset({Role.LEAD, Role.INSPECTOR, Role.PARTNER})
# Who quality-assures (moderates) cases.
MODERATING_ROLES = frozenset({Role.LEAD, Role.QUALITY_ASSURANCE})


# --------------------------------------------------------------------------- across inspections


def sees_every_inspection(user) -> bool:
    """Managers and administrators read every inspection; anyone else only their team's."""
    return bool(user.is_authenticated and (user.is_superuser or user.is_manager))


def may_see_dashboards(user) -> bool:
    """The national and area dashboards across inspections: managers and administrators."""
    return sees_every_inspection(user)


def may_set_up_inspections(user) -> bool:
    """Inspection managers (and administrators) create inspections and name their lead."""
    return bool(user.is_authenticated and (user.is_superuser or user.sets_up_inspections))


def may_approve_reports(user, role: str | None) -> bool:
    """Approvers approve a report for publication, but never one they lead."""
    return bool(user.is_authenticated and user.approves_reports and role != Role.LEAD)


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
