"""Back links from a case to the list it was opened from (inspection/navigation.py).

A list adds ``{% back_here %}`` to each case link; the case pages' header shows
``{% case_back_link inspection %}`` and carries the same `back` between the case's tabs with
``{% case_back_query %}``."""

from django import template
from django.urls import reverse

from inspection.access import access_to
from inspection.navigation import BACK, back_query, inspection_tabs, safe_back, selected_filters

register = template.Library()


@register.simple_tag(takes_context=True)
def back_here(context) -> str:
    """`?back=` this page (path and filters), for a link to a case."""
    request = context.get("request")
    return back_query(request.get_full_path()) if request else ""


@register.simple_tag(takes_context=True)
def case_back_query(context) -> str:
    """The `back` this page was given (if allowed), to pass on to the case's other tabs."""
    request = context.get("request")
    back = safe_back(request.GET.get(BACK)) if request else None
    return back_query(back) if back else ""


@register.inclusion_tag("includes/back_link.html", takes_context=True)
def case_back_link(context, inspection) -> dict:
    """A GOV.UK back link to where the case was opened from, else the inspection's cases."""
    request = context.get("request")
    back = safe_back(request.GET.get(BACK)) if request else None
    if back:
        return {"href": back, "text": "Back"}
    return {
        "href": reverse("casefiles:list", args=[inspection.reference]),
        "text": "Back to the cases",
    }


@register.simple_tag(takes_context=True)
def inspection_tabs_for(context, inspection) -> list:
    """The tabs of the inspection's secondary navigation this person can use."""
    access = context.get("access")
    if access is None or access.inspection.pk != inspection.pk:
        request = context.get("request")
        access = access_to(request.user if request else None, inspection)
    return inspection_tabs(access)


@register.inclusion_tag("includes/selected_filters.html", takes_context=True)
def selected_filters_for(context, form) -> dict:
    """The filters applied, as tags each removing just its own filter (MoJ filter pattern)."""
    request = context.get("request")
    if request is None:
        return {"selected": []}
    selected, clear_url = selected_filters(form, request.path, request.GET)
    return {"selected": selected, "clear_url": clear_url}
