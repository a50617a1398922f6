"""The lead inspector's pages: assigning cases, selecting a share for QA, organisation-level
ratings.
"""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from casefiles.models import Case
from inspection.access import inspection_access
from inspection.models import Standard, User
from inspection.permissions import SCORING_ROLES
from judgements import services
from judgements.forms import (
    OrganisationRatingForm,
    QaShareForm,
)
from judgements.models import OrganisationRating
from judgements.views._common import QA_STATUSES, _posted


def _scorers(inspection):
    return User.objects.filter(
        memberships__inspection=inspection,
        # Everyone who may be assigned cases (permissions.may_be_assigned_cases).
        memberships__role__in=SCORING_ROLES,
    ).order_by("last_name", "first_name")


@require_http_methods(["GET", "POST"])
def assign(request, reference):
    """The lead assigns cases to inspectors and selects cases for quality assurance."""
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    if request.method == "POST":
        access.require(
            access.may_assign_cases,
            tried="assign cases or select them for quality assurance",
            who="the lead inspector",
        )
    scorers = {u.username: u for u in _scorers(inspection)}
    cases = list(
        Case.objects.filter(inspection=inspection).select_related("inspector", "organisation")
    )
    share_form = QaShareForm(request.POST if "select-share" in request.POST else None)
    errors = []
    if request.method == "POST" and "select-share" in request.POST:
        if share_form.is_valid():
            result = services.qa_select_share(
                inspection=inspection,
                percent=share_form.cleaned_data["percent"],
                seed=share_form.cleaned_data["seed"],
                actor=request.user,
            )
            messages.success(request, _share_message(result))
            return redirect("judgements:assign", reference=inspection.reference)
    elif request.method == "POST":
        # Only the cases the form listed: a case added since the page was opened, or a request
        # that lists none, is left as it was rather than unassigned and taken out of QA.
        listed = [case for case in cases if f"inspector-{case.public_id}" in request.POST]
        for case in listed:
            wanted = request.POST.get(f"inspector-{case.public_id}", "")
            if wanted and wanted not in scorers:
                errors.append((case, f"Select an inspector on the team for case {case.reference}"))
        if not errors:
            for case in listed:
                wanted = request.POST.get(f"inspector-{case.public_id}", "")
                services.case_assign(case=case, inspector=scorers.get(wanted), actor=request.user)
                services.qa_select(
                    case=case, selected=f"qa-{case.public_id}" in request.POST, actor=request.user
                )
            messages.success(request, "Assignments saved")
            return redirect("judgements:assign", reference=inspection.reference)
    return render(
        request,
        "judgements/assign.html",
        {
            "inspection": inspection,
            "access": access,
            "cases": cases,
            "scorers": scorers.values(),
            "share_form": share_form,
            "errors": errors,
            "active_tab": "assign",
        },
    )


def _share_message(result) -> str:
    newly = len(result.newly_selected)
    cases = "case" if newly == 1 else "cases"
    if newly:
        return (
            f"{newly} {cases} newly selected for quality assurance "
            f"({newly + result.already_selected} selected in all)"
        )
    return (
        f"No cases newly selected: {result.already_selected} already selected, "
        f"which meets a share of {result.wanted}"
    )


@require_GET
def qa_list(request, reference):
    """Every case submitted or selected, with where it stands in quality assurance."""
    access = inspection_access(request.user, reference)
    cases = (
        Case.objects.filter(inspection=access.inspection)
        .filter(Q(selected_for_qa=True) | Q(status__in=QA_STATUSES))
        .select_related("inspector", "organisation")
        .order_by("reference")
    )
    return render(
        request,
        "judgements/qa_list.html",
        {"inspection": access.inspection, "access": access, "cases": cases, "active_tab": "qa"},
    )


@require_GET
def organisation_ratings(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    standards = list(
        Standard.objects.filter(framework=inspection.framework, judged_by="organisation")
    )
    ratings = {
        (r.organisation_id, r.standard_id): r
        for r in OrganisationRating.objects.filter(inspection=inspection).select_related("rated_by")
    }
    rows = [
        {
            "organisation": organisation,
            "standard": standard,
            "rating": ratings.get((organisation.pk, standard.pk)),
        }
        for organisation in inspection.organisations.all()
        for standard in standards
    ]
    return render(
        request,
        "judgements/organisation_ratings.html",
        {"inspection": inspection, "access": access, "rows": rows, "active_tab": "org"},
    )


@require_http_methods(["GET", "POST"])
def organisation_rating_edit(request, reference, organisation, code):
    access = inspection_access(request.user, reference)
    access.require(
        access.may_rate_organisations,
        tried="rate this standard for the organisation",
        who="the lead inspector",
    )
    inspection = access.inspection
    organisation = get_object_or_404(inspection.organisations, slug=organisation)
    standard = get_object_or_404(
        Standard, framework=inspection.framework, judged_by="organisation", code=code
    )
    current = OrganisationRating.objects.filter(
        inspection=inspection, organisation=organisation, standard=standard
    ).first()
    initial = {"version": current.version if current else 0}
    if current:
        initial.update(
            rating=current.rating, narrative=current.narrative, evidence=current.evidence
        )
    form = OrganisationRatingForm(_posted(request), initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_rating_record(
                inspection=inspection,
                organisation=organisation,
                standard=standard,
                rating=form.cleaned_data["rating"],
                narrative=form.cleaned_data["narrative"],
                evidence=form.cleaned_data["evidence"],
                actor=request.user,
                seen_version=form.cleaned_data["version"] or 0,
            )
        except services.StaleEdit:
            stale = True
        else:
            messages.success(request, f"Rating for {standard.code} {standard.title} saved")
            return redirect("judgements:organisation_ratings", reference=inspection.reference)
    return render(
        request,
        "judgements/organisation_rating_form.html",
        {
            "inspection": inspection,
            "organisation": organisation,
            "standard": standard,
            "form": form,
            "current": current,
            "stale": stale,
            "key_questions": standard.questions.filter(parent__isnull=True),
        },
        status=409 if stale else 200,
    )
