"""Reading safeguarding concerns, each read through what the person may see of them."""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from inspection import permissions
from inspection.access import Access, access_to
from inspection.models import Inspection, Membership
from inspection.readiness import Missing

from .models import Concern


def concerns_for(access: Access):
    """The concerns of the inspection that this person may read (permissions.may_read_concern)."""
    concerns = Concern.objects.filter(inspection=access.inspection)
    if access.sees_every_concern:
        return concerns
    if access.role in (Membership.Role.INSPECTOR, Membership.Role.PARTNER):
        return concerns.filter(Q(raised_by=access.user) | Q(case__inspector=access.user))
    return concerns.none()


def concern_access(user, public_id) -> tuple[Concern, Access]:
    """The concern, if the user may read it; else 404, so that nobody else can tell it exists."""
    concern = get_object_or_404(
        Concern.objects.filter(inspection__in=Inspection.objects.visible_to(user)).select_related(
            "inspection", "organisation", "case__inspector", "child", "raised_by"
        ),
        public_id=public_id,
    )
    access = access_to(user, concern.inspection)
    inspector_id = concern.case.inspector_id if concern.case_id else None
    if not permissions.may_read_concern(
        access.role,
        user_id=user.pk,
        raised_by_id=concern.raised_by_id,
        inspector_id=inspector_id,
    ):
        raise Http404("No such concern")
    return concern, access


def lead_alerts(user) -> list[dict]:
    """Concerns waiting for this person to acknowledge them, by inspection they lead: one query.

    [{"inspection__reference": "yos-bd-2018", "inspection__title": "...", "waiting": 2}, ...]
    """
    return list(
        Concern.objects.filter(
            status=Concern.Status.RAISED,
            inspection__memberships__user=user,
            inspection__memberships__role=Membership.Role.LEAD,
        )
        .values("inspection__reference", "inspection__title")
        .annotate(waiting=Count("id"))
        .order_by("inspection__reference")
    )


def open_counts(inspections, *, today=None) -> dict[str, int]:
    """Open and overdue concerns over some inspections: counts only, one query."""
    today = today or timezone.localdate()
    overdue = Q(response_due__lt=today, response_received_on__isnull=True)
    return (
        Concern.objects.filter(inspection__in=inspections)
        .open()
        .aggregate(open=Count("id"), overdue=Count("id", filter=overdue))
    )


def open_counts_visible_to(user, *, area=None) -> dict[str, int]:
    """Open and overdue concerns over the inspections ``user`` reads, in ``area`` if given."""
    inspections = Inspection.objects.visible_to(user)
    if area is not None:
        inspections = inspections.filter(organisations__area=area)
    return open_counts(inspections.values("pk"), today=timezone.localdate())


def concern_counts(inspection) -> dict[str, int]:
    """For the report's methodology: how many concerns were raised, and how many were followed
    up to closure. Numbers only, no details. One query."""
    return Concern.objects.filter(inspection=inspection).aggregate(
        raised=Count("id"), closed=Count("id", filter=Q(status=Concern.Status.CLOSED))
    )


def open_concerns_missing(inspection) -> list[Missing]:
    """The readiness check (inspection.readiness): every open concern stops approval and
    publication, each named by its date and urgency, never its child."""
    from django.urls import reverse

    found = []
    for concern in Concern.objects.filter(inspection=inspection).open().order_by("raised_at"):
        raised = timezone.localtime(concern.raised_at)
        found.append(
            Missing(
                text=(
                    f"Safeguarding concern raised on {raised:%d %B %Y} "
                    f"({concern.short_urgency.lower()}) is not closed: "
                    f"{concern.get_status_display().lower()}"
                ),
                url=reverse("casefiles:concern_detail", args=[concern.public_id]),
                group="Safeguarding concerns",
            )
        )
    return found
