"""A safeguarding concern in a real browser: raised by an inspector, followed up by the lead.

Every page visited is checked with axe-core, and any console error fails the test.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casefiles.concerns.models import Concern
from casefiles.models import LinkedChild
from inspection import readiness
from tests.conftest import make_case, make_inspection

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
