"""Fetch a case, or a part of its file, only through the user's access to its inspection."""

from django.shortcuts import get_object_or_404

from inspection.access import Access, readable_or_404

from .models import Case


def case_access(user, public_id) -> tuple[Case, Access]:
    """The case with this public id, if the user may read its inspection; else 404.

    Two queries: the case with what its pages show with it, and the user's role on its team.
    """
    case, role = readable_or_404(
        user,
        Case.objects.select_related(
            "inspection__framework", "organisation__area", "inspector"
        ).filter(public_id=public_id),
        inspection=lambda case: case.inspection,
    )
    return case, Access(inspection=case.inspection, role=role, user=user)


def part_for_case(case: Case, model, public_id):
    """A part of this case's file; a part of another case is 'not found'."""
    return get_object_or_404(model, case=case, public_id=public_id)
