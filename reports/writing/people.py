"""The people named in an inspection's case files, and the pseudonyms that stand in for
them in the report (the algorithm that chooses them is in reports.writing.pseudonyms).
"""

from __future__ import annotations

from django.db import transaction

from casefiles.models import Case, LinkedChild
from inspection.models import Inspection
from reports.models import (
    Pseudonym,
)
from reports.writing.pseudonyms import Person, Pseudonymiser, assign_pseudonyms

SUBJECT = "the person supervised"
LINKED_CHILD = "a linked child"
CASE_MANAGER = "the case manager"


def case_file_people(inspection: Inspection) -> list[Person]:
    """Everyone named in the inspection's case files, in a fixed order (two queries).

    The children supervised come first, by case reference, so they get first pick of the
    names that match their recorded gender.
    """
    cases = list(
        Case.objects.filter(inspection=inspection)
        .order_by("reference")
        .values_list("reference", "subject_name", "gender", "case_manager")
    )
    children = (
        LinkedChild.objects.filter(case__inspection=inspection)
        .order_by("case__reference", "name", "pk")
        .values_list("case__reference", "name")
    )
    people = [Person(name, SUBJECT, ref, gender) for ref, name, gender, _ in cases]
    people += [Person(name, LINKED_CHILD, ref) for ref, name in children]
    people += [Person(manager, CASE_MANAGER, ref) for ref, _, _, manager in cases if manager]
    return people


def pseudonymiser_for(inspection: Inspection) -> Pseudonymiser:
    """The inspection's pseudonyms, choosing (and keeping) any that are still missing.

    Idempotent, so a page that only reads may call it: a name gets its pseudonym the first
    time any report text is rendered or checked, and keeps it from then on.
    """
    people = case_file_people(inspection)
    existing = {
        (p.part, p.real_key): p.pseudonym for p in Pseudonym.objects.filter(inspection=inspection)
    }
    new = assign_pseudonyms(people, existing, salt=inspection.reference)
    if new:
        with transaction.atomic():
            Pseudonym.objects.bulk_create(
                [
                    Pseudonym(inspection=inspection, part=part, real_key=key, pseudonym=name)
                    for (part, key), name in new.items()
                ],
                ignore_conflicts=True,
            )
        # Another request may have chosen some at the same moment: read back what was kept.
        existing = {
            (p.part, p.real_key): p.pseudonym
            for p in Pseudonym.objects.filter(inspection=inspection)
        }
        missing = assign_pseudonyms(people, existing, salt=inspection.reference)
        existing.update(missing)
    return Pseudonymiser(people=people, pseudonyms=existing)
