"""Template pieces for safeguarding concerns, shown on pages of other apps too."""

from django import template

from ..concerns.selectors import concern_counts, open_counts_visible_to

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
    return {"counts": open_counts_visible_to(context["request"].user, area=area)}


@register.inclusion_tag("casefiles/concerns/_methodology.html")
def methodology_concerns(inspection):
    """The report's methodology line: how many concerns were raised and followed up, no details."""
    return {"counts": concern_counts(inspection)}
