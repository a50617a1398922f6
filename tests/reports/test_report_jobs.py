"""The reports app's background jobs (reports/jobs.py): the report PDF, the answers as CSV and
as a workbook, the whole inspection as JSON and deleting case data, each run through the job
machinery: what it says while it works, its file for the person who asked only, its failures
in plain words, and trying again.

One test runs a job through the real django-tasks database queue and worker, as production
does; the others run jobs with the immediate backend (the run_jobs fixture) or call the
handler itself to watch its progress.
"""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from casefiles.models import Case
from inspection.jobs import get_kind, job_start
from inspection.jobs.files import job_file_path, job_files_dir
from inspection.models import CaseDataPurge, Inspection, Job, Membership
from reports import jobs
from reports.exchange.answers import ANSWER_COLUMNS
from tests.reports.exchange.test_exchange import build_inspection
from tests.reports.test_retention import build
from tests.support.jobs import content_of, download, job_of

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")


@pytest.fixture
def built(people, yos_framework, organisation):
    return build_inspection(people, yos_framework, organisation)


def url(name, inspection):
    return reverse(f"reports:{name}", args=[inspection.reference])


class Steps:
    """A progress callback that keeps what it was told."""

    def __init__(self):
        self.told: list[tuple[int, str]] = []

    def __call__(self, percent, step=""):
        self.told.append((percent, step))

    @property
    def words(self) -> list[str]:
        return [step for _, step in self.told]


def queued_job(kind, user, inspection) -> Job:
    """A job as a page starts it (not run: the test calls its handler)."""
    return job_start(kind=kind, user=user, inspection=inspection)


# Through the real queue ---------------------------------------------------------------------


def test_the_answers_workbook_is_made_by_the_database_worker(
    built, login, people, django_capture_on_commit_callbacks, monkeypatch
):
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    # The worker checks its connection between tasks; inside a test's transaction that
    # would close it.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    client = login(people.lead)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_of(client.post(url("answers_xlsx", built)))
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert DBTaskResult.objects.filter(id=job.task_result_id).exists()
    page = client.get(reverse("jobs:detail", args=[job.public_id]))
    assert page["Refresh"] == "2"  # the page reloads itself while the work goes on
    assert "Waiting to start" in page.content.decode()

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

    response = download(client, job)
    assert response["Content-Disposition"] == 'attachment; filename="yos-bd-2018-answers.xlsx"'
    sheet = load_workbook(io.BytesIO(content_of(response)), read_only=True)["Answers"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(ANSWER_COLUMNS)
    assert len(rows) > 50
    assert "Refresh" not in client.get(reverse("jobs:detail", args=[job.public_id]))


# What the page says while the work goes on --------------------------------------------------


def test_the_answers_say_which_case_is_being_written(built, people):
    steps = Steps()
    result = jobs.answers_csv_job(queued_job(jobs.ANSWERS_CSV, people.lead, built), steps)
    cases = Case.objects.filter(inspection=built).count()
    assert steps.words[0] == "Reading the cases"
    assert [f"Writing case {n} of {cases}" for n in range(1, cases + 1)] == [
        word for word in steps.words if word.startswith("Writing")
    ]
    percents = [percent for percent, _ in steps.told]
    assert percents == sorted(percents) and percents[-1] < 100
    assert result.filename == "yos-bd-2018-answers.csv"
    assert result.path.read_bytes().startswith("\ufeffInspection,".encode())


def test_the_workbook_and_the_whole_inspection_say_which_case_too(built, people):
    for kind, handler in (
        (jobs.ANSWERS_XLSX, jobs.answers_xlsx_job),
        (jobs.INSPECTION_JSON, jobs.inspection_json_job),
    ):
        steps = Steps()
        handler(queued_job(kind, people.lead, built), steps)
        assert "Writing case 3 of 3" in steps.words, kind
        assert steps.words[-1] in {"Packing the workbook", "Saving the file"}


def test_the_pdf_says_what_it_is_doing(built, people):
    steps = Steps()
    result = jobs.report_pdf_job(queued_job(jobs.REPORT_PDF, people.manager, built), steps)
    assert steps.words == [
        "Reading the ratings and the report's text",
        "Laying out the pages of the report",
        "Saving the PDF",
    ]
    assert result.content.startswith(b"%PDF-")


def test_the_whole_inspection_file_is_the_exchange_format(built, login, people, run_jobs):
    client = login(people.lead)
    with run_jobs():
        job = job_of(client.post(url("inspection_json", built)))
    data = json.loads(content_of(download(client, job)))
    assert data["format"] == "case-audit-inspection"
    assert [case["reference"] for case in data["cases"]] == ["C-001", "C-002", "C-003"]
    # Nothing is left behind in the job files folder but the file itself.
    assert sorted(path.name for path in job_files_dir().iterdir()) == [str(job.public_id)]


# The file is for the person who asked -------------------------------------------------------


def test_the_file_is_only_for_the_person_who_asked(built, login, people, run_jobs, client):
    with run_jobs():
        job = job_of(login(people.inspector).post(url("answers_csv", built)))
    rows = list(
        csv.reader(
            io.StringIO(content_of(download(login(people.inspector), job)).decode("utf-8-sig"))
        )
    )
    assert rows[0] == list(ANSWER_COLUMNS)
    for other in ("lead", "qa", "manager", "admin", "outsider"):
        someone = login(getattr(people, other))
        assert someone.get(reverse("jobs:detail", args=[job.public_id])).status_code == 404
        assert someone.get(reverse("jobs:download", args=[job.public_id])).status_code == 404
        assert someone.post(reverse("jobs:retry", args=[job.public_id])).status_code == 404
    client.logout()
    response = client.get(reverse("jobs:download", args=[job.public_id]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_job_page_links_back_to_the_export_page(built, login, people):
    client = login(people.lead)
    job = job_of(client.post(url("answers_csv", built)))
    page = client.get(reverse("jobs:detail", args=[job.public_id])).content.decode()
    assert (
        f'<a href="{url("exchange", built)}" class="govuk-back-link">Back to the export page</a>'
        in page
    )


# Failures and trying again ------------------------------------------------------------------


def test_someone_who_may_no_longer_download_is_told_and_can_try_again_once_allowed(
    built, login, people, run_jobs
):
    client = login(people.lead)
    lead_role = Membership.objects.filter(inspection=built, user=people.lead)
    with run_jobs():
        job = job_of(client.post(url("inspection_json", built)))
        lead_role.update(role=Membership.Role.INSPECTOR)  # no longer the lead when it runs
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == (
        "You may no longer download the whole inspection: only its lead inspector and "
        "administrators may."
    )
    assert not job_file_path(job.public_id).exists()
    page = client.get(reverse("jobs:detail", args=[job.public_id])).content.decode()
    assert job.error in page and "Try again" in page

    lead_role.update(role=Membership.Role.LEAD)
    with run_jobs():
        response = client.post(reverse("jobs:retry", args=[job.public_id]))
    assert response["Location"] == reverse("jobs:detail", args=[job.public_id])
    data = json.loads(content_of(download(client, job)))
    assert data["inspection"]["reference"] == "yos-bd-2018"


def test_an_unexpected_failure_is_told_in_plain_words_without_details(
    built, login, people, run_jobs, monkeypatch
):
    def broken(*args, **kwargs):
        raise ValueError("table judgements_answer has no column named secret_detail")

    monkeypatch.setattr("reports.exchange.answers.answers_csv_write", broken)
    client = login(people.lead)
    with run_jobs():
        job = job_of(client.post(url("answers_csv", built)))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == get_kind(jobs.ANSWERS_CSV).general_error
    assert job.error.startswith("Something went wrong while making the answers as CSV.")
    page = client.get(reverse("jobs:detail", args=[job.public_id])).content.decode()
    assert "secret_detail" not in page
    # The half-written file was deleted.
    assert list(job_files_dir().iterdir()) == []


# Deleting case data -------------------------------------------------------------------------


@pytest.fixture
def published(inspection, people):
    build(inspection, people, cases=2)
    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.PUBLISHED)
    inspection.refresh_from_db()
    return inspection


def test_deleting_case_data_runs_as_a_job_and_ends_on_the_inspection(published, people, run_jobs):
    with run_jobs():
        job = job_start(kind=jobs.CASE_DATA_PURGE, user=people.lead, inspection=published)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.redirect_url == reverse("inspection:detail", args=[published.reference])
    purge = CaseDataPurge.objects.get(inspection=published)
    assert purge.purged_by == people.lead and purge.cases_deleted == 2
    assert not Case.objects.filter(inspection=published).exists()


def test_deleting_case_data_refused_says_why(published, people, run_jobs):
    with run_jobs():
        job = job_start(kind=jobs.CASE_DATA_PURGE, user=people.inspector, inspection=published)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == (
        "inspector may not delete case data: only an administrator or the lead inspector of "
        "yos-bd-2018 may."
    )
    assert Case.objects.filter(inspection=published).count() == 2
    assert not CaseDataPurge.objects.exists()
