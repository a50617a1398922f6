"""An inspector finds a case and records a referral, in a real browser.

Every page visited is checked with axe-core (WCAG 2.1 A and AA, and best practice), and any
console error, including a Content-Security-Policy violation, fails the test.
"""

from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from casefiles.models import (
    AgencyCheck,
    ChildProtectionPlan,
    HomeVisit,
    LinkedChild,
    Meeting,
    Order,
    Referral,
)
from tests.conftest import make_case, make_inspection

from .conftest import assert_accessible, follow, sign_in, visit, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Generous, but a keyboard user would never need more presses than this to reach a field.
MAX_TABS = 80


@pytest.fixture
def sample(people, yos_framework, organisation):
    """An inspection with three cases; C-001 has a whole file, entered out of date order."""
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )
    full = make_case(inspection, reference="C-001", inspector=people.inspector)
    make_case(
        inspection,
        reference="C-002",
        sample_type="out_of_court",
        subject_name="Kyle Baker",
        inspector=people.colleague,
    )
    make_case(inspection, reference="C-003", subject_name="Aaliyah Ross")

    child = LinkedChild.objects.create(
        case=full, name="Maisie Morgan", relationship="sibling", date_of_birth=date(2012, 3, 8)
    )
    HomeVisit.objects.create(
        case=full, visit_date=date(2017, 12, 15), children_seen=True, purpose="Check on Maisie"
    )
    Meeting.objects.create(case=full, kind="core_group", meeting_date=date(2017, 11, 27))
    Referral.objects.create(
        case=full,
        child=child,
        referral_date=date(2017, 11, 6),
        method="phone",
        included_child_details=True,
        described_risk=True,
        response_date=date(2017, 11, 9),
        response_timely=True,
    )
    ChildProtectionPlan.objects.create(
        case=full, child=child, category="neglect", start_date=date(2017, 11, 20)
    )
    AgencyCheck.objects.create(
        case=full, agency="police", kind="check", requested_date=date(2017, 10, 3)
    )
    Order.objects.create(case=full, order_type="referral_order", start_date=date(2017, 10, 2))
    return inspection


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until the target has the focus, as a keyboard user moves through a page."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def type_date(page: Page, day_field: Locator, day: int, month: int, year: int) -> None:
    """Fill a GOV.UK date input from the keyboard: day, Tab, month, Tab, year."""
    tab_to(page, day_field)
    page.keyboard.type(str(day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(year))


def choose_radio(page: Page, group: Locator, label: str) -> None:
    """Tab into a radio group, select with Space, and move with the arrow keys to a choice."""
    radios = group.get_by_role("radio")
    tab_to(page, radios.first)
    page.keyboard.press("Space")
    wanted = group.get_by_role("radio", name=label, exact=True)
    for _ in range(radios.count()):
        if wanted.is_checked():
            return
        page.keyboard.press("ArrowDown")
    expect(wanted).to_be_checked()


def case_rows(page: Page) -> Locator:
    return page.locator("#cases tbody tr")


def test_inspector_finds_a_case_and_records_a_referral_by_keyboard(page, people, sample):
    sign_in(page, people.inspector)
    expect(page.get_by_role("heading", level=1)).to_have_text("Inspections")

    # Home page to the inspection, then its Cases tab.
    follow(page, page.get_by_role("link", name=sample.title).click)
    expect(page.get_by_role("heading", level=1)).to_have_text(sample.title)
    tabs = page.get_by_role("navigation", name="Inspection sections")
    follow(page, tabs.get_by_role("link", name="Cases", exact=True).click)
    expect(page.locator("#case-count")).to_have_text("3 cases")
    expect(case_rows(page)).to_have_count(3)

    # Filter to court disposals only.
    page.get_by_label("Sample").select_option(label="Court disposal")
    follow(page, page.get_by_role("button", name="Apply filters").click)
    expect(page.locator("#case-count")).to_have_text("2 cases")
    expect(case_rows(page).locator("td:first-child")).to_have_text(["C-001", "C-003"])
    expect(case_rows(page).locator("td:nth-child(2)")).to_have_text(
        ["Court disposal", "Court disposal"]
    )
    expect(page.get_by_label("Sample")).to_have_value("court_disposal")

    # The whole case file, and its timeline in date order.
    follow(page, page.get_by_role("link", name="C-001", exact=True).click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case C-001")
    expect(page.locator("#case-details")).to_contain_text("Jayden Morgan (child)")
    referrals = page.get_by_role("table", name="Referrals to children's social care")
    expect(referrals.locator("tbody tr")).to_have_count(1)
    expect(referrals.locator("tbody tr td")).to_contain_text(
        ["6 November 2017", "Telephone", "Yes, Yes, No", "9 November 2017", "Yes", "Not known"]
    )
    expect(page.get_by_role("table", name="Linked children")).to_contain_text("Maisie Morgan")
    expect(page.get_by_role("table", name="Orders")).to_contain_text("Referral order")
    expect(page.get_by_role("table", name="Child protection plans")).to_contain_text("Neglect")
    expect(page.get_by_role("table", name="Checks and notifications")).to_contain_text("Police")
    expect(page.get_by_role("table", name="Multi-agency meetings")).to_contain_text("Core group")
    expect(page.get_by_role("table", name="Home visits")).to_contain_text("Check on Maisie")
    timeline = page.locator("#timeline .moj-timeline__item")
    expect(timeline.locator(".moj-timeline__title")).to_have_text(
        [
            "Referral order started",
            "Check: Police",
            "Referral to children's social care",
            "Child protection plan (Neglect) began",
            "Core group",
            "Home visit",
        ]
    )
    expect(timeline.locator("time")).to_have_text(
        [
            "2 October 2017",
            "3 October 2017",
            "6 November 2017",
            "20 November 2017",
            "27 November 2017",
            "15 December 2017",
        ]
    )

    # From here on, only the keyboard.
    tab_to(page, page.get_by_role("link", name="Add a referral"))
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a referral")

    type_date(page, page.locator("#id_referral_date_0"), 5, 1, 2018)
    choose_radio(page, page.get_by_role("group", name="Method"), "Email")
    tab_to(page, page.get_by_label("Gave full details of the child"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Described the nature of the risk"))
    page.keyboard.press("Space")
    type_date(page, page.locator("#id_response_date_0"), 2, 1, 2018)
    choose_radio(page, page.get_by_role("group", name="Response timely"), "Yes")
    tab_to(page, page.get_by_role("button", name="Save"))
    follow(page, lambda: page.keyboard.press("Enter"))

    # The error summary takes the focus; its link takes the focus to the field.
    expect(page).to_have_title("Error: Add a referral – Case file audit")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    error_link = summary.get_by_role(
        "link", name="Response date must be on or after the referral date"
    )
    expect(summary.get_by_role("link")).to_have_count(1)
    tab_to(page, error_link)
    page.keyboard.press("Enter")
    response_day = page.locator("#id_response_date_0")
    expect(response_day).to_be_focused()
    expect(response_day).to_have_value("2")
    expect(page.locator("#id_referral_date_0")).to_have_value("5")
    expect(page.get_by_label("Email")).to_be_checked()
    assert_accessible(page)

    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("9")
    tab_to(page, page.get_by_role("button", name="Save"))
    follow(page, lambda: page.keyboard.press("Enter"))

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Referral saved")
    expect(referrals.locator("tbody tr")).to_have_count(2)
    expect(referrals.locator("tbody tr").last.locator("td")).to_contain_text(
        ["5 January 2018", "Email", "Yes, Yes, No", "9 January 2018", "Yes", "Not known"]
    )
    expect(timeline.last.locator(".moj-timeline__title")).to_have_text(
        "Referral to children's social care"
    )
    expect(timeline.last.locator("time")).to_have_text("5 January 2018")
    expect(timeline.last).to_contain_text("By email")

    saved = Referral.objects.get(case__reference="C-001", method="email")
    assert (saved.referral_date, saved.response_date) == (date(2018, 1, 5), date(2018, 1, 9))
    assert (saved.included_child_details, saved.described_risk) == (True, True)
    assert (saved.stated_response_wanted, saved.response_timely) == (False, True)


def test_pages_work_without_javascript(page_without_js, people, sample):
    page = page_without_js
    sign_in(page, people.inspector)
    visit(page, f"/inspections/{sample.reference}/cases/")
    expect(page.locator("#case-count")).to_have_text("3 cases")

    page.get_by_label("Sample").select_option(label="Out-of-court disposal")
    follow(page, page.get_by_role("button", name="Apply filters").click)
    expect(page.locator("#case-count")).to_have_text("1 case")
    expect(case_rows(page).locator("td:first-child")).to_have_text(["C-002"])

    follow(page, page.get_by_role("link", name="C-002", exact=True).click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case C-002")
    expect(page.locator("#case-details")).to_contain_text("Kyle Baker (child)")
    expect(page.locator("#case-details")).to_contain_text("Out-of-court disposal")


def test_the_checks_catch_problems(page):
    """The harness itself: axe-core finds a known fault and a CSP violation is reported."""
    visit(page, "/login/")
    page.evaluate(
        """() => {
            const image = document.createElement("img");
            image.src = "data:,";
            document.querySelector("main").append(image);
        }"""
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)

    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.title = 'changed'";
            document.body.append(script);
        }"""
    )
    expect(page).not_to_have_title("changed")
    errors = watch(page).errors
    assert any("Content Security Policy" in error for error in errors), errors
    errors.clear()
