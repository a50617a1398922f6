from django.shortcuts import render
from django.views.decorators.http import require_GET

from casefiles.access import case_access
from casefiles.models import Case


@require_GET
def queue(request):
    cases = (
        Case.objects.for_inspector(request.user)
        .visible_to(request.user)
        .select_related("inspection", "organisation")
        .order_by("status", "inspection__reference", "reference")
    )
    return render(request, "judgements/queue.html", {"cases": cases})


@require_GET
def case_summary(request, public_id):
    case, access = case_access(request.user, public_id)
    return render(
        request,
        "judgements/case_summary.html",
        {"case": case, "inspection": case.inspection, "access": access, "case_tab": "judgements"},
    )


@require_GET
def history(request, public_id):
    case, access = case_access(request.user, public_id)
    events = case.audit.select_related("actor")
    return render(
        request,
        "judgements/history.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "events": events,
            "case_tab": "history",
        },
    )
