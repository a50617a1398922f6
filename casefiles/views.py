from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from inspection.access import inspection_access

from . import services
from .access import case_access, part_for_case
from .filters import CaseFilter
from .forms import CaseForm
from .models import Case
from .parts import BY_SLUG, Part
from .presenters import case_summary, file_sections
from .selectors import case_with_file, timeline
from .signals import case_file_opened

CASES_PER_PAGE = 25


def _posted(request):
    """The form's data: bound on every POST, even an empty one, so that 'required' is said."""
    return request.POST if request.method == "POST" else None


@require_GET
def case_list(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    filters = CaseFilter(
        request.GET or None,
        Case.objects.filter(inspection=inspection).select_related("organisation", "inspector"),
        inspection=inspection,
    )
    page = Paginator(filters.qs, CASES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casefiles/case_list.html",
        {
            "inspection": inspection,
            "access": access,
            "filters": filters.form,
            "page": page,
            "query": query.urlencode(),
            "active_tab": "cases",
        },
    )


@require_http_methods(["GET", "POST"])
def case_create(request, reference):
    access = inspection_access(request.user, reference)
    access.require(access.may_add_case)
    form = CaseForm(_posted(request), inspection=access.inspection)
    if request.method == "POST" and form.is_valid():
        case = services.case_save(form=form)
        messages.success(request, f"Case {case.reference} added")
        return redirect("casefiles:detail", public_id=case.public_id)
    return render(
        request,
        "casefiles/case_form.html",
        {"form": form, "inspection": access.inspection, "title": "Add a case"},
    )


@require_GET
def case_detail(request, public_id):
    case, access = case_access(request.user, public_id)
    case_file_opened.send(sender=Case, case=case, reader=request.user, page="case file")
    case = (
        case_with_file(Case.objects.filter(pk=case.pk))
        .select_related("inspection__framework", "organisation__area", "inspector")
        .get()
    )
    return render(
        request,
        "casefiles/case_detail.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "timeline": timeline(case),
            "case_summary": case_summary(case),
            "may_edit": access.may_edit_case_file(case),
            "sections": file_sections(case, editable=access.may_edit_case_file(case)),
            "case_tab": "file",
        },
    )


@require_http_methods(["GET", "POST"])
def case_edit(request, public_id):
    case, access = case_access(request.user, public_id)
    access.require(access.may_edit_case_file(case))
    form = CaseForm(_posted(request), instance=case, inspection=case.inspection)
    if request.method == "POST" and form.is_valid():
        services.case_save(form=form)
        messages.success(request, "Case details saved")
        return redirect("casefiles:detail", public_id=case.public_id)
    return render(
        request,
        "casefiles/case_form.html",
        {
            "form": form,
            "inspection": case.inspection,
            "case": case,
            "title": f"Change case {case.reference}",
        },
    )


def _part(part: str) -> Part:
    try:
        return BY_SLUG[part]
    except KeyError:
        raise Http404("No such part of a case file") from None


@require_http_methods(["GET", "POST"])
def part_edit(request, public_id, part, part_id=None):
    case, access = case_access(request.user, public_id)
    access.require(access.may_edit_case_file(case))
    kind = _part(part)
    noun = kind.noun
    instance = part_for_case(case, kind.model, part_id) if part_id else kind.model(case=case)
    form = kind.form(_posted(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        services.casefile_part_save(form=form, case=case)
        messages.success(request, f"{noun.capitalize()} saved")
        return redirect("casefiles:detail", public_id=case.public_id)
    verb = "Change" if part_id else "Add"
    return render(
        request,
        "casefiles/part_form.html",
        {
            "form": form,
            "case": case,
            "inspection": case.inspection,
            "noun": noun,
            "title": f"{verb} {kind.a_noun if not part_id else f'the {noun}'}",
        },
    )


@require_http_methods(["GET", "POST"])
def part_delete(request, public_id, part, part_id):
    case, access = case_access(request.user, public_id)
    access.require(access.may_edit_case_file(case))
    kind = _part(part)
    noun = kind.noun
    instance = part_for_case(case, kind.model, part_id)
    if request.method == "POST":
        services.casefile_part_delete(part=instance)
        messages.success(request, f"{noun.capitalize()} removed")
        return redirect("casefiles:detail", public_id=case.public_id)
    return render(
        request,
        "casefiles/part_delete.html",
        {"case": case, "inspection": case.inspection, "part": instance, "noun": noun},
    )
