from django.contrib.auth.views import LoginView
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casefiles.choices import SampleType
from casefiles.models import Case
from casefiles.selectors import sample_counts

from .access import inspection_access
from .models import Inspection
from .signin import client_address, sign_in_failed, sign_in_refused


@require_GET
def home(request):
    inspections = (
        Inspection.objects.visible_to(request.user)
        .select_related("framework")
        .annotate(case_count=Count("cases", distinct=True))
    )
    my_cases = Case.objects.for_inspector(request.user).exclude(status=Case.Status.AGREED)
    return render(
        request,
        "inspection/home.html",
        {"inspections": inspections, "my_case_count": my_cases.count()},
    )


@require_GET
def inspection_detail(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    labels = dict(SampleType.choices)
    samples = [
        {**row, "sample_label": labels.get(row["sample_type"], row["sample_type"])}
        for row in sample_counts(inspection)
    ]
    status_counts = Case.objects.filter(inspection=inspection).aggregate(
        total=Count("id"),
        submitted=Count("id", filter=Q(status__in=Case.COUNTED_STATUSES)),
        unassigned=Count("id", filter=Q(inspector__isnull=True)),
    )
    return render(
        request,
        "inspection/inspection_detail.html",
        {
            "inspection": inspection,
            "access": access,
            "team": inspection.memberships.select_related("user"),
            "organisations": inspection.organisations.select_related("area"),
            "samples": samples,
            "status_counts": status_counts,
            "active_tab": "overview",
        },
    )


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
