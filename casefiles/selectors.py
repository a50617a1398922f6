"""Reads of case files that join several tables."""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, prefetch_related_objects

from .models import Case, CaseFileChange
from .parts import PARTS


@dataclass(frozen=True)
class TimelineEntry:
    when: date
    kind: str
    title: str
    detail: str
    part: str
    public_id: str


def case_file_load(case: Case, only: set[str] | None = None) -> Case:
    """Load every part of an already fetched case's file onto it (or only the parts named),
    so the case is not read a second time: one query for which parts hold anything, then one
    per part that does.

    Most case files hold one part or none, and each query costs more CPU to build than to
    run; a part known to be empty is left as a prefetch of nothing would leave it, so that
    Part.of reads it without a query.
    """
    parts = [part for part in PARTS if only is None or part.slug in only]
    held = parts_held(case)
    prefetch_related_objects([case], *(part.prefetch() for part in parts if part.slug in held))
    if not hasattr(case, "_prefetched_objects_cache"):
        case._prefetched_objects_cache = {}
    for part in parts:
        if part.slug not in held:
            case._prefetched_objects_cache[part.slug] = part.model.objects.none()
    return case


def parts_held(case: Case) -> set[str]:
    """The slugs of the parts of the case's file with at least one row: one query.

    Written as SQL (each part's table and case column, from its model) because the same
    question through the ORM costs several times more to build than the database takes to
    answer it.
    """
    quote = connection.ops.quote_name
    # Names from the models, never from a request; the case's key is a parameter.
    tables = [
        (quote(part.model._meta.db_table), quote(part.model._meta.get_field("case").column))
        for part in PARTS
    ]
    checks = [f"EXISTS (SELECT 1 FROM {t} WHERE {c} = %s)" for t, c in tables]  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(checks)}", [case.pk] * len(checks))
        row = cursor.fetchone()
    return {part.slug for part, held in zip(PARTS, row, strict=True) if held}


def timeline(case: Case, *, personal: bool = True) -> list[TimelineEntry]:
    """The dated parts of the file (casefiles.parts) in date order (from prefetches).

    Without ``personal`` a plan's child is not named.
    """
    entries: list[TimelineEntry] = []
    for part in PARTS:
        if part.moment is None:
            continue
        for item in part.of(case):
            moment = part.moment_of(item, personal=personal)
            entries.append(
                TimelineEntry(
                    moment.when,
                    moment.kind,
                    moment.title,
                    moment.detail,
                    part.slug,
                    str(item.public_id),
                )
            )
    entries.sort(key=lambda e: e.when)
    return entries


def sample_counts(inspection) -> list[dict]:
    """Cases per organisation and sample type, for the inspection page."""
    return list(
        Case.objects.filter(inspection=inspection)
        .values("organisation__name", "sample_type")
        .annotate(cases=Count("id"))
        .order_by("organisation__name", "sample_type")
    )


# Fields whose values identify someone: withheld from the history for readers who may not
# see personal data (inspection.permissions.may_see_personal_data). Every value of a linked
# child is withheld, as the case page withholds the child.
PERSONAL_FIELDS = frozenset(
    {"subject_name", "date_of_birth", "case_manager", "child", "address", "interviewee"}
)
# Fields personal in one part only: an interview's notes name the people in the case.
PERSONAL_PART_FIELDS = frozenset({("interviews", "notes")})
PERSONAL_PARTS = frozenset({"children"})
WITHHELD_VALUE = "Withheld"

PART_NAMES = {
    "case": "Case details",
    "orders": "Order",
    "children": "Linked child",
    "plans": "Child protection plan",
    "referrals": "Referral",
    "checks": "Check or notification",
    "meetings": "Multi-agency meeting",
    "visits": "Home visit",
}


@dataclass(frozen=True)
class FileChangeLine:
    at: object
    actor: str
    what: str
    old_value: str
    new_value: str
    reason: str


def case_file_history(case: Case, *, personal: bool = True) -> list[FileChangeLine]:
    """Every change to the case's file, newest first (one query)."""
    lines = []
    for change in CaseFileChange.objects.filter(case=case).select_related("actor"):
        hidden = not personal and (
            change.part in PERSONAL_PARTS
            or change.field_name in PERSONAL_FIELDS
            or (change.part, change.field_name) in PERSONAL_PART_FIELDS
        )
        lines.append(
            FileChangeLine(
                at=change.at,
                actor=str(change.actor),
                what=f"{PART_NAMES.get(change.part, change.part)} "
                f"{change.get_action_display().lower()}: {change.field}",
                old_value=WITHHELD_VALUE if hidden and change.old_value else change.old_value,
                new_value=WITHHELD_VALUE if hidden and change.new_value else change.new_value,
                reason=change.reason,
            )
        )
    return lines


def interview_timetable(user) -> dict:
    """The interviews of the cases assigned to this person, by inspection and day, and their
    cases with no case manager interview yet (two queries)."""
    from itertools import groupby

    from .models import Interview

    mine = Case.objects.for_inspector(user).visible_to(user)
    interviews = list(
        Interview.objects.filter(case__in=mine)
        .select_related("case__inspection")
        .order_by(
            "case__inspection__fieldwork_start",
            "case__inspection__reference",
            "interview_date",
            "time",
            "pk",
        )
    )
    inspections = []
    for inspection, rows in groupby(interviews, key=lambda i: i.case.inspection):
        days = [
            {
                "day": day,
                "in_fieldwork": inspection.fieldwork_start <= day <= inspection.fieldwork_end,
                "interviews": list(items),
            }
            for day, items in groupby(rows, key=lambda i: i.interview_date)
        ]
        inspections.append({"inspection": inspection, "days": days})
    unbooked = list(
        mine.exclude(interviews__kind=Interview.Kind.CASE_MANAGER)
        .exclude(status=Case.Status.AGREED)
        .select_related("inspection")
        .order_by("inspection__reference", "reference")
    )
    return {"inspections": inspections, "unbooked": unbooked}
