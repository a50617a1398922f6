"""A manager filters the national dashboard and drills down to a case, in a real browser.

Every page visited is checked with axe-core (WCAG 2.1 A and AA, and best practice), and any
console error, including a Content-Security-Policy violation, fails the test.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from casefiles.models import Case, Referral
from inspection.models import Area, Organisation, Question
from judgements.models import Answer
from judgements.tallies import tallies_rebuild
from tests.conftest import make_case, make_inspection

from .conftest import assert_accessible, follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def score(case: Case, value_for, *, by) -> None:
    questions = Question.objects.filter(framework=case.inspection.framework, parent__isnull=True)
    now = timezone.now()
    Answer.objects.bulk_create(
        Answer(case=case, question=q, value=value_for(q.code), answered_by=by, updated_at=now)
        for q in questions
        if case.sample_type in q.applies_to
    )
    Case.objects.filter(pk=case.pk).update(status=Case.Status.AGREED)
    # Written around the services, as a bulk load is: count the tallies again.
    tallies_rebuild(inspection_ids=[case.inspection_id])


@pytest.fixture
def picture(people, yos_framework, organisation):
    """Barking and Dagenham (London) and Reading (South Central), both inspected in 2018."""
    reading_area = Area.objects.create(
        slug="reading", name="Reading", police_force_area="Thames Valley", region="South Central"
    )
    reading = Organisation.objects.create(
        slug="reading-yot", name="Reading YOT", kind="yot", area=reading_area
    )
    bd = make_inspection(framework=yos_framework, organisations=[organisation], people=people)
    rd = make_inspection(
        framework=yos_framework,
        organisations=[reading],
        people=people,
        reference="yot-reading-2018",
        title="Youth offending services in Reading",
        fieldwork_start=date(2018, 9, 3),
        fieldwork_end=date(2018, 9, 14),
    )
    for n in range(12):
        score(make_case(bd, reference=f"B-{n:02d}"), lambda _c: "yes", by=people.inspector)
    for n in range(6):
        score(
            make_case(rd, reference=f"R-{n:02d}", subject_name="Kyle Baker"),
            lambda code, n=n: "no" if code == "2.1.2" and n < 4 else "yes",
            by=people.inspector,
        )
    first = Case.objects.get(reference="R-00")
    Referral.objects.create(case=first, referral_date=date(2018, 6, 1), method="phone")
    tallies_rebuild(inspection_ids=[rd.pk])  # the referral too was written around the services
    return {"reading": reading, "inspection": rd, "first": first}


def grid_rows(page: Page):
    return page.locator("#ratings-grid tbody tr")


def test_a_manager_filters_the_national_view_and_drills_down_to_a_case(page, people, picture):
    sign_in(page, people.manager, "/dashboards/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ratings and key questions nationally"
    )
    expect(grid_rows(page)).to_have_count(2)
    # The charts are images with a name, and each has its figures in a table beside it.
    expect(page.get_by_role("img", name=re.compile("^Ratings by standard"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("with each rating"))).to_be_visible()

    # Filter to one region.
    page.get_by_label("Region").select_option("South Central")
    follow(page, page.get_by_role("button", name="Apply filters").click)
    expect(page.get_by_label("Region")).to_have_value("South Central")
    expect(grid_rows(page)).to_have_count(1)
    expect(grid_rows(page).first).to_contain_text("Reading YOT")

    # 2.1.2 was Yes in 2 of 6 cases: 2.1 Assessment is Inadequate, from a small sample.
    cell = page.get_by_role("link", name="Inadequate for 2.1, Reading YOT")
    expect(cell).to_be_visible()
    follow(page, cell.click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases behind 2.1 Assessment")
    expect(page.locator("#rating-reason")).to_have_text(
        "Why: lowest key question 2.1.2: 2 of 6 (33%)"
    )
    expect(page.locator("#figures")).to_contain_text("Small sample")
    cases = page.locator("#cases tbody tr")
    expect(cases).to_have_count(6)
    expect(cases.locator("th")).to_have_text(["R-00", "R-01", "R-02", "R-03", "R-04", "R-05"])

    # And on to the case itself.
    follow(page, page.get_by_role("link", name="R-00", exact=True).click)
    drill_down = "/dashboards/inspections/yot-reading-2018/reading-yot/cases/?standard=2.1"
    assert page.url.split("?")[0].endswith(f"/cases/{picture['first'].public_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("R-00")
    # "Back" returns to the drill-down it came from, filters and all.
    expect(page.locator(".govuk-back-link")).to_have_attribute("href", drill_down)
    follow(page, page.locator(".govuk-back-link").click)
    assert page.url.endswith(drill_down)


def test_bad_filter_values_are_named_in_an_error_summary(page, people, picture):
    sign_in(page, people.manager, "/dashboards/")
    page.locator("#id_fieldwork_from_0").fill("31")
    page.locator("#id_fieldwork_from_1").fill("2")
    page.locator("#id_fieldwork_from_2").fill("2019")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    assert_accessible(page)
    expect(page).to_have_title("Error: National dashboard – Case file audit")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text(["Fieldwork from must be a real date"])
    expect(page.locator("#ratings-grid")).to_have_count(0)


def test_every_dashboard_page_passes_axe(page, people, picture):
    sign_in(page, people.manager, "/dashboards/")
    for path in (
        "/dashboards/questions/2.1.2/",
        "/dashboards/organisations/reading-yot/",
        "/dashboards/areas/reading/",
        "/dashboards/referrals/",
        "/dashboards/referrals/?organisation=reading-yot",
        "/dashboards/inspections/yot-reading-2018/reading-yot/cases/?question=2.1.2",
        "/dashboards/inspections/yos-bd-2018/bd-yos/cases/?standard=1.1",
    ):
        visit(page, path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cases behind 1.1 Governance and leadership"
    )


def test_the_area_view_and_tracker_read_without_javascript(page_without_js, people, picture):
    page = page_without_js
    sign_in(page, people.manager, "/dashboards/organisations/reading-yot/")
    expect(page.get_by_role("img", name=re.compile("^Ratings over time"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Key questions, Reading YOT"))).to_be_visible()
    # The guide to the figures opens without JavaScript (a details element).
    page.get_by_text("How to read these figures").click()
    expect(page.get_by_text("Wilson interval", exact=False)).to_be_visible()
    visit(page, "/dashboards/referrals/")
    expect(page.locator("#total-no-response")).to_have_text("1")
    expect(page.locator("#waiting-table tbody tr")).to_have_count(1)


def test_a_manager_pages_through_the_national_grid(page, people, yos_framework):
    """27 organisations: 25 on the first page of the grid, 2 on the second."""
    call_command("seed_benchmark", organisations=27, inspections=1, cases=1, stdout=io.StringIO())
    sign_in(page, people.manager, "/dashboards/")
    expect(grid_rows(page)).to_have_count(25)
    expect(page.get_by_text("Organisations 1 to 25 of 27, by name")).to_be_visible()
    pages = page.get_by_role("navigation", name="Pages of results")
    expect(pages.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    follow(page, pages.get_by_role("link", name="Next").click)
    expect(grid_rows(page)).to_have_count(2)
    expect(page.get_by_text("Organisations 26 to 27 of 27, by name")).to_be_visible()
    # The figures below the grid are still every organisation's.
    expect(page.locator("#dashboard-summary")).to_contain_text("27 organisations")
