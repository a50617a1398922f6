"""The casefiles app's background jobs: reading an uploaded population file and drawing the
sample (inspection/jobs). Registered from CasefilesConfig.ready.

Each handler checks again, when it runs, that the person who asked may still set up the
sample: they may have been taken off the team, or stopped being its lead, since they asked.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from inspection.access import Access, inspection_access
from inspection.jobs import JobFailed, JobRedirect, register
from inspection.jobs.files import job_files_dir
from inspection.models import Job

logger = logging.getLogger(__name__)

POPULATION_UPLOAD = "population-upload"
SAMPLE_DRAW = "sample-draw"

# At most this many problems are kept with the job and listed; the count says how many more.
MAX_PROBLEMS_KEPT = 500


def _keep(job, **values) -> None:
    """Keep what the work found with the job (its params), for the pages that show it: the
    problems in a file, or done_message, which the job page shows once it sends the person
    on. Written only while this run still owns the job, as the machinery's own writes are."""
    params = {**job.params, **values}
    Job.objects.filter(pk=job.pk, run_token=job.run_token).update(params=params)
    job.params = params


def _lead_access_now(job) -> Access:
    try:
        access = inspection_access(job.user, job.inspection.reference)
    except Http404:
        raise JobFailed("You can no longer see this inspection, so nothing was done.") from None
    if not job.user.is_active or not access.may_set_up_sample:
        raise JobFailed(
            "Only the lead inspector sets up the sample, and you are no longer the lead of "
            "this inspection, so nothing was done."
        )
    return access


# ------------------------------------------------------------------------------ uploads


def uploads_dir() -> Path:
    """Uploaded population files waiting for their job: private, beside the job files."""
    return job_files_dir() / "uploads"


def upload_store(data: bytes) -> str:
    """Keep an uploaded file for the job that reads it; returns the name to give the job.

    The name is random, so nothing the person sent reaches a path. Files left behind by a
    job that failed and was never tried again are deleted after JOB_FILE_HOURS.
    """
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _delete_old_uploads(folder)
    token = uuid.uuid4().hex
    path = folder / token
    path.write_bytes(data)
    path.chmod(0o600)
    return token


def _upload_path(token: str) -> Path:
    return uploads_dir() / uuid.UUID(hex=token).hex


def _delete_old_uploads(folder: Path) -> None:
    cutoff = time.time() - settings.JOB_FILE_HOURS * 3600
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def problems_of(job: Job) -> tuple[list, int]:
    """The problems a population job found (the first MAX_PROBLEMS_KEPT) and how many."""
    from casefiles.sampling.population import RowProblem

    found = job.params.get("problems") or []
    return [RowProblem(**problem) for problem in found], job.params.get("problem_count", 0)


def population_upload_job(job, progress) -> JobRedirect:
    """Read and check the uploaded file; keep it as the population only if it is clean.

    Clean: the job ends on the sample page. With problems: nothing is saved, the problems
    are kept with the job (by row and column) and the job ends on the upload page, which
    lists them for the person who asked.
    """
    from casefiles.sampling import services

    access = _lead_access_now(job)
    inspection = access.inspection
    filename = job.params.get("filename", "")
    path = _upload_path(job.params["upload"])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise JobFailed(
            f"The uploaded file {filename} is no longer kept. Upload it again."
        ) from None
    progress(10, f"Reading and checking {filename}"[:200])
    try:
        result = services.population_upload(
            inspection=inspection, filename=filename, data=data, by=job.user
        )
    except services.SamplingError as error:
        raise JobFailed(str(error)) from None
    path.unlink(missing_ok=True)
    if result.population is not None:
        population = result.population
        _keep(
            job,
            done_message=(
                f"{population.row_count} eligible cases uploaded from {population.filename}"
            ),
        )
        return JobRedirect(reverse("casefiles:sample", args=[inspection.reference]))
    _keep(
        job,
        problems=[asdict(problem) for problem in result.problems[:MAX_PROBLEMS_KEPT]],
        problem_count=len(result.problems),
    )
    upload_page = reverse("casefiles:sample_upload", args=[inspection.reference])
    return JobRedirect(f"{upload_page}?checked={job.public_id}")


def sample_draw_job(job, progress) -> JobRedirect:
    from casefiles.sampling import services
    from casefiles.sampling.selectors import sampling_state

    access = _lead_access_now(job)
    inspection = access.inspection
    progress(5, "Reading the eligible cases")
    state = sampling_state(inspection)
    labels = [line.label.lower() for line in state.sizes if line.calculation.population]
    if labels:
        plural = "s" if len(labels) > 1 else ""
        step = f"Drawing the {' and '.join(f'{label}s' for label in labels)} sample{plural}"
    else:
        step = "Drawing the sample"
    progress(20, step[:200])
    try:
        draw = services.sample_draw(inspection=inspection, seed=job.params["seed"], by=job.user)
    except services.SamplingError as error:
        raise JobFailed(str(error)) from None
    drawn = sum(size["drawn"] for size in draw.sizes.values())
    _keep(job, done_message=f"Sample drawn: {drawn} cases added to the inspection")
    return JobRedirect(reverse("casefiles:sample_draw", args=[inspection.reference]))


def register_kinds() -> None:
    register(
        POPULATION_UPLOAD,
        population_upload_job,
        title="Checking the eligible cases",
        doing="reading the population file",
    )
    register(SAMPLE_DRAW, sample_draw_job, title="Drawing the sample", doing="drawing the sample")
