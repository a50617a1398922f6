"""The reports app's background jobs: the report PDF, the answers extract (CSV and Excel),
the whole-inspection file and deleting case data after publication (inspection/jobs).

Registered from ReportsConfig.ready. Each handler checks again, when it runs, that the person
who asked may still have the work done: they may have left the team since they asked.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from inspection.access import Access, inspection_access
from inspection.jobs import JobFailed, JobFile, JobRedirect, register
from inspection.jobs.files import job_files_dir

REPORT_PDF = "report-pdf"
ANSWERS_CSV = "answers-csv"
ANSWERS_XLSX = "answers-xlsx"
INSPECTION_JSON = "inspection-json"
CASE_DATA_PURGE = "case-data-purge"

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _access_now(job, allowed: Callable[[Access], bool], refused: str) -> Access:
    """The person's access to the job's inspection as it is now, or JobFailed."""
    try:
        access = inspection_access(job.user, job.inspection.reference)
    except Http404:
        raise JobFailed(
            "You can no longer see this inspection, so the work was not done."
        ) from None
    if not job.user.is_active or not allowed(access):
        raise JobFailed(refused)
    return access


@contextmanager
def _file_to_write():
    """A new file beside the job files (so storing it is a rename), deleted if the work
    fails before the file is handed over."""
    folder = job_files_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, name = tempfile.mkstemp(dir=folder, prefix=".work-", suffix=".part")
    os.close(handle)
    path = Path(name)
    try:
        yield path
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _case_progress(progress, *, start: int = 5, end: int = 95):
    """progress(done, total) from an export, as "Writing case 1,200 of 3,000"."""

    def report(done: int, total: int) -> None:
        share = done / total if total else 1
        progress(start + int((end - start) * share), f"Writing case {done + 1:,} of {total:,}")

    return report


def report_pdf_job(job, progress) -> JobFile:
    from reports.writing.document import report_document
    from reports.writing.pdf import ReportPdf

    access = _access_now(
        job, lambda access: True, "You can no longer read this inspection's report."
    )
    progress(10, "Reading the ratings and the report's text")
    renderer = ReportPdf(report_document(access.inspection))
    progress(40, "Laying out the pages of the report")
    data = renderer.render()
    progress(95, "Saving the PDF")
    return JobFile(renderer.filename, "application/pdf", content=data)


EVIDENCE_REFUSED = (
    "You may no longer download the answers and evidence notes of this inspection: they are "
    "for the inspection's team only."
)


def answers_csv_job(job, progress) -> JobFile:
    from reports.exchange.answers import answers_csv_write

    access = _access_now(job, lambda access: access.may_export_answers, EVIDENCE_REFUSED)
    progress(2, "Reading the cases")
    with _file_to_write() as path:
        answers_csv_write(access.inspection, path, progress=_case_progress(progress))
        progress(98, "Saving the file")
    return JobFile(
        f"{access.inspection.reference}-answers.csv", "text/csv; charset=utf-8", path=path
    )


def answers_xlsx_job(job, progress) -> JobFile:
    from reports.exchange.answers import answers_xlsx_write

    access = _access_now(job, lambda access: access.may_export_answers, EVIDENCE_REFUSED)
    progress(2, "Reading the cases")
    with _file_to_write() as path:
        answers_xlsx_write(access.inspection, path, progress=_case_progress(progress, end=90))
        progress(92, "Packing the workbook")
    return JobFile(f"{access.inspection.reference}-answers.xlsx", XLSX, path=path)


def inspection_json_job(job, progress) -> JobFile:
    from reports.exchange.export import inspection_export_write

    access = _access_now(
        job,
        lambda access: access.may_export_inspection,
        "You may no longer download the whole inspection: only its lead inspector and "
        "administrators may.",
    )
    progress(2, "Reading the inspection, its organisations and team")
    with _file_to_write() as path:
        with path.open("w", encoding="utf-8", newline="\n") as file:
            # The callback is told of each case after it is written.
            inspection_export_write(
                access.inspection,
                file,
                progress=lambda done, total: _case_progress(progress)(done - 1, total),
            )
        progress(98, "Saving the file")
    return JobFile(
        f"{access.inspection.reference}.json", "application/json; charset=utf-8", path=path
    )


def case_data_purge_job(job, progress) -> JobRedirect:
    """Delete the inspection's case data (reports/retention.py): the checks are the
    service's own, made again when the job runs, and say what stops it in plain words."""
    from reports.retention import PurgeRefused, case_data_purge

    inspection = job.inspection
    progress(10, "Freezing the ratings and the report, then deleting the case data")
    try:
        case_data_purge(inspection=inspection, actor=job.user)
    except PurgeRefused as refused:
        raise JobFailed(str(refused)) from None
    return JobRedirect(reverse("inspection:detail", args=[inspection.reference]))


def register_kinds() -> None:
    register(REPORT_PDF, report_pdf_job, title="Report PDF")
    register(ANSWERS_CSV, answers_csv_job, title="Answers as CSV")
    register(ANSWERS_XLSX, answers_xlsx_job, title="Answers as an Excel workbook")
    register(
        INSPECTION_JSON,
        inspection_json_job,
        title="The whole inspection as JSON",
        doing="making the whole inspection's file",
    )
    register(
        CASE_DATA_PURGE,
        case_data_purge_job,
        title="Deleting the case data",
        doing="deleting the case data",
    )


# ------------------------------------------------------------------------------ the pages


def job_start_page(
    request,
    access: Access,
    *,
    kind: str,
    title: str,
    description: str,
    back_url: str,
    back_label: str,
):
    """A page that makes a file in the background: GET offers "Create the file" (a form, so
    an old download link still leads somewhere), POST starts the job and sends the person
    to its page, which links back to `back_url`. The view has already checked access."""
    from django.shortcuts import redirect, render

    from inspection.jobs import job_start, job_url

    if request.method == "POST":
        job = job_start(
            kind=kind,
            user=request.user,
            inspection=access.inspection,
            params={"back_url": back_url, "back_label": back_label},
        )
        return redirect(job_url(job))
    return render(
        request,
        "reports/job_start.html",
        {
            "inspection": access.inspection,
            "access": access,
            "title": title,
            "description": description,
            "back_url": back_url,
            "back_label": back_label,
            "file_hours": settings.JOB_FILE_HOURS,
        },
    )
