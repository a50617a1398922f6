"""An inspection's life in the service: set up, team, stages, approval and publication.

An inspection manager creates the inspection and names its lead; the lead builds the team and
moves the inspection through its stages, each move confirmed; an approver (not the lead) is
refused while something is missing, then approves; the lead publishes. No admin page is
opened. Every page visited is checked with axe-core.
"""

import pytest
from playwright.sync_api import Page, expect

from inspection import readiness
from inspection.models import Inspection, InspectionChange, Membership
from inspection.readiness import Missing
from tests.conftest import make_user

from .conftest import follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def foreword(monkeypatch):
    """A check before approval of this test's own: the foreword is missing until written."""
    state = {"written": False}
    monkeypatch.setattr(readiness, "_checks", {})
    readiness.register_check(
        "test-foreword",
        lambda inspection: [] if state["written"] else [Missing("Write the foreword", "/")],
    )
    return state


def sign_in_as(page: Page, user, path: str = "/") -> Page:
    page.context.clear_cookies()
    return sign_in(page, user, path)


def move(page: Page, button: str, reason: str = "") -> None:
    follow(page, page.get_by_role("link", name=button).click)
    expect(page.locator("h1")).to_have_text(button)
    if reason:
        page.get_by_label("Reason").fill(reason)
    follow(page, page.get_by_role("button", name=button).click)


def test_an_inspection_from_set_up_to_publication(
    page: Page, people, organisation, yos_framework, foreword
):
    setter = make_user("setter", sets_up_inspections=True)
    approver = make_user("approver", approves_reports=True)

    # The inspection manager creates the inspection; a bad reference is named and fixed.
    sign_in_as(page, setter)
    follow(page, page.get_by_role("link", name="Create an inspection").click)
    page.get_by_label("Title").fill("Youth justice in Barking and Dagenham")
    page.get_by_label("Reference").fill("Barking 2026!")
    page.get_by_role("radio", name="Service").check()
    page.get_by_label("Barking and Dagenham YOS").check()
    for name, value in (
        ("fieldwork_start_0", "13"),
        ("fieldwork_start_1", "4"),
        ("fieldwork_start_2", "2026"),
        ("fieldwork_end_0", "24"),
        ("fieldwork_end_1", "4"),
        ("fieldwork_end_2", "2026"),
    ):
        page.locator(f'input[name="{name}"]').fill(value)
    page.get_by_label("Ofsted").check()
    page.get_by_label("Lead inspector").select_option(label="Lead Tester")
    follow(page, page.get_by_role("button", name="Create the inspection").click)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Reference must be lower-case letters, numbers and single hyphens"
    )
    page.get_by_label("Reference").fill("yjs-barking-2026")
    follow(page, page.get_by_role("button", name="Create the inspection").click)
    expect(page.locator(".govuk-panel__title")).to_have_text("Inspection set up")
    inspection = Inspection.objects.get(reference="yjs-barking-2026")
    assert inspection.partner_inspectorates == ["ofsted"]

    # The lead builds the team: an inspector, a partner from Ofsted, quality assurance.
    sign_in_as(page, people.lead, f"/inspections/{inspection.reference}/")
    follow(page, page.get_by_role("link", name="Team", exact=True).click)
    for person, role, inspectorate in (
        ("Inspector Tester", "Inspector", None),
        ("Partner Tester", "Partner inspector", "Ofsted"),
        ("Qa Tester", "Quality assurance", None),
        ("Colleague Tester", "Inspector", None),
    ):
        follow(page, page.get_by_role("link", name="Add a team member").click)
        page.get_by_label("Person").select_option(label=person)
        page.get_by_role("radio", name=role, exact=True).check()
        if inspectorate:
            page.get_by_label("Inspectorate (partner inspectors only)").select_option(
                label=inspectorate
            )
        follow(page, page.get_by_role("button", name="Add to the team").click)
    expect(page.locator("#members tbody tr")).to_have_count(5)
    # Removing someone asks first.
    follow(page, page.get_by_role("link", name="Remove Colleague Tester").click)
    follow(page, page.get_by_role("button", name="Yes, remove them").click)
    expect(page.locator("#members tbody tr")).to_have_count(4)
    expect(page.locator("#history")).to_contain_text("Member removed: Team: Colleague Tester")
    assert Membership.objects.filter(inspection=inspection).count() == 4

    # The lead moves the inspection through its stages, confirming each move.
    follow(page, page.get_by_role("link", name="Overview").click)
    move(page, "Start fieldwork")
    expect(page.locator("#stage")).to_contain_text("Fieldwork")
    move(page, "Start quality assurance")
    move(page, "Start report drafting")
    move(page, "Send for approval")
    expect(page.locator("#stage")).to_contain_text("Approval")
    expect(page.get_by_role("link", name="Approve the report")).to_have_count(0)

    # The approver is refused while the foreword is missing, with the reason listed.
    sign_in_as(page, approver, f"/inspections/{inspection.reference}/")
    follow(page, page.get_by_role("link", name="Approve the report").click)
    expect(page.locator("#refused")).to_contain_text("Write the foreword")
    expect(page.get_by_role("button", name="Approve the report")).to_have_count(0)
    inspection.refresh_from_db()
    assert not inspection.is_approved

    # Once it is written, the approver approves.
    foreword["written"] = True
    visit(page, f"/inspections/{inspection.reference}/stage/approve/")
    follow(page, page.get_by_role("button", name="Approve the report").click)
    expect(page.locator("#stage")).to_contain_text("Approved by Approver Tester")

    # The lead publishes.
    sign_in_as(page, people.lead, f"/inspections/{inspection.reference}/")
    move(page, "Publish")
    expect(page.locator("#stage")).to_contain_text("Published")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PUBLISHED
    assert inspection.approved_by == approver
    assert inspection.published_at is not None
    moves = InspectionChange.objects.filter(
        inspection=inspection, action=InspectionChange.Action.STAGE_MOVED
    )
    assert moves.count() == 5
    assert not any("/admin/" in url for url in page.audit_watch.loaded)
