"""The one django-tasks task that runs every kind of job, and the progress it reports."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from inspection.models import Job

from .files import job_file_store
from .registry import JobFailed, JobFile, JobRedirect, get_kind

logger = logging.getLogger(__name__)

# Progress is written at most this often (seconds): a handler may report every row it reads.
SAVE_EVERY_SECONDS = 1.0


class JobSuperseded(Exception):  # noqa: N818
    """This run was taken for dead and the job queued again: stop, and write nothing more."""


class Progress:
    """The callback a handler reports to: progress(percent, "what it is doing").

    Each write also proves this run is alive (the heartbeat that recovery watches), and is
    made only while this run still owns the job (its run_token), so a run that was replaced
    stops at its next report instead of racing the new one.
    """

    def __init__(self, job: Job):
        self.job = job
        self._last_write = time.monotonic()

    def __call__(self, percent: int, step: str = "") -> None:
        self.job.percent = max(0, min(100, int(percent)))
        self.job.step = step[:200]
        if time.monotonic() - self._last_write < SAVE_EVERY_SECONDS:
            return
        self.write()

    def write(self) -> None:
        self._last_write = time.monotonic()
        updated = _this_run(self.job).update(
            percent=self.job.percent, step=self.job.step, heartbeat_at=timezone.now()
        )
        if not updated:
            raise JobSuperseded


def _this_run(job: Job):
    return Job.objects.filter(pk=job.pk, run_token=job.run_token, status=Job.Status.RUNNING)


def _claim(public_id: str, run_token: str, task_result_id: str) -> Job | None:
    """Mark the job running for this run, or None if this run is not (or no longer) wanted:
    the job was retried or recovered since (another token), or another run already took it."""
    with transaction.atomic():
        job = (
            Job.objects.select_for_update()
            .filter(public_id=public_id, run_token=run_token, status=Job.Status.QUEUED)
            .first()
        )
        if job is None:
            return None
        now = timezone.now()
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = now
        job.heartbeat_at = now
        job.percent = 0
        job.step = "Starting"
        job.task_result_id = task_result_id
        job.save(
            update_fields=[
                "status",
                "attempts",
                "started_at",
                "heartbeat_at",
                "percent",
                "step",
                "task_result_id",
            ]
        )
        return job


def _finish(job: Job, result) -> bool:
    now = timezone.now()
    fields = {
        "status": Job.Status.DONE,
        "percent": 100,
        "step": "",
        "finished_at": now,
        "heartbeat_at": now,
        "expires_at": now + timedelta(hours=settings.JOB_FILE_HOURS),
    }
    if isinstance(result, JobFile):
        fields.update(
            file_name=result.filename[:200],
            content_type=result.content_type,
            file_size=job_file_store(job.public_id, result),
        )
    elif isinstance(result, JobRedirect):
        fields["redirect_url"] = result.url
    else:
        raise TypeError(f"A {job.kind} job returned {result!r}, not a JobFile or JobRedirect.")
    return bool(_this_run(job).update(**fields))


def _fail(job: Job, message: str) -> bool:
    now = timezone.now()
    return bool(
        _this_run(job).update(
            status=Job.Status.FAILED, error=message, step="", finished_at=now, heartbeat_at=now
        )
    )


@task(takes_context=True)
def run_job(context, public_id: str, run_token: str) -> str:
    """Run one job: the handler its kind registered, with progress, then its file or failure."""
    job = _claim(public_id, run_token, str(context.task_result.id))
    if job is None:
        return "not wanted"
    try:
        kind = get_kind(job.kind)
    except LookupError:
        logger.error("Job %s has kind %r, which no app registers", job.public_id, job.kind)
        _fail(job, "This kind of work is no longer offered. Tell the service team.")
        return "failed"
    try:
        result = kind.handler(job, Progress(job))
        finished = _finish(job, result)
    except JobSuperseded:
        return "superseded"
    except JobFailed as failure:
        _fail(job, failure.message)
        return "failed"
    except Exception:
        logger.exception("Job %s (%s) failed", job.public_id, job.kind)
        _fail(job, kind.general_error)
        return "failed"
    return "done" if finished else "superseded"
