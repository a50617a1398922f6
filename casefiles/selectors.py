"""Reads of case files that join several tables."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet

from .models import Case
from .parts import PARTS


@dataclass(frozen=True)
class TimelineEntry:
    when: date
    kind: str
    title: str
    detail: str
    part: str
    public_id: str


def case_with_file(queryset: QuerySet) -> QuerySet:
    """Cases with every part of their file loaded in a fixed number of queries."""
    return queryset.prefetch_related(*(part.prefetch() for part in PARTS))


def timeline(case: Case) -> list[TimelineEntry]:
    """The dated parts of the file (casefiles.parts) in date order (from prefetches)."""
    entries: list[TimelineEntry] = []
    for part in PARTS:
        if part.moment is None:
            continue
        for item in part.of(case):
            moment = part.moment(item)
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
