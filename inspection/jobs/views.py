from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from inspection.models import Job

from .access import job_for_user, job_url
from .files import job_file_path
from .registry import kinds
from .services import job_retry

# While a job is queued or running its page reloads itself this often (seconds): the HTTP
# Refresh header, which browsers treat as <meta http-equiv="refresh">, so no script is needed.
REFRESH_SECONDS = 2


@require_GET
def job_detail(request, public_id):
    job = job_for_user(request.user, public_id)
    if (
        job.status == Job.Status.DONE
        and job.redirect_url
        and url_has_allowed_host_and_scheme(job.redirect_url, allowed_hosts=None)
    ):
        # What the work did, in the words its kind kept (e.g. "Sample drawn: 50 cases..."),
        # shown on the page it sends the person to, as a page that did it at once would.
        if done_message := job.params.get("done_message"):
            messages.success(request, done_message)
        return redirect(job.redirect_url)
    kind = kinds().get(job.kind)
    # The page the work was started from, when the view that started it said (a path on
    # this site only: params are written by the application, but a link is a link).
    back_url = job.params.get("back_url", "")
    if not url_has_allowed_host_and_scheme(back_url, allowed_hosts=None):
        back_url = ""
    response = render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "title": kind.title if kind else "Background work",
            "file_is_kept": job.file_is_kept(timezone.now()),
            "file_hours": settings.JOB_FILE_HOURS,
            "refresh_seconds": REFRESH_SECONDS,
            "back_url": back_url,
            "back_label": job.params.get("back_label") or "Back",
        },
    )
    if job.is_active:
        response["Refresh"] = str(REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def job_download(request, public_id):
    job = job_for_user(request.user, public_id)
    if not job.file_is_kept(timezone.now()):
        raise Http404
    try:
        handle = job_file_path(job.public_id).open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.file_name,
        content_type=job.content_type or "application/octet-stream",
    )
    # Personal data: no copy in any cache, the browser's included.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def job_retry_view(request, public_id):
    job = job_for_user(request.user, public_id)
    job_retry(job=job, user=request.user)
    return redirect(job_url(job))
