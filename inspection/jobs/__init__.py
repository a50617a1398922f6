"""Long work in the background, with progress: the machinery every app uses.

An app registers a kind of job from its AppConfig.ready:

    from inspection.jobs import JobFile, register

    def report_pdf(job, progress):
        progress(10, "Reading the ratings")
        ...
        return JobFile("report.pdf", "application/pdf", content=pdf_bytes)

    register("report-pdf", report_pdf, title="Report PDF")

and its view starts the job and sends the person to the job's page:

    job = job_start(kind="report-pdf", user=request.user, inspection=inspection, params={...})
    return redirect(job_url(job))

The page shows the progress, then the download (for the person who asked only) or what failed,
with "Try again". The work runs as a django-tasks task (`run_job`) in `manage.py db_worker`.
"""

from .access import job_for_user, job_url
from .registry import JobFailed, JobFile, JobKind, JobRedirect, get_kind, register
from .services import job_purge_expired, job_recover_stalled, job_retry, job_start

__all__ = [
    "JobFailed",
    "JobFile",
    "JobKind",
    "JobRedirect",
    "get_kind",
    "job_for_user",
    "job_purge_expired",
    "job_recover_stalled",
    "job_retry",
    "job_start",
    "job_url",
    "register",
]
