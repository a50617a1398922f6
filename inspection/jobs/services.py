"""Starting, retrying and looking after jobs. Every write to a Job outside its own run is here."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from inspection.models import Inspection, Job, User

from .files import job_file_delete, job_files_dir
from .registry import get_kind

logger = logging.getLogger(__name__)


def _enqueue_on_commit(job: Job) -> None:
    """Queue the job's run once the Job row is committed, so a worker always finds it."""
    pk, public_id, token = job.pk, str(job.public_id), str(job.run_token)

    def enqueue():
        from .tasks import run_job

        result = run_job.enqueue(public_id, token)
        Job.objects.filter(pk=pk, run_token=token).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue)


@transaction.atomic
def job_start(
    *, kind: str, user: User, inspection: Inspection | None = None, params: dict | None = None
) -> Job:
    """Create a job of a registered kind for `user` and queue it. The caller has already
    checked that `user` may have this work done (the view's access helper)."""
    get_kind(kind)  # an unknown kind is a programming error: fail here, not in the worker
    job = Job.objects.create(
        kind=kind,
        user=user,
        inspection=inspection,
        params=params or {},
        heartbeat_at=timezone.now(),
    )
    _enqueue_on_commit(job)
    return job


_RESET = {
    "percent": 0,
    "step": "",
    "error": "",
    "file_name": "",
    "content_type": "",
    "file_size": None,
    "redirect_url": "",
    "started_at": None,
    "finished_at": None,
    "expires_at": None,
    "task_result_id": "",
}


@transaction.atomic
def job_retry(*, job: Job, user: User) -> Job:
    """Run a failed job again, or make an expired job's file again. Anything else (it is
    already queued, running or done: a second click) is left as it is."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.user_id != user.pk:
        raise PermissionDenied
    if job.status not in {Job.Status.FAILED, Job.Status.EXPIRED}:
        return job
    job_file_delete(job.public_id)
    for field, value in _RESET.items():
        setattr(job, field, value)
    job.status = Job.Status.QUEUED
    job.attempts = 0
    job.run_token = uuid.uuid4()
    job.heartbeat_at = timezone.now()
    job.save()
    _enqueue_on_commit(job)
    return job


WORKER_STOPPED = (
    "The work stopped before it could finish, {attempts} times. Try again; if it stops again, "
    "tell the service team."
)


def _mark_task_abandoned(task_result_id: str, now) -> None:
    """The dead worker's task row stays 'running' for ever otherwise."""
    if not task_result_id:
        return
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_result_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="inspection.jobs.tasks.WorkerStopped",
        traceback="The worker stopped during this task; the job was queued again.",
    )


@transaction.atomic
def job_recover_stalled(*, now=None) -> dict[str, int]:
    """Queue again the jobs whose worker died, and queue the jobs whose queuing was lost.

    A running job reports progress (the heartbeat) at least every JOB_STALL_SECONDS while its
    worker lives; one silent for longer is run again with a new run token (so the old run, if
    it was only slow, writes nothing more), up to JOB_MAX_ATTEMPTS runs, then failed.
    Rows are locked and locked ones skipped, so two sweeps at once do not both act on a job.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_STALL_SECONDS)
    counts = {"requeued": 0, "failed": 0, "enqueued": 0}
    for job in Job.objects.stalled(before=cutoff).select_for_update(skip_locked=True):
        _mark_task_abandoned(job.task_result_id, now)
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            job.status = Job.Status.FAILED
            job.error = WORKER_STOPPED.format(attempts=job.attempts)
            job.step = ""
            job.finished_at = now
            job.save(update_fields=["status", "error", "step", "finished_at"])
            counts["failed"] += 1
            logger.warning(
                "Job %s failed: its worker stopped %d times", job.public_id, job.attempts
            )
            continue
        job.status = Job.Status.QUEUED
        job.step = "Starting again after an interruption"
        job.run_token = uuid.uuid4()
        job.task_result_id = ""
        job.heartbeat_at = now
        job.save(update_fields=["status", "step", "run_token", "task_result_id", "heartbeat_at"])
        _enqueue_on_commit(job)
        counts["requeued"] += 1
        logger.warning(
            "Job %s queued again: its worker stopped (attempt %d)", job.public_id, job.attempts
        )
    # Committed but never queued (the process stopped between the two): queue it now. A
    # second task for the same run is harmless: only one can claim the queued job.
    lost = Job.objects.filter(
        status=Job.Status.QUEUED, task_result_id="", heartbeat_at__lt=cutoff
    ).select_for_update(skip_locked=True)
    for job in lost:
        job.heartbeat_at = now
        job.save(update_fields=["heartbeat_at"])
        _enqueue_on_commit(job)
        counts["enqueued"] += 1
    return counts


def job_purge_expired(*, now=None) -> int:
    """Delete the files of jobs past JOB_FILE_HOURS and mark the jobs expired; also delete
    stray files in JOB_FILES_DIR (a job deleted with its person or inspection, a write cut off
    by a killed worker). Returns the number of jobs expired."""
    now = now or timezone.now()
    purged = 0
    for job in Job.objects.expired(now=now).only("pk", "public_id"):
        # The file first, then the row: if deleting the file fails, the row stays "done" and
        # the next sweep tries again (the pages already treat it as gone: Job.file_is_kept).
        job_file_delete(job.public_id)
        purged += Job.objects.filter(pk=job.pk, status=Job.Status.DONE).update(
            status=Job.Status.EXPIRED, file_size=None
        )
    _delete_stray_files(now)
    return purged


# A file younger than this is left alone: its job may be storing it right now (the file is
# moved into place just before the job is marked done).
STRAY_GRACE = timedelta(hours=1)


def _delete_stray_files(now) -> None:
    folder = job_files_dir()
    if not folder.is_dir():
        return
    cutoff = (now - STRAY_GRACE).timestamp()
    old = [path for path in folder.iterdir() if path.stat().st_mtime < cutoff]
    ids = []
    for path in old:
        try:
            ids.append(uuid.UUID(path.name))
        except ValueError:
            pass  # a partial write (".<id>.<random>.part") or anything else: not a job's file
    kept = {
        str(public_id)
        for public_id in Job.objects.filter(public_id__in=ids, status=Job.Status.DONE).values_list(
            "public_id", flat=True
        )
    }
    for path in old:
        if path.name not in kept and path.is_file():
            logger.info("Deleting stray job file %s", path.name)
            path.unlink(missing_ok=True)
