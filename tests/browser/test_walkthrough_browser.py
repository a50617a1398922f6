"""An inspector walks a whole case through the criteria with the keyboard, in a real browser;
quality assurance returns one answer, the inspector fixes it, and the moderator agrees.

Every page visited is checked with axe-core (WCAG 2.1 A and AA, and best practice), and any
console error, including a Content-Security-Policy violation or a refused autosave, fails.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from casefiles.models import Case
from judgements.models import Answer, AuditEvent, ModerationDecision
from judgements.rules import applicable_questions
from tests.conftest import make_case, make_inspection

from .conftest import _close_page, _open_page, follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80
STEPS = ["3.1", "3.2", "3.3", "3.4"]


@pytest.fixture
def out_of_court(people, yos_framework, organisation):
    """An out-of-court case on the 2018 framework, assigned and selected for QA."""
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )
    return make_case(
        inspection,
        reference="O-007",
        sample_type="out_of_court",
        subject_name="Kyle Baker",
        inspector=people.inspector,
        selected_for_qa=True,
    )


@pytest.fixture
def second_page(browser, site, transactional_db):
    """Another person's browser, with its own cookies."""
    page = _open_page(browser, site)
    yield page
    _close_page(page)


def focused_in(container: Locator, selector: str) -> bool:
    return container.evaluate(
        "(element, selector) => element.contains(document.activeElement)"
        " && document.activeElement.matches(selector)",
        selector,
    )


def tab_until(page: Page, container: Locator, selector: str) -> None:
    """Press Tab until the focus is on an element matching the selector inside the container."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused_in(container, selector):
            return
    raise AssertionError(f"{selector} in {container} cannot be reached with the Tab key")


def tab_to(page: Page, target: Locator) -> None:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} cannot be reached with the Tab key")


def autosaved(page: Page, action) -> None:
    """Do something that saves an answer as the inspector goes, and wait for the save."""
    with page.expect_response(lambda r: "/autosave/" in r.url) as response:
        action()
    assert response.value.status == 200, response.value.text()


def answer(page: Page, question: Locator, *, value: str, note: str, key: bool) -> None:
    """Answer one question from the keyboard: Tab into its radios, Space, arrows, the note."""
    radios = question.get_by_role("radio")
    tab_until(page, question, "input[type=radio]")
    moves = {"Yes": 0, "No": 1, "Not applicable": 2}[value]
    needs_note = key or value == "No"
    # A choice saves at once unless it still needs its evidence note.
    for press in ["Space"] + ["ArrowRight"] * moves:
        if needs_note:
            page.keyboard.press(press)
        else:
            autosaved(page, lambda press=press: page.keyboard.press(press))
    expect(radios.and_(page.get_by_label(value, exact=True))).to_be_checked()
    page.keyboard.press("Tab")
    assert focused_in(question, "textarea")
    if note:
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(note)
        # Leaving the note saves it.
        autosaved(page, lambda: page.keyboard.press("Tab"))
        page.keyboard.press("Shift+Tab")


def answer_step(page: Page, no_for: str | None = None) -> None:
    """Answer every question on the step page: key questions Yes with a note, prompts Yes."""
    for question in page.locator(".app-question").all():
        code = question.get_attribute("data-code")
        key = question.get_attribute("data-key-question") is not None
        if code == no_for:
            answer(page, question, value="No", note=f"{code}: not seen in the file", key=key)
        else:
            answer(page, question, value="Yes", note=f"Evidence for {code}" if key else "", key=key)


def test_an_inspector_scores_a_case_by_keyboard_and_quality_assurance_agrees_it(
    page, second_page, people, out_of_court
):
    case = out_of_court
    qa = second_page

    # The inspector's queue, then the case's steps.
    sign_in(page, people.inspector, "/my-cases/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cases")
    expect(page.locator("#not_started")).to_contain_text("Not started")
    # A case to score opens at the step to do next.
    tab_to(page, page.get_by_role("link", name="O-007"))
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page).to_have_url(re.compile(r"/steps/3\.1/\?back=/my-cases/$"))
    tab_to(page, page.get_by_role("link", name="Summary and submit"))
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.locator("#steps li")).to_have_count(4)
    expect(page.locator("#progress-summary")).to_contain_text("0 of 49 questions answered")

    # Checking the answers too soon lists every question still to answer, each linked to its
    # place, and offers no Submit.
    tab_to(page, page.get_by_role("link", name="Check your answers and submit"))
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("button", name="Accept and submit")).to_have_count(0)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(49)
    first = summary.get_by_role(
        "link", name="Select Yes, No or Not applicable for 3.1.1", exact=True
    )
    expect(first).to_be_visible()
    tab_to(page, first)
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page).to_have_url(re.compile(r"/steps/3\.1/#q\d+$"))

    for number, code in enumerate(STEPS, start=1):
        expect(page.get_by_role("heading", level=2, name=code)).to_be_visible()
        expect(page.get_by_text(f"Step {number} of 4")).to_be_visible()
        answer_step(page, no_for="3.2.1.a" if code == "3.2" else None)
        tab_to(page, page.get_by_role("button", name="Save and continue"))
        follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case O-007")
    expect(page.locator("#progress-summary")).to_contain_text("49 of 49 questions answered")
    assert Answer.objects.filter(case=case).count() == len(applicable_questions(case)) == 49
    assert Answer.objects.get(case=case, question__code="3.2.1.a").value == "no"

    # Check your answers: every step's answers and notes, each with a Change link, then the
    # declaration and Submit.
    tab_to(page, page.get_by_role("link", name="Check your answers and submit"))
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator(".govuk-summary-list__row")).to_have_count(49)
    expect(page.get_by_role("link", name="Change the answer to 3.2.1.a")).to_be_visible()
    expect(page.locator("#declaration")).to_contain_text("goes to quality assurance")
    tab_to(page, page.get_by_role("button", name="Accept and submit"))
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Case O-007 submitted")
    expect(page.locator("#next-steps")).to_contain_text("with quality assurance")
    follow(page, page.get_by_role("link", name="Back to case O-007").click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("In quality assurance")

    # The moderator, in another browser, returns one answer with a reason.
    sign_in(qa, people.qa, f"/cases/{case.public_id}/judgements/")
    follow(qa, qa.get_by_role("link", name="Quality-assure this case").click)
    moderation = qa.locator("#moderation")
    expect(moderation).to_contain_text("Evidence for 3.1.1")
    expect(qa.locator("#answer-3\\.2\\.1\\.a")).to_contain_text("not seen in the file")
    qa.get_by_label("Return 3.1.1", exact=True).check()
    qa.get_by_label("Reason for returning 3.1.1", exact=True).fill(
        "Say which assessment tool was used, and when."
    )
    follow(qa, qa.get_by_role("button", name="Return the ticked questions").click)
    expect(qa.get_by_role("heading", level=1)).to_contain_text("Returned")

    # The inspector sees the reason, fixes the answer and resubmits.
    visit(page, f"/cases/{case.public_id}/judgements/")
    expect(page.get_by_text("Quality assurance returned 1 question")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="3.1 Assessment"))
    follow(page, lambda: page.keyboard.press("Enter"))
    returned = page.locator(".app-question").filter(has=page.locator(".app-returned"))
    expect(returned).to_have_count(1)
    returned_pk = returned.get_attribute("id").removeprefix("q")
    expect(returned.locator(".app-returned")).to_have_text(
        "Returned by Qa Tester: Say which assessment tool was used, and when."
    )
    answer(
        page, returned, value="Yes", note="AssetPlus completed on 3 May, within 20 days", key=True
    )
    tab_to(page, page.get_by_role("link", name="Summary and submit"))
    follow(page, lambda: page.keyboard.press("Enter"))
    tab_to(page, page.get_by_role("link", name="Check your answers and submit"))
    follow(page, lambda: page.keyboard.press("Enter"))
    tab_to(page, page.get_by_role("button", name="Accept and submit"))
    follow(page, lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Case O-007 submitted")

    # The moderator agrees: the case is locked.
    # The page shows what was returned and what changed since, old and new.
    visit(qa, f"/cases/{case.public_id}/quality-assurance/")
    expect(qa.locator("#since-return")).to_contain_text("returned 1 question")
    expect(qa.locator("#since-return")).to_contain_text("1 answer changed since")
    card = qa.locator("#answer-3\\.1\\.1")
    expect(card).to_contain_text("Changed since return")
    expect(card).to_contain_text("Returned because")
    expect(card).to_contain_text("Say which assessment tool was used, and when.")
    expect(card).to_contain_text("AssetPlus completed on 3 May, within 20 days")
    expect(card.locator("del").first).to_be_visible()  # what it said before
    follow(qa, qa.get_by_role("button", name="Agree and lock the case").click)
    # Agreeing asks for confirmation before it locks the case.
    expect(qa.get_by_role("heading", level=1)).to_contain_text("Agree and lock case O-007?")
    follow(qa, qa.get_by_role("button", name="Yes, agree and lock the case").click)
    expect(qa.get_by_role("heading", level=1)).to_contain_text("Agreed")
    record = qa.locator("#moderation-record")
    expect(record).to_contain_text("Returned by Qa Tester")
    expect(record).to_contain_text("3.1.1: Say which assessment tool was used, and when.")
    expect(record).to_contain_text("Agreed by Qa Tester")

    # The inspector can read the answers but no longer change them.
    visit(page, f"/cases/{case.public_id}/steps/3.1/")
    expect(page.get_by_text("You can read these answers but not change them")).to_be_visible()
    expect(page.get_by_role("button", name="Save and continue")).to_have_count(0)
    # Read as text, not as greyed-out inputs.
    expect(page.locator(".app-question input, .app-question textarea")).to_have_count(0)
    expect(page.locator("#q" + str(returned_pk))).to_contain_text(
        "AssetPlus completed on 3 May, within 20 days"
    )

    # Every change is on the case's History page.
    follow(page, page.get_by_role("link", name="History").click)
    history = page.locator("#history")
    expect(history).to_contain_text("3.1.1 evidence note")
    expect(history).to_contain_text("Moderation decision: Returned 3.1.1")
    expect(history).to_contain_text("In quality assurance")

    case.refresh_from_db()
    assert case.status == Case.Status.AGREED
    assert [d.decision for d in ModerationDecision.objects.filter(case=case)] == [
        "returned",
        "agreed",
    ]
    assert AuditEvent.objects.filter(case=case, action="note_changed", subject="3.1.1").exists()


def test_agree_is_refused_while_a_return_is_ticked(page, people, out_of_court):
    """The moderator ticks a return, then presses Agree: nothing is agreed or lost."""
    from judgements import services
    from judgements.services import AnswerInput

    case = out_of_court
    services.answers_record(
        case=case,
        answers=[
            AnswerInput(question=q, value="yes", note=f"Evidence for {q.code}")
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)
    sign_in(page, people.qa, f"/cases/{case.public_id}/quality-assurance/")
    page.get_by_label("Return 3.1.1", exact=True).check()
    page.get_by_label("Reason for returning 3.1.1", exact=True).fill("Name the tool.")
    follow(page, page.get_by_role("button", name="Agree and lock the case").click)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "You cannot agree the case while questions are ticked to return (3.1.1)"
    )
    assert page.title().startswith("Error: ")
    # What the moderator typed is still there.
    expect(page.get_by_label("Reason for returning 3.1.1", exact=True)).to_have_value(
        "Name the tool."
    )
    expect(page.get_by_label("Return 3.1.1", exact=True)).to_be_checked()
    case.refresh_from_db()
    assert case.status == Case.Status.IN_QA
    assert not ModerationDecision.objects.filter(case=case).exists()
