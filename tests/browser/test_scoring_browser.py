"""Scoring that loses nothing: the timeout warning, a session that ends with answers typed but
not saved (with JavaScript and without), and check your answers before submitting, in a real
browser with every page checked by axe-core.
"""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from casefiles.models import Case
from judgements import services
from judgements.models import Answer
from judgements.rules import applicable_questions
from tests.conftest import PASSWORD, make_case

from .conftest import assert_accessible, follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNSAVED = "You have answers that were not saved: check and save them"
NOTE = "Asked at the first appointment; no contact with children recorded"


@pytest.fixture
def two_cases(inspection, people):
    first = make_case(inspection, reference="C-001", inspector=people.inspector)
    second = make_case(inspection, reference="C-002", inspector=people.inspector)
    return first, second


def step_path(case, code: str) -> str:
    return f"/cases/{case.public_id}/steps/{code}/"


def end_every_session() -> None:
    """The server forgets every session, as when the idle time-out has passed: the browser
    still sends its cookie, and is treated as signed out."""
    Session.objects.all().delete()


def sign_in_here(page: Page, user) -> None:
    """Sign in on the sign-in page the browser is on, as a person sent there would."""
    assert "/login/" in page.url, page.url
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Sign in").click)


def first_questions(case, code: str):
    """The step's key question and its first prompt."""
    questions = [q for q in applicable_questions(case) if q.standard.code == code]
    key = next(q for q in questions if q.is_key_question)
    prompt = next(q for q in questions if not q.is_key_question)
    return key, prompt


def test_the_timeout_warning_keeps_the_inspector_signed_in(page, settings, two_cases, people):
    case, _ = two_cases
    settings.SESSION_COOKIE_AGE = 6  # the warning shows 2 seconds before the end
    sign_in(page, people.inspector, step_path(case, "2.1"))
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible(timeout=15_000)
    assert_accessible(page)
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    settings.SESSION_COOKIE_AGE = 30 * 60  # long enough for the rest of the test
    with page.expect_response(lambda r: "/session/keep-alive/" in r.url) as kept:
        stay.click()
    assert kept.value.status == 200
    expect(dialog).to_be_hidden()
    # Still signed in: an answer saves.
    key, prompt = first_questions(case, "2.1")
    with page.expect_response(lambda r: "/autosave/" in r.url) as saved:
        page.locator(f"#q{prompt.pk}").get_by_label("Yes", exact=True).check()
    assert saved.value.status == 200
    expect(page.locator("#autosave-status")).to_have_text(f"{prompt.code} saved")
    assert Answer.objects.filter(case=case, question=prompt, value="yes").exists()


def test_with_javascript_answers_typed_when_the_session_ended_are_kept_and_offered_back(
    page, two_cases, people
):
    case, _ = two_cases
    key, prompt = first_questions(case, "2.1")
    sign_in(page, people.inspector, step_path(case, "2.1"))
    end_every_session()

    # Autosave gets the sign-in page back: that is not a save.
    page.get_by_label(f"Evidence for {key.code}", exact=True).fill(NOTE)
    with page.expect_response(lambda r: "/login/" in r.url):
        page.locator(f"#q{key.pk}").get_by_label("No", exact=True).check()
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Not saved: you have been signed out")
    expect(status).not_to_contain_text(f"{key.code} saved")
    assert not Answer.objects.filter(case=case).exists()

    # The page says the session has ended, and signing in again comes back to the step.
    ended = page.get_by_role("dialog", name="You have been signed out")
    expect(ended).to_be_visible()
    assert_accessible(page)
    follow(page, ended.get_by_role("link", name="Sign in again").click)
    sign_in_here(page, people.inspector)
    expect(page).to_have_url(re.compile(re.escape(step_path(case, "2.1")) + "$"))

    # What was typed is back, said, and not saved until the inspector saves it.
    expect(page.get_by_text(UNSAVED)).to_be_visible()
    expect(page.locator(f"#q{key.pk}").get_by_label("No", exact=True)).to_be_checked()
    expect(page.get_by_label(f"Evidence for {key.code}", exact=True)).to_have_value(NOTE)
    expect(page.locator(f"#q{prompt.pk}").get_by_label("Yes", exact=True)).not_to_be_checked()
    assert not Answer.objects.filter(case=case).exists()

    follow(page, page.get_by_role("button", name="Save and come back later").click)
    expect(page).to_have_url(re.compile(rf"/cases/{case.public_id}/judgements/$"))
    assert Answer.objects.get(case=case, question=key).note == NOTE
    assert Answer.objects.get(case=case, question=key).value == "no"

    # Saved answers are not offered again.
    visit(page, step_path(case, "2.1"))
    expect(page.get_by_text("You have answers that were not saved")).to_be_hidden()


def test_without_javascript_a_save_after_the_session_ended_comes_back_after_signing_in(
    page_without_js, two_cases, people
):
    page = page_without_js
    case, _ = two_cases
    key, prompt = first_questions(case, "2.1")
    sign_in(page, people.inspector, step_path(case, "2.1"))
    page.locator(f"#q{key.pk}").get_by_label("No", exact=True).check()
    page.get_by_label(f"Evidence for {key.code}", exact=True).fill(NOTE)
    page.locator(f"#q{prompt.pk}").get_by_label("Not applicable", exact=True).check()
    end_every_session()

    follow(page, page.get_by_role("button", name="Save and continue").click)
    assert "/login/" in page.url
    assert not Answer.objects.filter(case=case).exists()
    sign_in_here(page, people.inspector)

    expect(page).to_have_url(re.compile(re.escape(step_path(case, "2.1")) + "$"))
    expect(page.get_by_text(UNSAVED)).to_be_visible()
    expect(page.locator(f"#q{key.pk}").get_by_label("No", exact=True)).to_be_checked()
    expect(page.get_by_label(f"Evidence for {key.code}", exact=True)).to_have_value(NOTE)
    expect(
        page.locator(f"#q{prompt.pk}").get_by_label("Not applicable", exact=True)
    ).to_be_checked()
    assert not Answer.objects.filter(case=case).exists()  # shown again, not saved

    follow(page, page.get_by_role("button", name="Save and continue").click)
    assert Answer.objects.get(case=case, question=key).note == NOTE
    assert Answer.objects.get(case=case, question=prompt).value == "na"
    # The next step says briefly that this one was saved.
    expect(page.locator("#step-saved")).to_contain_text("2.1")


def test_check_answers_then_submit_then_go_on_to_the_next_case(page, two_cases, people):
    case, second = two_cases
    services.answers_record(
        case=case,
        answers=[
            services.AnswerInput(question=q, value="yes", note=f"Evidence for {q.code}")
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    sign_in(page, people.inspector, f"/cases/{case.public_id}/judgements/")
    follow(page, page.get_by_role("link", name="Check your answers and submit").click)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    rows = page.locator(".govuk-summary-list__row")
    expect(rows).to_have_count(len(applicable_questions(case)))
    expect(rows.first).to_contain_text("Evidence for 2.1.1")

    # "Change" goes to the question on its step.
    follow(page, page.get_by_role("link", name="Change the answer to 2.1.1", exact=True).click)
    expect(page).to_have_url(re.compile(r"/steps/2\.1/#q\d+$"))
    page.go_back()
    assert_accessible(page)

    expect(page.locator("#declaration")).to_contain_text("By submitting this case you confirm")
    follow(page, page.get_by_role("button", name="Accept and submit").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Case C-001 submitted")
    expect(page.locator("#next-steps")).to_contain_text("count towards the inspection's ratings")
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED

    follow(page, page.get_by_role("link", name="Score case C-002").click)
    expect(page).to_have_url(re.compile(re.escape(step_path(second, "2.1")) + "$"))
    # The header leads to the to-do list, grouped by what is left to do.
    follow(page, page.get_by_role("link", name="Your cases").click)
    expect(page.locator("#to-score")).to_have_text("You have 1 case to score.")
    expect(page.locator("#queue-submitted")).to_contain_text("C-001")
    expect(page.locator("#queue-not_started")).to_contain_text("C-002")
