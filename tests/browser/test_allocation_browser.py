"""A lead draws a sample on an inspection that already has a case (and is warned first),
allocates the cases automatically, changes the proposal, confirms, then assigns selected
cases to someone at once.

Every page visited is checked with axe-core, and any console error fails the test.
"""

import pytest
from playwright.sync_api import Page, expect

from casefiles.models import Case
from casefiles.sampling.services import population_upload
from judgements.models import AuditEvent
from tests.conftest import make_case, make_inspection
from tests.support.sample_population import csv_bytes, population_rows

from .conftest import follow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def inspection(people, yos_framework, organisation):
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )
    rows = population_rows(court=12, out_of_court=6, court_outside=0, out_of_court_outside=0)
    result = population_upload(
        inspection=inspection, filename="eligible.csv", data=csv_bytes(rows), by=people.lead
    )
    assert result.problems == []
    make_case(inspection, reference="EARLY-1", inspector=people.colleague)
    return inspection


def test_the_lead_is_warned_draws_allocates_and_assigns_in_bulk(page: Page, people, inspection):
    draw_page = f"/inspections/{inspection.reference}/sample/draw/"
    sign_in(page, people.lead, draw_page)
    expect(page.locator("#existing-cases")).to_contain_text("already has 1 case")
    page.get_by_label("Seed").fill("2018")
    follow(page, page.get_by_role("button", name="Draw the sample").click)

    # The warning: what happens to the case already there. Nothing is drawn yet.
    expect(page.get_by_role("heading", name="This inspection already has 1 case")).to_be_visible()
    expect(page.locator("#draw-warning")).to_contain_text("marked as added outside the draw")
    assert Case.objects.count() == 1
    follow(page, page.get_by_role("button", name="Draw the sample, keeping the 1 case").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sample drawn")
    expect(page.locator("#added-outside-draw")).to_contain_text("EARLY-1")
    drawn = Case.objects.filter(inspection=inspection).count() - 1
    assert drawn > 0

    # The automatic allocation: a proposal with a select per case, nothing saved yet.
    follow(page, lambda: page.goto(f"/inspections/{inspection.reference}/assign/"))
    follow(page, page.get_by_role("link", name="Allocate unassigned cases automatically").click)
    rows = page.locator("#proposal tbody tr")
    expect(rows).to_have_count(drawn)
    assert not AuditEvent.objects.exists()
    first = Case.objects.filter(inspection=inspection, inspector__isnull=True).order_by(
        "reference"
    )[0]
    page.get_by_label(f"Inspector for case {first.reference}").select_option("lead")
    follow(page, page.get_by_role("button", name="Confirm and assign").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{drawn} cases allocated to the team"
    )
    first.refresh_from_db()
    assert first.inspector == people.lead
    assert not Case.objects.filter(inspection=inspection, inspector__isnull=True).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNED).count() == drawn

    # Assign the selected cases to someone at once.
    chosen = list(Case.objects.filter(inspection=inspection).order_by("reference")[:3])
    for case in chosen:
        page.get_by_label(f"Choose case {case.reference} to assign").check()
    page.get_by_label("Assign the selected cases to").select_option("colleague")
    follow(page, page.get_by_role("button", name="Assign selected cases").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "3 cases assigned to Colleague Tester"
    )
    for case in chosen:
        case.refresh_from_db()
        assert case.inspector == people.colleague


def test_assigning_nothing_selected_shows_the_error_summary(page: Page, people, inspection):
    sign_in(page, people.lead, f"/inspections/{inspection.reference}/assign/")
    page.get_by_label("Assign the selected cases to").select_option("inspector")
    follow(page, page.get_by_role("button", name="Assign selected cases").click)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the cases to assign")
    assert page.title().startswith("Error: ")
