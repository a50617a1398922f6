"""Background jobs (inspection/jobs): the registry, a job's life from start to file or failure,
retry, recovery of jobs whose worker died, expiry of files, and the job pages.

These run on SQLite and PostgreSQL alike: the work is queued through the real django-tasks
database backend and run by its real worker loop (db_worker's Worker, in this process, in batch
mode). The tests with several worker processes on one queue are in test_jobs_queue.py.
"""

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from inspection.jobs import (
    JobFile,
    get_kind,
    job_purge_expired,
    job_recover_stalled,
    job_retry,
    job_start,
    register,
)
from inspection.jobs import tasks as job_tasks
from inspection.jobs.files import job_file_path
from inspection.jobs.registry import unregister
from inspection.jobs.services import WORKER_STOPPED
from inspection.models import Job, Membership
from tests.support.jobs_demo import register_demo_kinds, unregister_demo_kinds


@pytest.fixture(autouse=True)
def demo_kinds(settings, tmp_path, monkeypatch):
    settings.JOB_FILES_DIR = tmp_path / "job-files"
    settings.JOB_FILE_HOURS = 24
    register_demo_kinds()
    # The worker checks its database connection between tasks; inside a test's transaction
    # that would close it.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    yield
    unregister_demo_kinds()


def run_worker() -> None:
    """Run django-tasks-db's worker loop over everything queued, then stop."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """job_start as a view calls it, with its on-commit enqueue carried out."""

    def start_job(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return job_start(**kwargs)

    return start_job


# The registry


def test_a_kind_is_registered_with_its_title_and_words_for_failure():
    def handler(job, progress):
        return JobFile("x.txt", "text/plain", content="x")

    register("test-kind", handler, title="Answers workbook")
    try:
        kind = get_kind("test-kind")
        assert kind.handler is handler and kind.title == "Answers workbook"
        assert kind.doing == "making the answers workbook"
        assert kind.general_error == (
            "Something went wrong while making the answers workbook. Try again; if it fails "
            "again, tell the service team."
        )
    finally:
        unregister("test-kind")
    with pytest.raises(LookupError):
        get_kind("test-kind")


def test_a_job_file_has_content_or_a_path():
    with pytest.raises(ValueError):
        JobFile("x.txt", "text/plain")


def test_starting_an_unknown_kind_fails_at_once_and_saves_nothing(people):
    with pytest.raises(LookupError):
        job_start(kind="no-such-kind", user=people.inspector)
    assert not Job.objects.exists()


# A job's life


def test_a_job_is_queued_then_run_by_the_worker_to_a_file(start, people, inspection, settings):
    job = start(kind="demo-csv", user=people.inspector, inspection=inspection, params={"rows": 3})
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.attempts == 0
    task = DBTaskResult.objects.get(id=job.task_result_id)
    assert task.status == TaskResultStatus.READY
    assert task.args_kwargs["args"] == [str(job.public_id), str(job.run_token)]

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert (job.percent, job.step, job.attempts) == (100, "", 1)
    assert (job.file_name, job.content_type) == ("squares.csv", "text/csv")
    content = job_file_path(job.public_id).read_text()
    assert content == "number,square\n1,1\n2,4\n3,9\n"
    assert job.file_size == len(content)
    assert job_file_path(job.public_id).parent == settings.JOB_FILES_DIR
    assert job.expires_at == job.finished_at + timedelta(hours=24)
    assert job.started_at <= job.finished_at
    assert DBTaskResult.objects.get(id=job.task_result_id).status == TaskResultStatus.SUCCESSFUL


def test_with_the_immediate_backend_a_job_runs_as_it_is_queued(start, people, settings):
    """For tests that need only a job's result: TASKS set to django-tasks' immediate backend
    runs the job when its transaction commits, with no worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    job = start(kind="demo-csv", user=people.inspector, params={"rows": 2})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 1
    assert job_file_path(job.public_id).read_text() == "number,square\n1,1\n2,4\n"


def test_a_file_the_handler_wrote_is_moved_into_the_private_folder(start, people, tmp_path):
    written = tmp_path / "workbook.xlsx"

    def workbook(job, progress):
        written.write_bytes(b"PK workbook")
        return JobFile("answers.xlsx", "application/vnd.ms-excel", path=written)

    register("test-workbook", workbook, title="Answers workbook")
    try:
        job = start(kind="test-workbook", user=people.inspector)
        run_worker()
    finally:
        unregister("test-workbook")
    job.refresh_from_db()
    stored = job_file_path(job.public_id)
    assert job.status == Job.Status.DONE and job.file_size == len(b"PK workbook")
    assert stored.read_bytes() == b"PK workbook" and not written.exists()
    assert stored.stat().st_mode & 0o777 == 0o600


def test_progress_is_saved_at_most_once_a_second_and_proves_the_run_alive(people, monkeypatch):
    long_ago = timezone.now() - timedelta(hours=1)
    job = Job.objects.create(
        kind="demo-slow", user=people.inspector, status=Job.Status.RUNNING, heartbeat_at=long_ago
    )
    progress = job_tasks.Progress(job)
    monkeypatch.setattr(job_tasks, "SAVE_EVERY_SECONDS", 0)
    progress(40, "Reading the answers")
    job.refresh_from_db()
    assert (job.percent, job.step) == (40, "Reading the answers")
    assert job.heartbeat_at > long_ago

    monkeypatch.setattr(job_tasks, "SAVE_EVERY_SECONDS", 3600)
    progress(60, "Drawing the charts")  # too soon after the last write: kept, not saved
    job.refresh_from_db()
    assert job.percent == 40

    progress(250, "")  # out of range: held to 100
    monkeypatch.setattr(job_tasks, "SAVE_EVERY_SECONDS", 0)
    Job.objects.filter(pk=job.pk).update(run_token="00000000-0000-0000-0000-000000000001")
    with pytest.raises(job_tasks.JobSuperseded):  # another run owns the job now
        progress(70, "Drawing the charts")


def test_a_handler_failure_is_shown_in_its_own_plain_words(start, people):
    job = start(kind="demo-fail", user=people.inspector)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "The population file has no column called 'Case reference'."
    assert not job_file_path(job.public_id).exists()


def test_an_unexpected_error_is_logged_and_shown_in_general_words(start, people, caplog):
    job = start(kind="demo-crash", user=people.inspector)
    with caplog.at_level(logging.ERROR, logger="inspection.jobs.tasks"):
        run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == (
        "Something went wrong while making the answers workbook. Try again; if it fails again, "
        "tell the service team."
    )
    logged = [r for r in caplog.records if r.name == "inspection.jobs.tasks"]
    assert logged and "a programming error" in str(logged[0].exc_info[1])


def test_a_failed_job_is_tried_again_from_the_start(
    start, people, django_capture_on_commit_callbacks
):
    job = start(kind="demo-fail", user=people.inspector)
    run_worker()
    job.refresh_from_db()
    old_token, old_task = job.run_token, job.task_result_id

    # The cause is put right (here: the handler now works), and the person clicks "Try again".
    register(
        "demo-fail",
        lambda job, progress: JobFile("s.csv", "text/csv", content="ok"),
        title="Sample",
    )
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job, user=people.inspector)
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts, job.percent) == (Job.Status.QUEUED, "", 0, 0)
    assert job.run_token != old_token and job.task_result_id not in ("", old_task)

    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 1
    assert job_file_path(job.public_id).read_text() == "ok"


def test_a_task_for_an_old_run_does_nothing(start, people):
    """A task queued for a run that has since been replaced (retried, recovered) is skipped,
    so a job never runs twice for one request."""
    job = start(kind="demo-csv", user=people.inspector)
    stale = job_tasks.run_job.enqueue(str(job.public_id), "00000000-0000-0000-0000-000000000001")
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 1
    assert DBTaskResult.objects.get(id=stale.id).return_value == "not wanted"


def test_retrying_a_queued_running_or_done_job_changes_nothing(start, people):
    job = start(kind="demo-csv", user=people.inspector)
    token = job.run_token
    job_retry(job=job, user=people.inspector)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.run_token == token


# A worker that died


def stalled_job(people, *, attempts=1, task_result_id=""):
    return Job.objects.create(
        kind="demo-csv",
        user=people.inspector,
        status=Job.Status.RUNNING,
        attempts=attempts,
        percent=30,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
        task_result_id=task_result_id,
    )


def test_a_job_whose_worker_died_is_queued_again_and_finished(
    people, settings, django_capture_on_commit_callbacks
):
    settings.JOB_STALL_SECONDS = 300
    dead_task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="inspection.jobs.tasks.run_job",
        backend_name="default",
        run_after=timezone.now(),
        status=TaskResultStatus.RUNNING,
    )
    job = stalled_job(people, task_result_id=str(dead_task.id))
    alive = Job.objects.create(
        kind="demo-csv",
        user=people.inspector,
        status=Job.Status.RUNNING,
        heartbeat_at=timezone.now() - timedelta(seconds=60),
    )
    old_token = job.run_token
    with django_capture_on_commit_callbacks(execute=True):
        assert job_recover_stalled() == {"requeued": 1, "failed": 0, "enqueued": 0}
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.run_token != old_token
    assert job.step == "Starting again after an interruption"
    dead_task.refresh_from_db()
    assert dead_task.status == TaskResultStatus.FAILED  # no longer "running" for ever
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING  # heard from a minute ago: left alone

    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2


def test_a_job_whose_worker_keeps_dying_fails_in_plain_words(people, settings):
    settings.JOB_MAX_ATTEMPTS = 3
    job = stalled_job(people, attempts=3)
    assert job_recover_stalled() == {"requeued": 0, "failed": 1, "enqueued": 0}
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == WORKER_STOPPED.format(attempts=3)
    assert job.error.startswith("The work stopped before it could finish, 3 times. Try again")


def test_a_job_committed_but_never_queued_is_queued(people, django_capture_on_commit_callbacks):
    job = Job.objects.create(
        kind="demo-csv", user=people.inspector, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert job_recover_stalled()["enqueued"] == 1
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


# Files are kept for a limited time


def test_expired_files_are_deleted_and_can_be_made_again(
    start, people, login, django_capture_on_commit_callbacks
):
    job = start(kind="demo-csv", user=people.inspector)
    run_worker()
    job.refresh_from_db()
    path = job_file_path(job.public_id)
    assert path.exists()
    assert job_purge_expired() == 0  # not yet

    later = job.expires_at + timedelta(seconds=1)
    assert job_purge_expired(now=later) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.EXPIRED and not path.exists()

    client = login(people.inspector)
    page = client.get(reverse("jobs:detail", args=[job.public_id]))
    assert "This file has been deleted" in page.content.decode()
    assert "Make it again" in page.content.decode()
    assert client.get(reverse("jobs:download", args=[job.public_id])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:retry", args=[job.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.public_id])
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.task_result_id
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and path.exists()


def test_the_purge_deletes_stray_files_but_not_kept_or_recent_ones(start, people, settings):
    import os
    import time

    job = start(kind="demo-csv", user=people.inspector)
    run_worker()
    folder = settings.JOB_FILES_DIR
    gone_job = folder / "00000000-0000-0000-0000-000000000001"  # its job was deleted
    partial = folder / ".00000000-0000-0000-0000-000000000002.abc.part"  # a cut-off write
    recent = folder / "00000000-0000-0000-0000-000000000003"  # may be being stored now
    for path in (gone_job, partial, recent):
        path.write_text("personal data")
    two_hours_ago = time.time() - 7200
    for path in (gone_job, partial, job_file_path(job.public_id)):
        os.utime(path, (two_hours_ago, two_hours_ago))

    assert job_purge_expired() == 0
    assert not gone_job.exists() and not partial.exists()
    assert recent.exists() and job_file_path(job.public_id).exists()


def test_a_file_past_its_time_is_not_handed_out_before_the_purge_runs(start, people, login):
    job = start(kind="demo-csv", user=people.inspector)
    run_worker()
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = login(people.inspector)
    assert client.get(reverse("jobs:download", args=[job.public_id])).status_code == 404
    assert (
        "This file has been deleted"
        in client.get(reverse("jobs:detail", args=[job.public_id])).content.decode()
    )


def test_the_purge_command_runs_once(start, people, capsys):
    from django.core.management import call_command

    job = start(kind="demo-csv", user=people.inspector)
    run_worker()
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("jobs_purge_expired")
    assert "Deleted 1 expired job file." in capsys.readouterr().out
    call_command("jobs_recover")
    assert Job.objects.get(pk=job.pk).status == Job.Status.EXPIRED


# The pages


@pytest.fixture
def done_job(start, people, inspection):
    job = start(kind="demo-csv", user=people.inspector, inspection=inspection)
    run_worker()
    job.refresh_from_db()
    return job


def test_the_owner_sees_progress_on_a_page_that_refreshes_itself(start, people, login, inspection):
    job = start(kind="demo-slow", user=people.inspector, inspection=inspection)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, percent=40, step="Step 5 of 10")
    response = login(people.inspector).get(reverse("jobs:detail", args=[job.public_id]))
    assert response.status_code == 200
    assert response["Refresh"] == "2"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "<title>Slow file – Youth offending services in Barking and Dagenham" in html
    assert "40% done: Step 5 of 10" in html
    assert 'max="100" value="40" aria-labelledby="job-status"' in html
    assert "<script>" not in html and "style=" not in html  # the CSP allows neither


def test_a_queued_job_says_it_is_waiting(start, people, login):
    job = start(kind="demo-csv", user=people.inspector)
    response = login(people.inspector).get(reverse("jobs:detail", args=[job.public_id]))
    assert "Waiting to start" in response.content.decode()
    assert response["Refresh"] == "2"


def test_a_done_job_offers_the_download_and_stops_refreshing(done_job, people, login):
    response = login(people.inspector).get(reverse("jobs:detail", args=[done_job.public_id]))
    assert "Refresh" not in response
    html = response.content.decode()
    assert "Your file is ready" in html
    assert reverse("jobs:download", args=[done_job.public_id]) in html


def test_the_download_is_an_attachment_never_cached(done_job, people, login):
    response = login(people.inspector).get(reverse("jobs:download", args=[done_job.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="squares.csv"'
    assert response["Content-Type"] == "text/csv"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"number,square\n")


def test_a_failed_job_says_what_failed_and_offers_to_try_again(start, people, login):
    job = start(kind="demo-fail", user=people.inspector)
    run_worker()
    response = login(people.inspector).get(reverse("jobs:detail", args=[job.public_id]))
    html = response.content.decode()
    assert "<title>Failed: Sample" in html
    assert "The population file has no column called &#x27;Case reference&#x27;." in html
    assert f'action="{reverse("jobs:retry", args=[job.public_id])}"' in html
    assert "Try again" in html and "csrfmiddlewaretoken" in html


def test_a_job_that_changed_something_sends_the_person_on(start, people, login):
    job = start(kind="demo-redirect", user=people.inspector)
    run_worker()
    response = login(people.inspector).get(reverse("jobs:detail", args=[job.public_id]))
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("name", ["detail", "download", "retry"])
def test_nobody_but_the_owner_finds_a_job(done_job, people, login, name):
    url = reverse(f"jobs:{name}", args=[done_job.public_id])
    method = "post" if name == "retry" else "get"
    for other in (people.colleague, people.lead, people.manager, people.admin, people.outsider):
        assert getattr(login(other), method)(url).status_code == 404, other


@pytest.mark.parametrize("name", ["detail", "download", "retry"])
def test_someone_signed_out_is_sent_to_sign_in(done_job, client, name):
    url = reverse(f"jobs:{name}", args=[done_job.public_id])
    response = client.post(url) if name == "retry" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_someone_taken_off_the_team_loses_their_jobs_for_it(done_job, people, login):
    Membership.objects.filter(user=people.inspector).delete()
    url = reverse("jobs:detail", args=[done_job.public_id])
    assert login(people.inspector).get(url).status_code == 404


def test_retry_is_post_only_and_download_get_only(done_job, people, login):
    client = login(people.inspector)
    assert client.get(reverse("jobs:retry", args=[done_job.public_id])).status_code == 405
    assert client.post(reverse("jobs:download", args=[done_job.public_id])).status_code == 405
    assert client.post(reverse("jobs:detail", args=[done_job.public_id])).status_code == 405


def test_an_unknown_address_is_not_found(people, login):
    url = "/jobs/00000000-0000-0000-0000-000000000000/"
    assert login(people.inspector).get(url).status_code == 404
