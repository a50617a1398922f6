"""The lead checks the report before publication: every missing thing is listed by group
with a link to put it right; following one and putting it right takes it off the list, and
nothing says "all clear" while anything is missing. Every page is checked with axe-core."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_case, make_inspection
from tests.reports.writing.test_publishable_report import thematic  # noqa: F401

from .conftest import follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inspection(people, yos_framework, organisation):
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )
    make_case(inspection, inspector=people.inspector)
    return inspection


def test_the_lead_follows_the_check_to_what_is_missing(page: Page, people, inspection):
    check = f"/inspections/{inspection.reference}/report/check/"
    sign_in(page, people.lead, check)
    visit(page, check)
    expect(page.get_by_role("heading", name="Check before publication")).to_be_visible()
    expect(page.locator("#check-summary")).to_contain_text("must be done before publication")
    expect(page.locator("#check-all-clear")).to_have_count(0)
    for group in ("Ratings", "Report text"):
        expect(page.get_by_role("heading", name=group, exact=True)).to_be_visible()

    follow(page, page.get_by_role("link", name="The foreword is not written.").click)
    page.get_by_label("Foreword").fill("This report looks at how the service keeps children safe.")
    follow(page, page.get_by_role("button", name="Save").click)

    visit(page, check)
    expect(page.get_by_role("link", name="The foreword is not written.")).to_have_count(0)
    expect(page.get_by_role("link", name="No key fact is written.")).to_be_visible()
    expect(page.locator("#check-all-clear")).to_have_count(0)


def test_a_thematic_report_reads_without_ratings(page: Page, people, thematic):  # noqa: F811
    sign_in(page, people.lead, "/")
    visit(page, "/inspections/thematic-2018/ratings/tables/")
    expect(page.get_by_text("A thematic report publishes no ratings.", exact=False)).to_be_visible()
    visit(page, "/inspections/thematic-2018/report/preview/")
    expect(page.locator(".report")).not_to_contain_text("Overall rating")
    expect(
        page.get_by_role("img", name="2.1 Assessment: % yes per key question, by organisation")
    ).to_be_visible()
