"""The ratings of an inspection, each explained down to the cases and evidence notes behind it.

Ratings page (every standard, its key questions and the overall rating) -> standard page (its
key questions, and under each the cases answered No with the inspector's notes) -> the case.
Read-only: anyone who may read the inspection may read its ratings.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from inspection.access import inspection_access
from inspection.converters import slug_from_query
from inspection.models import Inspection
from judgements.models import OrganisationRating
from reports.ratings.engine import JUDGED_BY_ORGANISATION
from reports.ratings.selectors import inspection_rating, no_answers, overall_rating
from reports.ratings.tables import thematic_tables
from reports.writing.pdf_charts import thematic_charts


def _organisation(request, inspection):
    """The one organisation asked for with ?organisation=<slug> (a thematic inspection), if any."""
    slug = slug_from_query(request, "organisation")
    if not slug:
        return None
    return get_object_or_404(inspection.organisations, slug=slug)


@require_http_methods(["GET", "HEAD"])
def ratings(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    summary = inspection_rating(inspection, organisation=_organisation(request, inspection))
    return render(
        request,
        "reports/ratings.html",
        {
            "inspection": inspection,
            "access": access,
            "summary": summary,
            "result": summary.result,
            "overall": overall_rating(summary),
            "is_thematic": inspection.kind == Inspection.Kind.THEMATIC,
            "active_tab": "ratings",
        },
    )


@require_http_methods(["GET", "HEAD"])
def standard(request, reference, code):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    organisation = _organisation(request, inspection)
    summary = inspection_rating(inspection, organisation=organisation)
    try:
        result = summary.result.standard(code)
    except KeyError:
        raise Http404("No such standard in this inspection's framework") from None
    lead_ratings = []
    if result.judged_by == JUDGED_BY_ORGANISATION:
        lead_ratings = OrganisationRating.objects.filter(
            inspection=inspection, standard__framework=inspection.framework_id, standard__code=code
        ).select_related("organisation", "rated_by")
        if organisation is not None:
            lead_ratings = lead_ratings.filter(organisation=organisation)
        lead_ratings = list(lead_ratings.order_by("organisation__name"))
        no_by_question = {}
    else:
        no_by_question = no_answers(inspection, standard_code=code, organisation=organisation)
    key_questions = [
        {
            "result": kq,
            "is_lowest": result.lowest is not None and kq.code == result.lowest.code,
            "no_answers": no_by_question.get(kq.code, []),
        }
        for kq in result.key_questions
    ]
    return render(
        request,
        "reports/standard.html",
        {
            "inspection": inspection,
            "access": access,
            "summary": summary,
            "standard": result,
            "key_questions": key_questions,
            "lead_ratings": lead_ratings,
            "active_tab": "ratings",
        },
    )


@require_http_methods(["GET", "HEAD"])
def thematic(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    tables = thematic_tables(inspection)
    charts = dict(thematic_charts(tables))
    return render(
        request,
        "reports/thematic.html",
        {
            "inspection": inspection,
            "access": access,
            "tables": tables,
            # Each standard's table with the chart comparing the organisations.
            "sections": [(table, charts.get(table.code)) for table in tables.standards],
            "active_tab": "ratings",
        },
    )
