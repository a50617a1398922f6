"""Several workers on one queue (PostgreSQL only): every job runs exactly once, and a job whose
worker is killed mid-run is run again by another worker, not lost.

These need PostgreSQL: the workers are separate processes (`manage.py db_worker`, through
tests/support/jobs_worker.py so they know the demo kinds) that must share the test database,
which the in-memory SQLite test database cannot be; and what they show is PostgreSQL's row
locking, by which a worker claims a task (SELECT ... FOR UPDATE SKIP LOCKED in django-tasks-db),
as several workers on several machines would in production. The same code on SQLite is in
test_jobs.py.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from inspection.jobs import job_recover_stalled, job_start
from inspection.models import Job

ROOT = Path(__file__).resolve().parents[3]
NEEDS_POSTGRESQL = (
    "needs PostgreSQL: the worker processes share the test database and claim tasks with "
    "its row locks; the in-memory SQLite test database cannot be shared between processes"
)

pytestmark = pytest.mark.django_db(transaction=True)  # the workers see only committed rows


def wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"Gave up after {seconds} s waiting for {what}")


class Workers:
    """Worker processes on the test database, each with its own id and log."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, worker_id: str) -> None:
        db = connection.settings_dict
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
                f":{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "JOB_FILES_DIR": str(self.folder / "job-files"),
            "DEBUG": "0",
            "LOG_LEVEL": "INFO",
        }
        log = (self.folder / f"{worker_id}.log").open("w")
        self.processes[worker_id] = subprocess.Popen(  # noqa: S603 (our own fixed command)
            [
                sys.executable,
                "tests/support/jobs_worker.py",
                "--worker-id", worker_id,
                "--interval", "0.1",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_ready(self) -> None:
        for worker_id, process in self.processes.items():
            log = self.folder / f"{worker_id}.log"
            wait_for(
                lambda log=log, process=process: (
                    (process.poll() is None and "Starting worker" in log.read_text())
                    or (process.poll() is not None and self.fail(log))
                ),
                seconds=60,
                what=f"worker {worker_id} to start",
            )

    def fail(self, log: Path):
        raise AssertionError(f"A worker stopped:\n{log.read_text()}")

    def kill(self, worker_id: str) -> None:
        process = self.processes[worker_id]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
        for process in self.processes.values():
            process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRESQL)
    from tests.support.jobs_demo import register_demo_kinds, unregister_demo_kinds

    settings.JOB_FILES_DIR = tmp_path / "job-files"
    register_demo_kinds()
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        unregister_demo_kinds()


def runs(trace_dir: Path) -> list[tuple[str, int, int]]:
    """(job public id, attempt, process id) for each run the handlers recorded."""
    log = trace_dir / "runs.log"
    if not log.exists():
        return []
    return [
        (job, int(attempt), int(pid))
        for job, attempt, pid in (line.split() for line in log.read_text().splitlines())
    ]


def test_two_workers_on_one_queue_run_every_job_exactly_once(workers, people, tmp_path):
    workers.start("worker-a")
    workers.start("worker-b")
    workers.wait_ready()
    params = {"steps": 3, "sleep": 0.1, "trace_dir": str(tmp_path)}
    jobs = [job_start(kind="demo-slow", user=people.inspector, params=params) for _ in range(20)]

    wait_for(
        lambda: not Job.objects.filter(status__in=["queued", "running"]).exists(),
        seconds=120,
        what="the 20 jobs to finish",
    )

    assert Counter(Job.objects.values_list("status", flat=True)) == {"done": 20}
    assert set(Job.objects.values_list("attempts", flat=True)) == {1}
    ran = runs(tmp_path)
    assert sorted(job for job, _, _ in ran) == sorted(str(job.public_id) for job in jobs)
    tasks = DBTaskResult.objects.filter(task_path="inspection.jobs.tasks.run_job")
    assert tasks.count() == 20
    assert all(task.status == TaskResultStatus.SUCCESSFUL for task in tasks)
    assert all(len(task.worker_ids) == 1 for task in tasks)  # claimed once, by one worker
    # Both workers took jobs from the one queue (so the above is not one worker alone).
    assert {task.worker_ids[0] for task in tasks} == {"worker-a", "worker-b"}
    assert len({pid for _, _, pid in ran}) == 2


def test_a_job_whose_worker_is_killed_is_finished_by_another(workers, people, tmp_path, settings):
    settings.JOB_STALL_SECONDS = 2
    workers.start("worker-a")
    workers.start("worker-b")
    workers.wait_ready()
    params = {"steps": 20, "sleep": 0.2, "trace_dir": str(tmp_path)}
    job = job_start(kind="demo-slow", user=people.inspector, params=params)

    wait_for(
        lambda: Job.objects.filter(pk=job.pk, status="running", percent__gte=10).exists(),
        seconds=60,
        what="the job to be under way",
    )
    job.refresh_from_db()
    first_task = DBTaskResult.objects.get(id=job.task_result_id)
    (doomed,) = first_task.worker_ids
    survivor = "worker-b" if doomed == "worker-a" else "worker-a"
    workers.kill(doomed)  # SIGKILL: no chance to tidy up
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING  # as the dead worker left it

    # The sweep (`manage.py jobs_recover`) finds it once it has been silent JOB_STALL_SECONDS.
    wait_for(
        lambda: job_recover_stalled()["requeued"] == 1, seconds=30, what="the job to be stalled"
    )
    wait_for(
        lambda: Job.objects.filter(pk=job.pk, status="done").exists(),
        seconds=60,
        what="the other worker to finish the job",
    )

    job.refresh_from_db()
    assert job.attempts == 2
    assert (workers.folder / "job-files" / str(job.public_id)).read_text() == "20 steps\n"
    first_task.refresh_from_db()
    assert first_task.status == TaskResultStatus.FAILED  # marked by the sweep, not left running
    second_task = DBTaskResult.objects.get(id=job.task_result_id)
    assert second_task.status == TaskResultStatus.SUCCESSFUL
    assert second_task.worker_ids == [survivor]
    ran = runs(tmp_path)
    assert [attempt for _, attempt, _ in ran] == [1, 2]
    assert ran[0][2] != ran[1][2]  # two processes: the killed one and the survivor


def test_a_worker_skips_a_task_another_worker_is_claiming(workers, people):
    """How a worker claims: the first ready task not locked by another worker, taken with
    SELECT ... FOR UPDATE SKIP LOCKED, so a second worker passes over it without waiting.
    Here the two workers are this test and a thread, each with its own connection (no worker
    processes are started)."""
    import threading

    from django.db import connections, transaction
    from django.test.utils import CaptureQueriesContext

    first = job_start(kind="demo-csv", user=people.inspector)
    second = job_start(kind="demo-csv", user=people.inspector)
    first.refresh_from_db()
    second.refresh_from_db()
    seen_by_other = {}

    def other_worker():
        try:
            with transaction.atomic():
                task = DBTaskResult.objects.ready().get_locked()
                seen_by_other["task"] = task and str(task.id)
        finally:
            connections.close_all()

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        claimed = DBTaskResult.objects.ready().get_locked()
        other = threading.Thread(target=other_worker)
        other.start()
        other.join(timeout=30)
        assert not other.is_alive()
    assert "FOR UPDATE SKIP LOCKED" in queries[0]["sql"]
    assert str(claimed.id) == first.task_result_id
    assert seen_by_other["task"] == second.task_result_id
