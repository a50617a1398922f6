"""Pages for drawing the sample. Everyone on the team reads them; only the lead changes them."""

import uuid

from django.contrib import messages
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from casefiles import jobs as casefiles_jobs
from casefiles.choices import Gender, Level, OrderType, SampleType
from casefiles.models import Case, DrawnCase
from casefiles.sampling import services as sample_services
from casefiles.sampling.forms import (
    DrawForm,
    PopulationUploadForm,
    PrecisionForm,
    ReplaceForm,
    SizeOverrideForm,
    WindowsForm,
)
from casefiles.sampling.population import COLUMNS, TemplateOrganisation, template_csv
from casefiles.sampling.selectors import (
    draw_view,
    drawn_case_access,
    sample_types_for,
    sampling_plan,
    sampling_state,
    stratum_label,
)
from casefiles.sampling.services import SamplingError
from inspection.access import Access, inspection_access
from inspection.jobs import job_for_user, job_start, job_url
from inspection.models import Job

# A file with thousands of problems is usually the wrong file; the first ones say so.
MAX_PROBLEMS_SHOWN = 500


def _lead_access(request, reference) -> Access:
    access = inspection_access(request.user, reference)
    access.require(access.may_set_up_sample)
    return access


def _drawn_already(request, access: Access, what: str):
    """Send the lead back to the sample page if the sample is drawn; else None."""
    if hasattr(access.inspection, "sample_draw"):
        messages.info(request, f"The sample has been drawn, so {what} can no longer be changed.")
        return redirect("casefiles:sample", reference=access.inspection.reference)
    return None


def _posted(request, *, files: bool = False) -> tuple:
    """A form's data: bound on POST even when nothing was sent, so 'required' is reported."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _page(request, template: str, access: Access, **context):
    return render(
        request,
        template,
        {"inspection": access.inspection, "access": access, "active_tab": "sample", **context},
    )


@require_GET
def sample_overview(request, reference):
    access = inspection_access(request.user, reference)
    state = sampling_state(access.inspection)
    added = Case.objects.filter(inspection=access.inspection, added_outside_draw=True).count()
    return _page(request, "casefiles/sample_overview.html", access, state=state, added=added)


def _vocabulary(sample_types: list[str]) -> list[tuple[str, str]]:
    """What each column accepts, for the upload page: the inspection's own sample types."""

    def values(choices, only=None) -> str:
        return ", ".join(
            f"{label} ({value})"
            for value, label in choices.choices
            if only is None or value in only
        )

    return [
        ("case_reference", "The organisation's reference for the case. Each case once."),
        ("sample_type", values(SampleType, only=sample_types)),
        ("organisation", "The organisation's code in this inspection (listed below)."),
        ("gender", values(Gender)),
        ("disposal_type", values(OrderType)),
        ("risk_of_serious_harm", values(Level)),
        (
            "safety_and_wellbeing",
            f"{values(Level)}; or Not applicable (N/A) for an adult on probation, whose "
            "safety and wellbeing is not classified",
        ),
        ("start_date", "The date the order or disposal started: YYYY-MM-DD or DD/MM/YYYY."),
    ]


@require_http_methods(["GET", "POST"])
def population_upload(request, reference):
    """Upload the eligible cases. The file is read and checked by a background job
    (casefiles/jobs.py): a clean file becomes the population and the job ends on the sample
    page; a file with problems saves nothing and the job ends back here, with
    ?checked=<the job>, listing its problems by row and column."""
    access = _lead_access(request, reference)
    if response := _drawn_already(request, access, "the eligible cases"):
        return response
    form = PopulationUploadForm(*_posted(request, files=True))
    problems, problem_count, filename = [], 0, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = job_start(
            kind=casefiles_jobs.POPULATION_UPLOAD,
            user=request.user,
            inspection=access.inspection,
            params={
                "upload": casefiles_jobs.upload_store(upload.read()),
                "filename": upload.name[:255],
                "back_url": request.path,
                "back_label": "Back to uploading the eligible cases",
            },
        )
        return redirect(job_url(job))
    if request.method == "GET" and (checked := _checked_job(request, access)):
        problems, problem_count = casefiles_jobs.problems_of(checked)
        filename = checked.params.get("filename", "")
        form = _form_refusing(
            f"{filename} has {problem_count} problem{'s' if problem_count != 1 else ''}, "
            "listed below by row and column. Nothing was saved: fix them all and upload the "
            "file again"
        )
    return _page(
        request,
        "casefiles/sample_upload.html",
        access,
        form=form,
        problems=problems[:MAX_PROBLEMS_SHOWN],
        problem_count=problem_count,
        filename=filename,
        columns=COLUMNS,
        vocabulary=_vocabulary(sample_types_for(access.inspection)),
        organisations=access.inspection.organisations.all(),
    )


def _form_refusing(message: str) -> PopulationUploadForm:
    """An empty upload form showing why the file that was checked was refused: as the form
    a POST with that file would have shown, so the error summary links to the field."""
    form = PopulationUploadForm()
    form.is_bound = True
    form.cleaned_data = {}
    form._errors = ErrorDict()
    form.add_error("file", message)
    return form


def _checked_job(request, access: Access) -> Job | None:
    """The person's own finished check of a file for this inspection that found problems,
    named by ?checked=; None if there is none (or it is someone else's: not found)."""
    try:
        public_id = uuid.UUID(request.GET.get("checked", ""))
    except ValueError:
        return None
    try:
        job = job_for_user(request.user, public_id)
    except Http404:
        return None
    if (
        job.kind != casefiles_jobs.POPULATION_UPLOAD
        or job.inspection_id != access.inspection.pk
        or job.status != Job.Status.DONE
        or not job.params.get("problem_count")
    ):
        return None
    return job


@require_GET
def population_template(request, reference):
    inspection = inspection_access(request.user, reference).inspection
    organisations = [
        TemplateOrganisation(o.slug, o.name, o.is_youth) for o in inspection.organisations.all()
    ]
    content = template_csv(organisations, sample_types_for(inspection))
    response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="eligible-cases-{inspection.reference}.csv"'
    )
    return response


@require_http_methods(["GET", "POST"])
def windows_edit(request, reference):
    access = _lead_access(request, reference)
    if response := _drawn_already(request, access, "the eligibility windows"):
        return response
    inspection = access.inspection
    form = WindowsForm(
        *_posted(request),
        sample_types=sample_types_for(inspection),
        windows=sampling_plan(inspection).windows,
    )
    if request.method == "POST" and form.is_valid():
        try:
            sample_services.sampling_windows_update(
                inspection=inspection, windows=form.windows(), by=request.user
            )
        except SamplingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Eligibility windows saved")
            return redirect("casefiles:sample", reference=reference)
    return _page(
        request,
        "casefiles/sample_form.html",
        access,
        form=form,
        title="Eligibility windows",
        intro=(
            "A case is eligible when its order or disposal started within its sample "
            "type's window, counted in calendar months back from the first day of "
            f"fieldwork ({inspection.fieldwork_start:%-d %B %Y}). Both ends are included. "
            "Leave both numbers empty for a sample type with no window: every case of "
            "that type is then eligible."
        ),
    )


@require_http_methods(["GET", "POST"])
def precision_edit(request, reference):
    access = _lead_access(request, reference)
    if response := _drawn_already(request, access, "the confidence level and margin of error"):
        return response
    inspection = access.inspection
    plan = sampling_plan(inspection)
    form = PrecisionForm(
        *_posted(request),
        initial={
            "confidence": f"{plan.confidence.normalize():f}",
            "margin": f"{(plan.margin * 100).normalize():f}",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            sample_services.sampling_precision_update(
                inspection=inspection,
                confidence=form.cleaned_data["confidence"],
                margin=form.cleaned_data["margin"] / 100,
                by=request.user,
            )
        except SamplingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Confidence level and margin of error saved")
            return redirect("casefiles:sample", reference=reference)
    return _page(
        request,
        "casefiles/sample_form.html",
        access,
        form=form,
        title="Confidence level and margin of error",
        intro=(
            "The sample size is set to estimate how often cases meet a standard to this "
            "precision. The inspectorate's reports use 80% with a margin of error of 5."
        ),
    )


@require_http_methods(["GET", "POST"])
def size_override(request, reference, sample_type):
    access = _lead_access(request, reference)
    if response := _drawn_already(request, access, "the sample size"):
        return response
    state = sampling_state(access.inspection)
    line = next((s for s in state.sizes if s.sample_type == sample_type), None)
    if line is None:
        raise Http404("This inspection draws no sample of that type")
    form = SizeOverrideForm(
        *_posted(request),
        eligible=line.calculation.population,
        calculated=line.calculation.size,
        initial={"size": line.override.size if line.overridden else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            sample_services.sample_size_override(
                inspection=access.inspection,
                sample_type=sample_type,
                size=form.cleaned_data["size"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except SamplingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Sample size for {line.label.lower()}s saved")
            return redirect("casefiles:sample", reference=reference)
    return _page(
        request,
        "casefiles/sample_form.html",
        access,
        form=form,
        title=f"Sample size: {line.label.lower()}s",
        intro=(
            "You can set a sample size other than the calculated one, for example to "
            "match the inspectors' time on site. The reason is kept with the sample."
        ),
    )


@require_http_methods(["GET", "POST"])
def sample_draw(request, reference):
    """The draw: its form until the sample is drawn, then the drawn sample. Drawing runs as
    a background job (casefiles/jobs.py), which ends back on this page."""
    access = inspection_access(request.user, reference)
    if request.method == "POST":
        access.require(access.may_set_up_sample)
    state = sampling_state(access.inspection)
    if state.draw is not None:
        if request.method == "POST":
            messages.info(request, "The sample has already been drawn.")
            return redirect("casefiles:sample_draw", reference=reference)
        added = Case.objects.filter(
            inspection=access.inspection, added_outside_draw=True
        ).select_related("organisation")
        return _page(
            request,
            "casefiles/sample_drawn.html",
            access,
            view=draw_view(state.draw),
            added=added,
        )
    form = DrawForm(*_posted(request)) if access.may_set_up_sample else None
    existing = sample_services.existing_cases(access.inspection)
    if request.method == "POST" and form.is_valid():
        if existing["cases"] and not _confirmed(request, existing["cases"]):
            # Say what will happen to the cases already there before anything runs; and
            # again if cases were added or removed since the lead read the warning.
            return _page(
                request,
                "casefiles/sample_draw_confirm.html",
                access,
                seed=form.cleaned_data["seed"],
                existing=existing,
                state=state,
            )
        job = job_start(
            kind=casefiles_jobs.SAMPLE_DRAW,
            user=request.user,
            inspection=access.inspection,
            params={
                "seed": form.cleaned_data["seed"],
                "back_url": request.path,
                "back_label": "Back to the draw",
            },
        )
        return redirect(job_url(job))
    return _page(
        request, "casefiles/sample_draw.html", access, form=form, state=state, existing=existing
    )


def _confirmed(request, count: int) -> bool:
    """The lead confirmed the draw having been told of exactly this many existing cases."""
    return request.POST.get("confirm") == "yes" and request.POST.get("existing") == str(count)


@require_http_methods(["GET", "POST"])
def drawn_case_replace(request, public_id):
    entry, access = drawn_case_access(request.user, public_id)
    access.require(access.may_set_up_sample)
    reference = access.inspection.reference
    if entry.status != DrawnCase.Status.SELECTED:
        messages.info(request, f"Case {entry.reference} is not in the sample.")
        return redirect("casefiles:sample_draw", reference=reference)
    form = ReplaceForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            replacement = sample_services.drawn_case_replace(
                entry=entry, reason=form.cleaned_data["reason"], by=request.user
            )
        except SamplingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Case {entry.reference} replaced by {replacement.reserve.reference}",
            )
            return redirect("casefiles:sample_draw", reference=reference)
    next_reserve = (
        DrawnCase.objects.filter(
            draw=entry.draw, stratum=entry.stratum, status=DrawnCase.Status.RESERVE
        )
        .order_by("position")
        .first()
    )
    return _page(
        request,
        "casefiles/sample_replace.html",
        access,
        form=form,
        entry=entry,
        labels=stratum_label(entry.stratum),
        next_reserve=next_reserve,
    )
