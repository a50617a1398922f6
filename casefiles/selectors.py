"""Reads of case files that join several tables."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, QuerySet

from .models import Case, Order


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
    return queryset.prefetch_related(
        Prefetch("orders", queryset=Order.objects.prefetch_related("requirements")),
        "children",
        "plans__child",
        "referrals__child",
        "checks",
        "meetings",
        "visits",
    )


def timeline(case: Case) -> list[TimelineEntry]:
    """Orders, plans, referrals, checks, meetings and visits in date order (from prefetches)."""
    entries: list[TimelineEntry] = []
    for order in case.orders.all():
        requirements = ", ".join(str(r) for r in order.requirements.all())
        entries.append(
            TimelineEntry(
                order.start_date,
                "Order",
                f"{order} started",
                requirements and f"Requirements: {requirements}",
                "orders",
                str(order.public_id),
            )
        )
    for plan in case.plans.all():
        child = plan.child.name if plan.child else "the child supervised"
        entries.append(
            TimelineEntry(
                plan.start_date,
                "Plan",
                f"{plan} began",
                f"For {child}",
                "plans",
                str(plan.public_id),
            )
        )
    for referral in case.referrals.all():
        if referral.response_date:
            response = f"response on {referral.response_date:%-d %B %Y}"
        else:
            response = "no response recorded"
        entries.append(
            TimelineEntry(
                referral.referral_date,
                "Referral",
                "Referral to children's social care",
                f"By {referral.get_method_display().lower()}; {response}",
                "referrals",
                str(referral.public_id),
            )
        )
    for check in case.checks.all():
        entries.append(
            TimelineEntry(
                check.requested_date,
                "Check",
                str(check),
                check.outcome,
                "checks",
                str(check.public_id),
            )
        )
    for meeting in case.meetings.all():
        attended = "attended" if meeting.attended else "not attended"
        entries.append(
            TimelineEntry(
                meeting.meeting_date,
                "Meeting",
                str(meeting),
                attended,
                "meetings",
                str(meeting.public_id),
            )
        )
    for visit in case.visits.all():
        seen = "children seen" if visit.children_seen else "children not seen"
        entries.append(
            TimelineEntry(
                visit.visit_date,
                "Visit",
                "Home visit",
                f"{visit.purpose} ({seen})".strip(),
                "visits",
                str(visit.public_id),
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
