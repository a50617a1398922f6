"""Fetch a case, or a part of its file, only through the user's access to its inspection."""

from django.shortcuts import get_object_or_404

from inspection.access import Access, access_to

from .models import Case


def case_access(user, public_id) -> tuple[Case, Access]:
    """The case with this public id, if the user may read its inspection; else 404."""
    case = get_object_or_404(
        Case.objects.visible_to(user).select_related(
            "inspection__framework", "organisation__area", "inspector"
        ),
        public_id=public_id,
    )
    return case, access_to(user, case.inspection)


def part_for_case(case: Case, model, public_id):
    """A part of this case's file; a part of another case is 'not found'."""
    return get_object_or_404(model, case=case, public_id=public_id)
