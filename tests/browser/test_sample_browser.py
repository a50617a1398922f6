"""A lead inspector uploads the eligible cases, fixes the file, and draws the sample.

Every page visited is checked with axe-core, and any console error (a Content-Security-Policy
violation among them) fails the test.
"""

import pytest
from playwright.sync_api import Page, expect

from casefiles.models import Case, SampleDraw, SamplePopulation, SampleReplacement
from tests.conftest import make_inspection
from tests.support.sample_population import csv_bytes, population_rows, rows_with_problems

from .conftest import follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    # Reading the file and drawing the sample are background jobs: here each runs as soon as
    # the request that starts it commits, and its page sends the browser on at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def inspection(people, yos_framework, organisation):
    return make_inspection(framework=yos_framework, organisations=[organisation], people=people)


def choose_file(page: Page, name: str, data: bytes) -> None:
    page.get_by_label("File of eligible cases").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data}
    )


def test_the_lead_fixes_a_file_and_draws_the_sample(page: Page, people, inspection):
    sample_page = f"/inspections/{inspection.reference}/sample/"
    sign_in(page, people.lead, sample_page)
    expect(page.get_by_role("link", name="Sample", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    follow(page, page.get_by_role("link", name="Upload the eligible cases").click)

    # A file with five mistakes: every one is listed by row and column, nothing is kept.
    choose_file(page, "eligible.csv", csv_bytes(rows_with_problems()))
    follow(page, page.get_by_role("button", name="Upload and check").click)
    expect(page).to_have_title(
        "Error: Upload the eligible cases – Youth offending services in Barking and Dagenham"
        " – Case file audit"
    )
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("eligible.csv has 5 problems")
    problems = page.locator("#problems tbody tr")
    expect(problems).to_have_count(5)
    expect(problems.nth(0)).to_contain_text("3")
    expect(problems.nth(0)).to_contain_text("gender")
    expect(problems.nth(0)).to_contain_text("'boy' is not a known gender")
    expect(problems.nth(1)).to_contain_text("'31/02/2018' is not a date")
    # The summary's link takes a keyboard user to the file input.
    summary.get_by_role("link").click()
    expect(page.get_by_label("File of eligible cases")).to_be_focused()
    assert not SamplePopulation.objects.exists()

    # The corrected file is kept, and the page shows what each rule kept and dropped.
    choose_file(page, "eligible-fixed.csv", csv_bytes(population_rows()))
    follow(page, page.get_by_role("button", name="Upload and check").click)
    assert page.url.endswith(sample_page)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "63 eligible cases uploaded from eligible-fixed.csv"
    )
    court = page.locator("#eligibility tbody tr").nth(0)
    expect(court).to_contain_text("37")
    expect(page.locator("#sizes tbody tr").nth(0)).to_contain_text("164.24")

    follow(page, page.get_by_role("link", name="Continue to the draw").click)
    page.get_by_label("Seed").fill("2018")
    follow(page, page.get_by_role("button", name="Draw the sample").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Sample drawn: 50 cases added to the inspection"
    )
    expect(page.locator("#seed")).to_have_text("2018")
    expect(page.locator("#cases-court_disposal tbody tr")).to_have_count(31)
    expect(page.locator("#cases-out_of_court tbody tr")).to_have_count(19)
    expect(page.locator("#largest-court_disposal")).to_contain_text("Largest difference")
    assert SampleDraw.objects.get().seed == 2018
    assert Case.objects.filter(inspection=inspection).count() == 50

    # Replace a case with the next reserve in its group, giving the reason.
    follow(page, page.get_by_role("link", name="Replace").first.click)
    page.get_by_label("Why is the case being replaced?").fill("Transferred to another area")
    follow(page, page.get_by_role("button", name="Replace the case").click)
    expect(page.locator("#replacements")).to_contain_text("Transferred to another area")
    assert SampleReplacement.objects.get().reason == "Transferred to another area"


def test_the_upload_works_without_javascript(page_without_js: Page, people, inspection):
    page = page_without_js
    sign_in(page, people.lead, f"/inspections/{inspection.reference}/sample/population/")
    choose_file(page, "eligible.csv", csv_bytes(rows_with_problems()))
    follow(page, page.get_by_role("button", name="Upload and check").click)
    expect(page.locator("#problems tbody tr")).to_have_count(5)
    choose_file(page, "eligible.csv", csv_bytes(population_rows()))
    follow(page, page.get_by_role("button", name="Upload and check").click)
    expect(page.locator("#eligibility tbody tr")).to_have_count(2)
    visit(page, f"/inspections/{inspection.reference}/sample/draw/")
    expect(page.get_by_label("Seed")).to_be_visible()
