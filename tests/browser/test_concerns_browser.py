"""A safeguarding concern in a real browser: raised by an inspector, followed up by the lead;
and approval refused while a concern is open, given once it is closed.

Every page visited is checked with axe-core, and any console error fails the test.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casefiles.concerns import services
from casefiles.concerns.models import Concern
from casefiles.models import LinkedChild
from inspection import readiness
from inspection.models import Inspection
from reports.demo.builders import stage_set
from tests.conftest import make_case, make_inspection, make_user
from tests.support.ready_report import make_report_ready

from .conftest import follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _concern_items(inspection):
    return [m for m in readiness.missing(inspection) if m.group == "Safeguarding concerns"]


def _fill_date(page, name, day):
    page.locator(f'input[name="{name}_0"]').fill(str(day.day))
    page.locator(f'input[name="{name}_1"]').fill(str(day.month))
    page.locator(f'input[name="{name}_2"]').fill(str(day.year))


def test_an_immediate_concern_is_raised_acknowledged_referred_and_closed(
    page, people, yos_framework, organisation
):
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )
    case = make_case(inspection, reference="C-001", inspector=people.inspector)
    LinkedChild.objects.create(case=case, name="Maisie Morgan", relationship="sibling")

    # The inspector raises it from the case file.
    sign_in(page, people.inspector, f"/cases/{case.public_id}/")
    follow(page, page.get_by_role("link", name="Raise a safeguarding concern").click)
    page.get_by_label("Maisie Morgan").check()
    page.get_by_label("What was found").fill(
        "Maisie told her teacher she is hit at home; nobody has referred it."
    )
    page.get_by_label("Why it is urgent").fill("She is at home with the adult tonight.")
    page.get_by_label("Immediate: a child is at risk now").check()
    follow(page, page.get_by_role("button", name="Raise the concern").click)
    expect(page.get_by_text("the lead inspector has been alerted")).to_be_visible()

    concern = Concern.objects.get()
    assert concern.urgency == "immediate" and concern.status == "raised"
    items = _concern_items(inspection)
    assert len(items) == 1 and items[0].url == f"/concerns/{concern.public_id}/"
    assert not readiness.is_ready(inspection)

    # The lead sees the banner on the first page they open, and follows it.
    page.context.clear_cookies()
    sign_in(page, people.lead, "/")
    banner = page.locator("#concern-banner")
    expect(banner).to_contain_text("1 safeguarding concern on")
    follow(page, banner.get_by_role("link").click)
    follow(page, page.locator("#concerns").get_by_role("link").first.click)
    expect(page.locator("#concern-details")).to_contain_text("Maisie told her teacher")
    follow(page, page.get_by_role("button", name="Acknowledge the concern").click)
    expect(page.locator("#concern-banner")).to_have_count(0)

    # The referral, made by phone today: the response is due one working day later.
    follow(page, page.get_by_role("link", name="Record the referral").click)
    today = timezone.localdate()
    page.get_by_label("Organisation referred to").fill(
        "Barking and Dagenham children's social care"
    )
    page.get_by_label("Person spoken to or written to").fill("Pat Jones, MASH duty manager")
    _fill_date(page, "referred_on", today)
    page.get_by_label("Telephone").check()
    page.get_by_label("Their reference (optional)").fill("MASH-2026-0042")
    follow(page, page.get_by_role("button", name="Save the referral").click)
    concern.refresh_from_db()
    assert concern.status == "referred" and concern.response_due > today
    expect(page.locator("#concern-referral")).to_contain_text("MASH-2026-0042")
    assert len(_concern_items(inspection)) == 1

    follow(page, page.get_by_role("link", name="Record the response").click)
    _fill_date(page, "received_on", today)
    page.get_by_label("The response").fill("Strategy meeting held; Maisie is safe with her aunt.")
    follow(page, page.get_by_role("button", name="Save the response").click)
    assert len(_concern_items(inspection)) == 1

    # Closing without an outcome is refused, naming the field.
    follow(page, page.get_by_role("link", name="Close the concern").click)
    follow(page, page.get_by_role("button", name="Close the concern").click)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select outcome")
    page.get_by_label("Referred on to children's social care or the police").check()
    follow(page, page.get_by_role("button", name="Close the concern").click)

    concern.refresh_from_db()
    assert concern.status == "closed" and concern.outcome == "referred_on"
    assert _concern_items(inspection) == []
    expect(page.locator("#concern-closure")).to_contain_text("Referred on")
    visit(page, f"/inspections/{inspection.reference}/")
    expect(page.locator("#open-concerns + p")).to_contain_text("No open safeguarding concerns")


def test_approval_is_refused_while_a_concern_is_open_and_given_once_it_is_closed(
    page, people, yos_framework, organisation
):
    approver = make_user("approver", approves_reports=True)
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )
    case = make_case(inspection, reference="C-001", inspector=people.inspector)
    child = LinkedChild.objects.create(case=case, name="Maisie Morgan", relationship="sibling")
    make_report_ready(inspection=inspection, cases=[case], lead=people.lead, qa=people.qa)
    assert readiness.missing(inspection) == []

    # An immediate concern, raised, acknowledged and referred; no response yet.
    concern = services.concern_raise(
        case=case,
        about=services.About(child=child),
        urgency="immediate",
        found="Maisie told her teacher she is hit at home; nobody has referred it.",
        why_urgent="She is at home with the adult tonight.",
        actor=people.inspector,
    )
    concern = services.concern_acknowledge(concern=concern, actor=people.lead)
    concern = services.concern_refer(
        concern=concern,
        organisation="Barking and Dagenham children's social care",
        person="Pat Jones, MASH duty manager",
        referred_on=timezone.localdate(),
        method="phone",
        reference="MASH-2026-0042",
        actor=people.lead,
    )
    stage_set(inspection=inspection, status=Inspection.Status.APPROVAL)
    [item] = readiness.missing(inspection)
    assert item.group == "Safeguarding concerns" and "is not closed: referred" in item.text

    # The approver is refused, with the concern listed and linked; nothing is approved.
    sign_in(page, approver, f"/inspections/{inspection.reference}/")
    follow(page, page.get_by_role("link", name="Approve the report").click)
    refused = page.locator("#refused")
    expect(refused).to_contain_text("The report cannot be approved yet")
    expect(refused).to_contain_text("1 thing must be done first:")
    link = refused.get_by_role("link", name=item.text)
    expect(link).to_have_attribute("href", f"/concerns/{concern.public_id}/")
    expect(page.get_by_role("button", name="Approve the report")).to_have_count(0)
    inspection.refresh_from_db()
    assert not inspection.is_approved

    # The lead records the service's response and closes the concern.
    page.context.clear_cookies()
    sign_in(page, people.lead, f"/inspections/{inspection.reference}/")
    expect(page.locator("#open-concerns + p")).to_contain_text("1 open")
    open_concerns = page.get_by_role("region", name="Safeguarding concerns")
    follow(page, open_concerns.get_by_role("link", name="concern").click)
    follow(page, page.get_by_role("link", name="Record the response").click)
    _fill_date(page, "received_on", timezone.localdate())
    page.get_by_label("The response").fill("Strategy meeting held; Maisie is safe with her aunt.")
    follow(page, page.get_by_role("button", name="Save the response").click)
    follow(page, page.get_by_role("link", name="Close the concern").click)
    page.get_by_label("Referred on to children's social care or the police").check()
    follow(page, page.get_by_role("button", name="Close the concern").click)
    concern.refresh_from_db()
    assert concern.status == "closed"
    assert readiness.missing(inspection) == []

    # Now the approver approves.
    page.context.clear_cookies()
    sign_in(page, approver, f"/inspections/{inspection.reference}/stage/approve/")
    expect(page.locator("#refused")).to_have_count(0)
    follow(page, page.get_by_role("button", name="Approve the report").click)
    expect(page.locator("#stage")).to_contain_text("Approved by Approver Tester")
    inspection.refresh_from_db()
    assert inspection.is_approved and inspection.approved_by == approver
