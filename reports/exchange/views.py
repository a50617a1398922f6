"""Downloads of an inspection's data: the answers extract (CSV, Excel) and the whole inspection.

The inspection's team and administrators may download the answers extract; managers with
no place on the team may not (inspection.permissions.may_export_answers): its evidence
notes are written about named children. The whole inspection file, which holds the case
files' personal details, is for the lead inspector and administrators only.

Each file is made by a background job (reports/jobs.py): a POST (a button on the export
page, or on the page the old download address now shows) starts it and sends the person to
the job's page, which shows its progress and then the download, for them only.
"""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from casefiles.models import Case
from inspection.access import inspection_access
from judgements.models import Answer
from reports import jobs


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
