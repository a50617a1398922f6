"""A lead inspector creates the report PDF: the job's page shows its progress and refreshes
itself until the file is ready, then the lead downloads it. The work is done by the real
database queue's worker, run here when the test says.

Every page visited is checked with axe-core, and any console error fails the test.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from inspection.models import Job
from tests.conftest import make_case, make_inspection

from .conftest import assert_accessible, follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inspection(people, yos_framework, organisation):
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )
    make_case(inspection, inspector=people.inspector)
    return inspection


def run_worker() -> None:
    """django-tasks-db's worker loop over everything queued, then stop."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.fixture(autouse=True)
def _slow_refresh(monkeypatch):
    # Long enough that each page is checked with axe-core before it reloads itself.
    monkeypatch.setattr("inspection.jobs.views.REFRESH_SECONDS", 6)


def test_the_lead_creates_the_report_pdf_and_downloads_it(page: Page, people, inspection):
    create_and_download_the_pdf(page, people, inspection)


def test_the_same_without_javascript(page_without_js: Page, people, inspection):
    create_and_download_the_pdf(page_without_js, people, inspection)


def create_and_download_the_pdf(page: Page, people, inspection) -> None:
    report = f"/inspections/{inspection.reference}/report/"
    sign_in(page, people.lead, report)

    follow(page, page.get_by_role("button", name="Create the PDF").click)
    job = Job.objects.get()
    assert page.url.endswith(f"/jobs/{job.public_id}/")
    expect(page).to_have_title(
        "Report PDF – Youth offending services in Barking and Dagenham – Case file audit"
    )
    expect(page.locator("#job-status")).to_have_text("Waiting to start")
    expect(page.locator("progress")).to_have_attribute("value", "0")
    expect(page.get_by_text("This page updates itself every 6 seconds.")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the report")).to_have_attribute("href", report)

    run_worker()

    # The page reloads itself (the Refresh header, no script) and offers the file.
    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible(timeout=20_000)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download yos-bd-2018-report.pdf").click()
    assert download.value.suggested_filename == "yos-bd-2018-report.pdf"
    with open(download.value.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"

    # Back where the lead started.
    follow(page, page.get_by_role("link", name="Back to the report").click)
    assert page.url.endswith(report)


def test_the_export_page_makes_the_answers_file(page: Page, people, inspection):
    sign_in(page, people.inspector, f"/inspections/{inspection.reference}/export/")
    follow(page, page.get_by_role("button", name="Create the answers as CSV").click)
    expect(page.locator("#job-status")).to_have_text("Waiting to start")
    job = Job.objects.get()
    assert (job.kind, job.user) == ("answers-csv", people.inspector)
    run_worker()
    visit(page, f"/jobs/{job.public_id}/")
    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible()


def test_the_lead_deletes_a_published_inspections_case_data(
    page: Page, people, inspection, tmp_path
):
    """Confirm or be told to; the deletion's page shows its progress, then it is done."""
    from casefiles.models import Case
    from inspection.models import CaseDataPurge, Inspection

    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.PUBLISHED)
    export = f"/inspections/{inspection.reference}/export/"
    sign_in(page, people.lead, export)
    follow(page, page.get_by_role("link", name="Delete the case data").click)
    expect(page.locator("#purge-deleted")).to_contain_text("(1 case,")
    expect(page.locator("#purge-kept")).to_contain_text("the ratings, frozen as they are now")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=tmp_path / f"purge-{width}.png", full_page=True)

    follow(page, page.get_by_role("button", name="Delete the case data").click)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Confirm that you understand the case data will be deleted for good"
    )
    page.screenshot(path=tmp_path / "purge-error.png", full_page=True)
    assert not Job.objects.exists()

    page.get_by_label("I understand that the case data will be deleted").check()
    follow(page, page.get_by_role("button", name="Delete the case data").click)
    job = Job.objects.get()
    assert (job.kind, job.user) == ("case-data-purge", people.lead)
    expect(page.locator("#job-status")).to_have_text("Waiting to start")
    page.screenshot(path=tmp_path / "purge-job.png", full_page=True)
    print("screenshots in", tmp_path)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert not Case.objects.filter(inspection=inspection).exists()
    assert CaseDataPurge.objects.filter(inspection=inspection).exists()
    # The page reloads itself (no script) and, the deletion done, leads to the inspection.
    expect(page).to_have_url(re.compile(f"/inspections/{inspection.reference}/$"), timeout=20_000)
    assert_accessible(page)
