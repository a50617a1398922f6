"""Two inspectors read the same case blind, in a real browser: the lead selects it for a
second reading, the second reader scores it without ever seeing the first reading, both are
reconciled, and the ratings count the agreed answers only then.

Every page visited is checked with axe-core (see conftest.visit and conftest.follow).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from judgements import services
from judgements.models import Answer, ReconciledAnswer, SecondReading
from judgements.rules import applicable_questions
from judgements.services import AnswerInput
from tests.conftest import make_case, make_inspection

from .conftest import _close_page, _open_page, follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST_NOTE = "First reading: plan seen"


@pytest.fixture
def second_page(browser, site, transactional_db):
    page = _open_page(browser, site)
    yield page
    _close_page(page)


@pytest.fixture
def out_of_court(people, yos_framework, organisation):
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )
    return make_case(
        inspection,
        reference="O-021",
        sample_type="out_of_court",
        subject_name="Kyle Baker",
        inspector=people.inspector,
    )


def answer_step(page: Page, *, no_for: str) -> None:
    """Every question of the step Yes with a note, but `no_for` No (without JavaScript's
    autosave: the second reading's form is saved with its buttons)."""
    for question in page.locator(".app-question").all():
        code = question.get_attribute("data-code")
        value = "No" if code == no_for else "Yes"
        question.get_by_label(value, exact=True).check()
        question.locator("textarea").fill(f"Second reading: {value} for {code}")


def test_two_inspectors_read_a_case_blind_and_reconcile_and_the_rating_counts_it(
    page, second_page, people, out_of_court
):
    case = out_of_court
    inspection = case.inspection
    key = next(q for q in applicable_questions(case) if q.is_key_question)

    # The lead selects the case for a second reading by the colleague.
    sign_in(page, people.lead, f"/inspections/{inspection.reference}/second-readings/")
    page.get_by_label("Case", exact=True).select_option(value=str(case.public_id))
    page.get_by_label("Second reader").select_option(value=people.colleague.username)
    follow(page, page.get_by_role("button", name="Select for a second reading").click)
    expect(page.locator("#second-readings")).to_contain_text("O-021")
    expect(page.locator("#second-readings")).to_contain_text("Being read")

    # The first reader scores it Yes throughout and submits (through the services here: the
    # walk-through itself is tested in test_walkthrough_browser).
    services.answers_record(
        case=case,
        answers=[
            AnswerInput(question=q, value="yes", note=FIRST_NOTE)
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)

    # The second reader finds it in their cases; the case's own step sends them to their
    # reading, which never shows the first reader's notes.
    reader = second_page
    sign_in(reader, people.colleague, "/my-cases/")
    expect(reader.locator("#queue-second-readings")).to_contain_text("O-021")
    visit(reader, f"/cases/{case.public_id}/steps/3.1/")
    expect(reader).to_have_url(re.compile(rf"/cases/{case.public_id}/second-reading/steps/3\.1/$"))
    expect(reader.locator("body")).not_to_contain_text(FIRST_NOTE)
    for code in ["3.1", "3.2", "3.3", "3.4"]:
        expect(reader.get_by_role("heading", level=2, name=code)).to_be_visible()
        answer_step(reader, no_for=key.code)
        expect(reader.locator("body")).not_to_contain_text(FIRST_NOTE)
        follow(reader, reader.get_by_role("button", name="Save and continue").click)
    expect(reader.locator("#progress-summary")).to_contain_text("49 of 49 questions answered")
    follow(reader, reader.get_by_role("button", name="Submit the second reading").click)
    expect(reader.get_by_role("link", name="Reconcile the two readings")).to_be_visible()
    assert Answer.objects.filter(case=case, note__startswith="Second reading").count() == 0

    # Not counted yet: the ratings page lists it apart.
    visit(page, f"/inspections/{inspection.reference}/ratings/")
    expect(page.locator("body")).to_contain_text("1 read twice, not yet reconciled")

    # The second reader reconciles: the difference comes first; the agreed answer needs a note.
    follow(reader, reader.get_by_role("link", name="Reconcile the two readings").click)
    first_row = reader.locator("#comparison tbody tr").first
    expect(first_row).to_contain_text(key.code)
    expect(first_row).to_contain_text("Differs")
    expect(first_row).to_contain_text(FIRST_NOTE)
    first_row.get_by_label("No", exact=True).check()
    follow(reader, reader.get_by_role("button", name="Save the agreed answers").click)
    summary = reader.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"Enter a note on the agreed answer to {key.code}")
    reader.locator("#comparison tbody tr").first.get_by_label("No", exact=True).check()
    reader.get_by_label(f"Note on the agreed answer to {key.code}").fill(
        "Read the plan together: no contingency plan"
    )
    follow(reader, reader.get_by_role("button", name="Save the agreed answers").click)
    expect(reader.locator("#reconciled")).to_contain_text("Reconciled by")
    assert SecondReading.objects.get(case=case).is_reconciled
    assert ReconciledAnswer.objects.filter(reading__case=case).count() == 49

    # The ratings now count the case with the agreed answer: No to the key question.
    visit(page, f"/inspections/{inspection.reference}/ratings/")
    row = page.locator(f'[id="kq-{key.code}"]')
    expect(row.locator("td").nth(0)).to_have_text("0")
    expect(row.locator("td").nth(1)).to_have_text("1")
    expect(page.locator("body")).not_to_contain_text("1 read twice, not yet reconciled")

    # The agreement page shows the figure in plain words.
    visit(page, f"/inspections/{inspection.reference}/agreement/")
    expect(page.locator("#agreement")).to_contain_text(
        f"Agreement is low on {key.code}: 0 of 1 cases (small sample)"
    )
