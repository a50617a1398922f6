from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import permissions, stages
from .access import inspection_access
from .hooks import panels
from .models import Inspection, InspectionChange
from .signin import client_address, sign_in_failed, sign_in_refused

# A manager sees every inspection: the list is read a page at a time, latest fieldwork first,
# and the cases are counted for that page only.
INSPECTIONS_PER_PAGE = 25


@require_GET
def home(request):
    page = Paginator(
        Inspection.objects.visible_to(request.user).select_related("framework"),
        INSPECTIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    inspections = list(page.object_list)
    case_counts = dict(
        Inspection.objects.filter(pk__in=[inspection.pk for inspection in inspections])
        .annotate(case_count=Count("cases"))
        .values_list("pk", "case_count")
    )
    for inspection in inspections:
        inspection.case_count = case_counts.get(inspection.pk, 0)
    may_set_up = permissions.may_set_up_inspections(request.user)
    return render(
        request,
        "inspection/home.html",
        {
            "inspections": inspections,
            "page": page,
            "panels": panels("home", request=request),
            "may_set_up_inspections": may_set_up,
            # Inspection managers find the set-up of every inspection not yet in fieldwork.
            "in_set_up": Inspection.objects.filter(status=Inspection.Status.PLANNING).order_by(
                "fieldwork_start", "reference"
            )
            if may_set_up
            else [],
        },
    )


@require_GET
def inspection_detail(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    return render(
        request,
        "inspection/inspection_detail.html",
        {
            "inspection": inspection,
            "access": access,
            "team": inspection.memberships.select_related("user"),
            "organisations": inspection.organisations.select_related("area"),
            "summary_panels": panels("inspection_summary", request=request, access=access),
            "panels": panels("inspection_main", request=request, access=access),
            "active_tab": "overview",
            "moves": stages.available(inspection, request.user, access.role),
            "may_set_up": permissions.may_set_up_inspection(request.user, access.role)
            and permissions.stage_allows(inspection.status, "set_up"),
            "stage_changes": InspectionChange.objects.filter(
                inspection=inspection, action__in=STAGE_ACTIONS
            ).select_related("actor")[:5],
        },
    )


STAGE_ACTIONS = [
    InspectionChange.Action.STAGE_MOVED,
    InspectionChange.Action.APPROVED,
    InspectionChange.Action.PUBLISHED,
]


class SignInView(LoginView):
    """Django's sign-in, behind the throttle in inspection/signin.py.

    A refused attempt never reaches the form, django-axes or a password hash.
    """

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        address = client_address(request)
        if sign_in_refused(address):
            return render(request, "registration/too_many_attempts.html", status=429)
        response = super().post(request, *args, **kwargs)
        if not request.user.is_authenticated:
            sign_in_failed(address)
        return response


# The footer's pages: what the service is, what it keeps and why, and whom to ask. They hold no
# case data, and someone not yet signed in may need them (a privacy notice is read before
# signing in), so they are open to anyone.
FOOTER_PAGES = {
    "accessibility": "inspection/accessibility.html",
    "privacy": "inspection/privacy.html",
    "cookies": "inspection/cookies.html",
    "help": "inspection/help.html",
}


@login_not_required
@require_GET
def footer_page(request, page):
    return render(request, FOOTER_PAGES[page], {"footer_page": page})
