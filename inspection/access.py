"""Access checks: every object a view shows is fetched through one of these.

Reading: managers and administrators read everything; everyone else reads only the
inspections whose team they are on. Anything else is "not found", so that an outsider
cannot tell whether an inspection exists. Writing: only team members, by role, as
`inspection.permissions` decides; `Access` asks it on behalf of views and templates.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from . import permissions
from .models import Inspection, Membership
from .refusals import role_refusal


@dataclass(frozen=True)
class Access:
    """What one user may do on one inspection.

    The properties answer the questions that need nothing but the role (and the user);
    those that depend on a case (scoring, moderating, reopening) are asked of
    `inspection.permissions` with the case's facts, through `judgements.rules`.
    """

    inspection: Inspection
    role: str | None  # the user's role on the team, None for managers and administrators
    user: Any = None

    @property
    def is_lead(self) -> bool:
        """A fact about the role; ask the named question (may_write_report...) for permission."""
        return permissions.is_lead(self.role)

    @property
    def may_add_case(self) -> bool:
        return permissions.may_add_case(self.role) and self.stage_allows("case_file")

    @property
    def may_set_up_sample(self) -> bool:
        return permissions.may_set_up_sample(self.role) and self.stage_allows("sample")

    @property
    def may_assign_cases(self) -> bool:
        return permissions.may_assign_cases(self.role) and self.stage_allows("allocate")

    @property
    def may_rate_organisations(self) -> bool:
        return permissions.may_rate_organisations(self.role) and self.stage_allows(
            "rate_organisations"
        )

    @property
    def may_write_report(self) -> bool:
        return permissions.may_write_report(self.role) and self.stage_allows("write_report")

    @property
    def may_export_answers(self) -> bool:
        return permissions.may_export_answers(self.role, self.user)

    @property
    def may_export_inspection(self) -> bool:
        return permissions.may_export_inspection(self.role, self.user)

    @property
    def may_see_personal_data(self) -> bool:
        return permissions.may_see_personal_data(self.role, self.user)

    @property
    def may_raise_concern(self) -> bool:
        return permissions.may_raise_concern(self.role)

    @property
    def may_follow_up_concern(self) -> bool:
        return permissions.may_follow_up_concern(self.role)

    @property
    def sees_every_concern(self) -> bool:
        return permissions.sees_every_concern(self.role)

    def may_edit_case_file(self, case) -> bool:
        """May change this case's file: by role, while the case is not locked, and once it is
        submitted only the lead."""
        return self.stage_allows("case_file") and permissions.may_edit_case_file(
            self.role, locked=case.is_locked, submitted=case.change_needs_reason
        )

    def stage_allows(self, action: str) -> bool:
        """Whether the inspection's stage allows the action (permissions.stage_allows)."""
        return permissions.stage_allows(self.inspection.status, action)

    def require(self, allowed: bool, *, tried: str = "", who: str = "") -> None:
        """Refuse (403) unless allowed; `tried` and `who` ("the lead inspector") let the
        refusal page say what was tried and who may do it (inspection/refusals.py)."""
        if not allowed:
            if tried and who:
                raise role_refusal(self, tried=tried, who=who)
            raise PermissionDenied("You cannot change this.")


def access_to(user, inspection: Inspection) -> Access:
    """The user's access to an inspection they may already read."""
    return Access(inspection=inspection, role=role_on(user, inspection), user=user)


def inspection_access(user, reference: str) -> Access:
    """The inspection with this reference, if the user may read it; else 404."""
    inspection, role = readable_or_404(
        user, Inspection.objects.select_related("framework").filter(reference=reference)
    )
    return Access(inspection=inspection, role=role, user=user)


def readable_or_404(user, queryset, inspection=lambda row: row):
    """The one row of ``queryset`` and the user's role on the team of the inspection it belongs
    to (``inspection`` finds it from the row), if the user may read that inspection; else 404.

    The rule is Inspection.objects.visible_to's, asked of the row (permissions.reads_inspection):
    on the team, or a manager or administrator, or an approver while the inspection waits for
    approval. Two plain queries, the row and the role: cheaper to build and to plan than one
    with the team as a subquery (docs/decisions.md).
    """
    if not user.is_authenticated:
        raise Http404
    row = next(iter(queryset.order_by()[:1]), None)
    if row is None:
        raise Http404
    owner = inspection(row)
    role = role_on(user, owner)
    if not permissions.reads_inspection(user, on_team=role is not None, status=owner.status):
        raise Http404
    return row, role


def role_on(user, inspection: Inspection) -> str | None:
    """The user's role on the inspection's team, or None (not on it, or not signed in)."""
    if user is None or not user.pk:
        return None
    # One membership per person and inspection (membership_one_role): no ordering needed,
    # which spares the join to users that Membership's default ordering would add.
    roles = Membership.objects.filter(inspection=inspection, user=user).order_by()
    return next(iter(roles.values_list("role", flat=True)[:1]), None)
