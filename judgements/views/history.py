"""A case's history: the audit trail grouped by save, with filters and pages."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casefiles.access import case_access
from judgements.forms import (
    HistoryFilterForm,
)
from judgements.second_readings import hides_second_reading
from judgements.selectors import (
    case_history,
)
from judgements.services import case_read_record as read_record
from judgements.views._common import refuse_if_blind

HISTORY_PAGE_SIZE = 25


@require_GET
def history(request, public_id):
    """The case's history: one entry per save, filtered by kind, a page at a time."""
    case, access = case_access(request.user, public_id)
    refuse_if_blind(request, case)
    read_record(case=case, reader=request.user, page="history")
    filters = HistoryFilterForm(request.GET)
    chosen = filters.chosen()
    entries = case_history(
        case,
        personal=access.may_see_personal_data,
        kinds=set(chosen),
        blind_to_second=hides_second_reading(case, request.user),
    )
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "judgements/history.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "page": page,
            "entries": page.object_list,
            "filters": filters,
            "filter_tags": filters.tags(request),
            "query": "&".join(f"show={k}" for k in chosen),
            "case_tab": "history",
        },
    )
