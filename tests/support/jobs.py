"""Following a page that starts a background job to the job and to its file."""

from __future__ import annotations

from django.urls import resolve, reverse

from inspection.models import Job


def job_of(response) -> Job:
    """The job a page started: the one its redirect (302 to /jobs/<id>/) names."""
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.view_name == "jobs:detail", response["Location"]
    return Job.objects.get(public_id=match.kwargs["public_id"])


def download(client, job: Job):
    """The job's file as the person who asked downloads it from the job's page: the
    download's response (a FileResponse: read it with `content_of`)."""
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.status, job.error)
    page = client.get(reverse("jobs:detail", args=[job.public_id]))
    link = reverse("jobs:download", args=[job.public_id])
    assert link in page.content.decode()
    response = client.get(link)
    assert response.status_code == 200
    return response


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


def make_file(client, url: str, run_jobs):
    """POST to a page that makes a file, let the job run, and download what it made."""
    with run_jobs():
        response = client.post(url)
    return download(client, job_of(response))
