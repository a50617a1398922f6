"""Reading a population file and drawing the sample as background jobs (casefiles/jobs.py):
the uploaded file kept privately for its job and deleted after, the problems shown to the
person who asked only, access checked again when the job runs, the steps it reports, and
trying again after a failure."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casefiles import jobs as casefiles_jobs
from casefiles.models import SampleDraw, SamplePopulation
from casefiles.sampling.services import population_upload
from inspection.models import Job, Membership
from tests.support.jobs import job_of
from tests.support.sample_population import csv_bytes, population_rows, rows_with_problems


def url(name, inspection):
    return reverse(f"casefiles:{name}", args=[inspection.reference])


def post_file(client, inspection, data: bytes, filename="eligible.csv"):
    return client.post(
        url("sample_upload", inspection), {"file": SimpleUploadedFile(filename, data)}
    )


@pytest.fixture
def lead(login, people):
    return login(people.lead)


@pytest.fixture
def uploaded(inspection, people):
    population_upload(
        inspection=inspection,
        filename="eligible.csv",
        data=csv_bytes(population_rows()),
        by=people.lead,
    )
    return inspection


def test_the_upload_is_kept_for_its_job_only_until_it_is_read(lead, inspection, run_jobs):
    with run_jobs():
        job = job_of(post_file(lead, inspection, csv_bytes(population_rows())))
        stored = list(casefiles_jobs.uploads_dir().iterdir())
        assert [path.name for path in stored] == [job.params["upload"]]
        assert stored[0].stat().st_mode & 0o777 == 0o600
        assert job.params["filename"] == "eligible.csv"
        assert job.params["back_url"] == url("sample_upload", inspection)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert job.redirect_url == url("sample", inspection)
    assert SamplePopulation.objects.get().row_count == 63
    assert list(casefiles_jobs.uploads_dir().iterdir()) == []  # deleted once read


def test_the_problems_are_shown_to_the_person_who_asked_only(
    lead, login, people, inspection, run_jobs
):
    with run_jobs():
        job = job_of(post_file(lead, inspection, csv_bytes(rows_with_problems()), "mistakes.csv"))
    job.refresh_from_db()
    checked = f"{url('sample_upload', inspection)}?checked={job.public_id}"
    assert job.redirect_url == checked
    assert job.params["problem_count"] == 5
    page = lead.get(checked).content.decode()
    assert "mistakes.csv has 5 problems" in page and 'id="problems"' in page
    assert not SamplePopulation.objects.exists()

    # Another lead of the inspection opening the same address sees the plain upload page.
    Membership.objects.filter(inspection=inspection, user=people.colleague).update(role="lead")
    other = login(people.colleague).get(checked)
    assert other.status_code == 200
    assert "mistakes.csv" not in other.content.decode()
    # An address naming no job, or not a job at all, is the plain upload page too.
    for query in (f"?checked={uuid.uuid4()}", "?checked=nonsense"):
        response = lead.get(url("sample_upload", inspection) + query)
        assert response.status_code == 200 and 'id="problems"' not in response.content.decode()


def test_someone_no_longer_lead_when_the_job_runs_is_told_and_nothing_is_saved(
    lead, people, inspection, run_jobs
):
    with run_jobs():
        job = job_of(post_file(lead, inspection, csv_bytes(population_rows())))
        Membership.objects.filter(inspection=inspection, user=people.lead).update(role="inspector")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Only the lead inspector sets up the sample")
    assert not SamplePopulation.objects.exists()
    # The file is kept so that "Try again" can read it once the person is lead again.
    assert len(list(casefiles_jobs.uploads_dir().iterdir())) == 1
    Membership.objects.filter(inspection=inspection, user=people.lead).update(role="lead")
    with run_jobs():
        lead.post(reverse("jobs:retry", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert SamplePopulation.objects.get().uploaded_by == people.lead


def test_the_draw_says_which_samples_it_is_drawing(uploaded, people):
    told = []
    job = Job.objects.create(
        kind=casefiles_jobs.SAMPLE_DRAW, user=people.lead, inspection=uploaded, params={"seed": 7}
    )
    result = casefiles_jobs.sample_draw_job(job, lambda percent, step="": told.append(step))
    assert told == [
        "Reading the eligible cases",
        "Drawing the court disposals and out-of-court disposals samples",
    ]
    assert result.url == url("sample_draw", uploaded)
    assert SampleDraw.objects.get().seed == 7


def test_a_draw_that_cannot_be_done_says_why_and_can_be_tried_again(
    lead, people, inspection, run_jobs
):
    with run_jobs():
        job = job_of(lead.post(url("sample_draw", inspection), {"seed": "3"}))
    job.refresh_from_db()
    assert (job.status, job.error) == (
        Job.Status.FAILED,
        "Upload the eligible cases before drawing the sample.",
    )
    page = lead.get(reverse("jobs:detail", args=[job.public_id])).content.decode()
    assert f'<a href="{url("sample_draw", inspection)}" class="govuk-back-link">' in page
    population_upload(
        inspection=inspection,
        filename="eligible.csv",
        data=csv_bytes(population_rows()),
        by=people.lead,
    )
    with run_jobs():
        lead.post(reverse("jobs:retry", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert SampleDraw.objects.get().drawn_by == people.lead
    assert lead.get(reverse("jobs:detail", args=[job.public_id]))["Location"] == url(
        "sample_draw", inspection
    )
