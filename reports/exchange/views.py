"""Downloads of an inspection's data: the answers extract (CSV, Excel) and the whole inspection.

The inspection's team and administrators may download the answers extract; managers with
no place on the team may not (inspection.permissions.may_export_answers): its evidence
notes are written about named children. The whole inspection file, which holds the case
files' personal details, is for the lead inspector and administrators only.

Each file is made by a background job (reports/jobs.py): a POST (a button on the export
page, or on the page the old download address now shows) starts it and sends the person to
the job's page, which shows its progress and then the download, for them only.

Deleting a published inspection's case data (reports/retention.py) is started here too, by
its lead inspector or an administrator, and runs as a background job the same way.
"""

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from casefiles.models import Case
from inspection import permissions
from inspection.access import inspection_access
from inspection.jobs import job_start, job_url
from inspection.models import CaseDataPurge, Job
from judgements.models import Answer
from reports import jobs
from reports.retention import PurgeRefused, case_data_counts, purge_check


@require_http_methods(["GET", "HEAD"])
def exchange(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    return render(
        request,
        "reports/exchange.html",
        {
            "inspection": inspection,
            "access": access,
            "cases": Case.objects.filter(inspection=inspection).count(),
            "answers": Answer.objects.filter(case__inspection=inspection).count(),
            "can_export_inspection": access.may_export_inspection,
            "can_export_evidence": access.may_export_answers,
            "can_delete_case_data": permissions.may_purge_case_data(access.role, request.user),
            "active_tab": "export",
        },
    )


def _export(request, reference, *, kind: str, allowed, title: str, description: str):
    access = inspection_access(request.user, reference)
    access.require(allowed(access))
    return jobs.job_start_page(
        request,
        access,
        kind=kind,
        title=title,
        description=description,
        back_url=reverse("reports:exchange", args=[access.inspection.reference]),
        back_label="Back to the export page",
    )


ANSWERS = (
    "One row for each case and question, with the case's classifications, the answer and "
    "the evidence note."
)


@require_http_methods(["GET", "HEAD", "POST"])
def answers_csv(request, reference):
    return _export(
        request,
        reference,
        kind=jobs.ANSWERS_CSV,
        allowed=lambda access: access.may_export_answers,
        title="Answers as CSV",
        description=ANSWERS,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def answers_excel(request, reference):
    return _export(
        request,
        reference,
        kind=jobs.ANSWERS_XLSX,
        allowed=lambda access: access.may_export_answers,
        title="Answers as an Excel workbook",
        description=ANSWERS,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def inspection_file(request, reference):
    return _export(
        request,
        reference,
        kind=jobs.INSPECTION_JSON,
        allowed=lambda access: access.may_export_inspection,
        title="The whole inspection as JSON",
        description=(
            "Everything about this inspection in one JSON file, including the names, dates "
            "of birth and addresses held in the case files."
        ),
    )


# --------------------------------------------------------------------------- retention


class PurgeConfirmForm(forms.Form):
    """The lead's confirmation that the case data may be deleted."""

    confirm = forms.BooleanField(
        label="I understand that the case data will be deleted and cannot be brought back",
        error_messages={
            "required": "Confirm that you understand the case data will be deleted for good"
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


def _purge_job_waiting(inspection):
    """A deletion already asked for and not finished (a second click, a second person)."""
    return (
        Job.objects.filter(
            kind=jobs.CASE_DATA_PURGE,
            inspection=inspection,
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        )
        .order_by("-pk")
        .first()
    )


@require_http_methods(["GET", "HEAD", "POST"])
def case_data_delete(request, reference):
    """Delete a published inspection's case data (reports/retention.py), for its lead
    inspector and administrators: what goes and what stays, a confirmation, then a background
    job whose page shows its progress. The service checks everything again when the job
    runs; this page says beforehand what would stop it."""
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    access.require(permissions.may_purge_case_data(access.role, request.user))
    waiting = _purge_job_waiting(inspection)
    if waiting is not None:
        if waiting.user_id == request.user.pk:
            return redirect(job_url(waiting))
        refused = f"{waiting.user} has already asked for the case data to be deleted."
    else:
        try:
            purge_check(inspection=inspection, actor=request.user)
            refused = ""
        except PurgeRefused as error:
            refused = str(error)
    form = PurgeConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not refused and form.is_valid():
        job = job_start(
            kind=jobs.CASE_DATA_PURGE,
            user=request.user,
            inspection=inspection,
            params={
                "back_url": reverse("inspection:detail", args=[inspection.reference]),
                "back_label": "Back to the inspection",
            },
        )
        return redirect(job_url(job))
    return render(
        request,
        "reports/case_data_delete.html",
        {
            "inspection": inspection,
            "access": access,
            "form": form,
            "refused": refused,
            "counts": case_data_counts(inspection) if not refused else None,
            "done": CaseDataPurge.objects.filter(inspection=inspection).first(),
            "active_tab": "export",
        },
        status=200,
    )
