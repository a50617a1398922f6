"""Access checks: every object a view shows is fetched through one of these.

Reading: managers and administrators read everything; everyone else reads only the
inspections whose team they are on. Anything else is "not found", so that an outsider
cannot tell whether an inspection exists. Writing: only team members, by role.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Inspection, Membership

Role = Membership.Role


@dataclass(frozen=True)
class Access:
    """What one user may do on one inspection."""

    inspection: Inspection
    role: str | None  # the user's role on the team, None for managers and administrators

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def is_qa(self) -> bool:
        return self.role in {Role.QUALITY_ASSURANCE, Role.LEAD}

    @property
    def can_edit_casefiles(self) -> bool:
        return self.role in {Role.LEAD, Role.INSPECTOR, Role.PARTNER}

    @property
    def can_score(self) -> bool:
        return self.role in {Role.LEAD, Role.INSPECTOR, Role.PARTNER}

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied("You cannot change this.")


def inspection_access(user, reference: str) -> Access:
    """The inspection with this reference, if the user may read it; else 404."""
    inspection = get_object_or_404(
        Inspection.objects.visible_to(user).select_related("framework"), reference=reference
    )
    return Access(inspection=inspection, role=role_on(user, inspection))


def role_on(user, inspection: Inspection) -> str | None:
    return (
        Membership.objects.filter(inspection=inspection, user=user)
        .values_list("role", flat=True)
        .first()
    )
