from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from inspection.access import inspection_access

from . import services
from .access import case_access, part_for_case
from .filters import CaseFilter
from .forms import CaseAddForm, CaseForm
from .models import Case
from .parts import BY_SLUG, Part
from .presenters import case_summary, file_sections
from .selectors import case_file_load, interview_timetable, timeline
from .signals import case_file_opened

CASES_PER_PAGE = 25
LISTED_COLUMNS = (
    "public_id",
    "reference",
    "added_outside_draw",
    "sample_type",
    "risk_of_serious_harm",
    "status",
    "organisation__name",
    "inspector__username",
    "inspector__first_name",
    "inspector__last_name",
)


def _posted(request):
    """The form's data: bound on every POST, even an empty one, so that 'required' is said."""
    return request.POST if request.method == "POST" else None


@require_GET
def case_list(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    filters = CaseFilter(
        request.GET or None,
        Case.objects.filter(inspection=inspection)
        .select_related("organisation", "inspector")
        # Only the columns the list shows (templates/casefiles/case_list.html).
        .only(*LISTED_COLUMNS),
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
    form = CaseAddForm(_posted(request), inspection=access.inspection)
    if request.method == "POST" and form.is_valid():
        case = services.case_save(form=form, actor=request.user)
        messages.success(request, f"Case {case.reference} added outside the sample draw")
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
    personal = access.may_see_personal_data
    # case_access read the case with its inspection, organisation and inspector already.
    case_file_load(case)
    return render(
        request,
        "casefiles/case_detail.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "personal": personal,
            "timeline": timeline(case, personal=personal),
            "case_summary": case_summary(case, personal=personal),
            "may_edit": access.may_edit_case_file(case),
            "sections": file_sections(
                case, editable=access.may_edit_case_file(case), personal=personal
            ),
            "case_tab": "file",
        },
    )


def _refused(form, error: Exception) -> None:
    """Put a refusal from the services on the form, naming the field where there is one."""
    if isinstance(error, services.StaleCaseFile):
        form.add_error(
            None,
            f"Your changes were not saved: this was changed since you opened it. {error}. "
            "The form now shows your changes over the latest version: check them and save "
            "again",
        )
        # The next save is checked against the version the person has now been shown.
        data = form.data.copy()
        data["version"] = str(error.current_version)
        form.data = data
        return
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))


@require_http_methods(["GET", "POST"])
def case_edit(request, public_id):
    case, access = case_access(request.user, public_id)
    access.require(access.may_edit_case_file(case))
    form = CaseForm(
        _posted(request),
        instance=case,
        inspection=case.inspection,
        needs_reason=case.change_needs_reason,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.case_save(
                form=form,
                actor=request.user,
                seen_version=form.seen_version,
                reason=form.reason,
            )
        except (services.StaleCaseFile, services.CaseFileRefused) as error:
            _refused(form, error)
        else:
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
    form = kind.form(_posted(request), instance=instance, needs_reason=case.change_needs_reason)
    if request.method == "POST" and form.is_valid():
        try:
            services.casefile_part_save(
                form=form,
                case=case,
                part=part,
                actor=request.user,
                seen_version=form.seen_version,
                reason=form.reason,
            )
        except (services.StaleCaseFile, services.CaseFileRefused) as error:
            _refused(form, error)
        else:
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
    # The part's own form gives the version shown and, for a submitted case, the reason;
    # only those two of its fields are read from the POST.
    form = kind.form(instance=instance, needs_reason=case.change_needs_reason)
    errors: list[str] = []
    if request.method == "POST":
        version, reason = request.POST.get("version", ""), request.POST.get("reason", "")
        # Without a version (not from this page) the removal is not checked for staleness;
        # a version that is not a number is refused as stale.
        seen = None if version == "" else int(version) if version.isdigit() else -1
        try:
            services.casefile_part_delete(
                part=instance,
                name=part,
                form=form,
                actor=request.user,
                seen_version=seen,
                reason=reason,
            )
        except services.StaleCaseFile as error:
            errors.append(
                f"The {noun} was not removed: it was changed since you opened this page. "
                f"{error}. Check it and remove it again if you still mean to"
            )
            instance.refresh_from_db()
        except services.CaseFileRefused as error:
            errors.append(str(error))
        else:
            messages.success(request, f"{noun.capitalize()} removed")
            return redirect("casefiles:detail", public_id=case.public_id)
    return render(
        request,
        "casefiles/part_delete.html",
        {
            "case": case,
            "inspection": case.inspection,
            "part": instance,
            "noun": noun,
            "errors": errors,
            "needs_reason": case.change_needs_reason,
            "reason": request.POST.get("reason", "") if request.method == "POST" else "",
        },
    )


@require_GET
def interviews(request):
    """The signed-in inspector's interview timetable: the cases assigned to them."""
    return render(request, "casefiles/interviews.html", interview_timetable(request.user))
