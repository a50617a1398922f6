"""A framework editor builds a new version of the youth framework in the browser: starts a
draft from the 2018 version, changes a question, moves it, previews the step, tries to publish
a broken draft (every problem listed), puts it right, publishes, and compares the versions.

Every page visited is checked with axe-core, and any console error fails the test.
"""

import pytest
from playwright.sync_api import Page, expect

from inspection.models import Framework, FrameworkChange
from tests.conftest import make_user

from .conftest import follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_builds_checks_publishes_and_compares_a_version(page: Page, yos_framework):
    build_check_publish_and_compare(page)


def test_the_same_without_javascript(page_without_js: Page, yos_framework):
    build_check_publish_and_compare(page_without_js)


def build_check_publish_and_compare(page: Page) -> None:
    editor = make_user("editor", edits_frameworks=True)
    sign_in(page, editor, "/frameworks/")
    visit(page, "/frameworks/")
    follow(page, page.get_by_role("link", name="Start a new version").click)
    page.get_by_label("Start from").select_option(
        label="Youth offending services (2018) – published"
    )
    page.get_by_label("Name").fill("Youth offending services")
    page.get_by_label("Version").fill("2026")
    follow(page, page.get_by_role("button", name="Start the draft").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Youth offending services (2026)")

    # Change a key question's text.
    follow(page, page.get_by_role("link", name="Change question 2.1.2", exact=True).click)
    page.get_by_label("Question text").fill("Did the case manager find out what the child needs?")
    follow(page, page.get_by_role("button", name="Save").click)
    expect(page.get_by_text("Question 2.1.2 saved")).to_be_visible()

    # Move it above 2.1.1, without JavaScript needed: a form with a button.
    follow(page, page.get_by_role("button", name="Move up question 2.1.2", exact=True).click)
    expect(page.get_by_text("Question 2.1.2 moved up")).to_be_visible()
    step = page.locator("#standard-2\\.1 > ol > li")
    expect(step.first).to_contain_text("2.1.2 Did the case manager find out")

    # Preview the step as an inspector sees it.
    follow(page, page.get_by_role("link", name="Preview step 2.1").click)
    legends = page.locator("legend")
    expect(legends.first).to_have_text("2.1.2 Did the case manager find out what the child needs?")
    follow(page, page.get_by_role("link", name="Back to Youth offending services (2026)").click)

    # Break it: a question asked of a sample the framework does not draw.
    follow(page, page.get_by_role("link", name="Change question 3.1.1", exact=True).click)
    page.get_by_label("Victim").check()
    follow(page, page.get_by_role("button", name="Save").click)
    follow(page, page.get_by_role("link", name="Check and publish").click)
    problems = page.locator("#problems")
    expect(problems).to_contain_text(
        "Question 3.1.1 applies to the 'victim' sample, which the framework does not draw"
    )
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)

    # Put it right and publish.
    follow(page, page.get_by_role("link", name="Back to the draft").click)
    follow(page, page.get_by_role("link", name="Change question 3.1.1", exact=True).click)
    page.get_by_label("Victim").uncheck()
    follow(page, page.get_by_role("button", name="Save").click)
    follow(page, page.get_by_role("link", name="Check and publish").click)
    follow(page, page.get_by_role("button", name="Publish").click)
    expect(page.get_by_text("published: it can now be used by inspections")).to_be_visible()
    expect(page.get_by_role("link", name="Check and publish")).to_have_count(0)
    assert Framework.objects.get(version="2026").status == Framework.Status.PUBLISHED

    # Compare the new version with 2018.
    follow(page, page.get_by_role("link", name="Compare with another version").click)
    page.get_by_label("From").select_option(label="Youth offending services (2018)")
    follow(page, page.get_by_role("button", name="Compare").click)
    expect(page.get_by_role("heading", name="Questions")).to_be_visible()
    changed = page.locator(".govuk-summary-list__row", has_text="2.1.2")
    expect(changed).to_contain_text("Changed")
    expect(changed).to_contain_text("now “Did the case manager find out what the child needs?”")
    actions = list(
        FrameworkChange.objects.filter(framework__version="2026").values_list("action", flat=True)
    )
    assert actions == ["started", "changed", "moved up", "changed", "changed", "published"]
