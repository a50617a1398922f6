"""Writes to case files."""

from django.db import transaction

from .models import Case, Order, Requirement


@transaction.atomic
def case_save(*, form) -> Case:
    return form.save()


@transaction.atomic
def casefile_part_save(*, form, case: Case):
    """Save one part of a case file; an order's requirements are kept in step with the form."""
    part = form.save(commit=False)
    part.case = case
    part.save()
    if isinstance(part, Order):
        wanted = set(form.cleaned_data.get("requirements") or [])
        part.requirements.exclude(requirement_type__in=wanted).delete()
        existing = set(part.requirements.values_list("requirement_type", flat=True))
        Requirement.objects.bulk_create(
            Requirement(order=part, requirement_type=kind) for kind in sorted(wanted - existing)
        )
    return part


@transaction.atomic
def casefile_part_delete(*, part) -> None:
    part.delete()
