"""Template pieces for safeguarding concerns, shown on pages of other apps too."""

from django import template
from django.utils import timezone

from inspection.models import Inspection

from ..concerns.selectors import concern_counts, open_counts

register = template.Library()


@register.filter
def concern_overdue(concern, today) -> bool:
    return concern.is_overdue(today)


@register.simple_tag
def concern_about(concern, personal: bool) -> str:
    return concern.about(personal=personal)


@register.inclusion_tag("casefiles/concerns/_counts.html", takes_context=True)
def open_concern_counts(context, area=None):
    """Open and overdue safeguarding concerns (counts, no details) over the inspections the
    person reads, nationally or in one area: one query. For the managers' dashboards."""
    inspections = Inspection.objects.visible_to(context["request"].user)
    if area is not None:
        inspections = inspections.filter(organisations__area=area)
    return {"counts": open_counts(inspections.values("pk"), today=timezone.localdate())}


@register.inclusion_tag("casefiles/concerns/_methodology.html")
def methodology_concerns(inspection):
    """The report's methodology line: how many concerns were raised and followed up, no details."""
    return {"counts": concern_counts(inspection)}
