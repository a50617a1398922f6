"""In a real browser (axe-core on every page, at 390 and 1280 pixels, no page wider than the
window): the evidence source on a step, the moderator's feedback on the case summary, the back
link from a list, the filters as tags, the standard's figures beside the report form, and the
refusal page."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from judgements import services
from judgements.models import Answer
from judgements.rules import applicable_questions
from tests.conftest import make_case

from .conftest import assert_accessible, follow, sign_in, visit, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)
# Set to a folder to keep a screenshot of each page at each width (to look at them).
SHOTS = os.environ.get("SCREENSHOT_DIR")


def fits(page: Page, name: str) -> None:
    """At each width: no wider than the window, axe clean, and a screenshot if asked."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} is {overflow}px wider than the window at {width}px"
        assert_accessible(page)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def scored_and_submitted(case, people):
    services.qa_select(case=case, selected=True, actor=people.lead)
    services.answers_record(
        case=case,
        answers=[
            services.AnswerInput(question=q, value="yes", note=f"Evidence for {q.code}")
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)
    case.refresh_from_db()
    return case


def test_the_inspector_says_where_evidence_came_from_and_reads_qa_feedback(
    page, inspection, people
):
    case = make_case(inspection, reference="C-001", inspector=people.inspector)
    sign_in(page, people.inspector, "/my-cases/")
    follow(page, page.get_by_role("link", name="C-001").click)
    # Opened from the to-do list: the back link leads there.
    expect(page.locator(".govuk-back-link")).to_have_attribute("href", "/my-cases/")
    questions = [q for q in applicable_questions(case) if q.standard.code == "2.1"]
    key = next(q for q in questions if q.is_key_question)
    visit(page, f"/cases/{case.public_id}/steps/2.1/")
    source = page.get_by_label(f"Where the evidence for {key.code} came from")
    expect(source).to_have_value("case_file")
    page.locator(f"#id_q{key.pk}-value_0").check()
    page.locator(f"#id_q{key.pk}-note").fill("Asked the case manager")
    source.select_option("cm_interview")
    # Autosave sends the source with the answer, before any Save is pressed.
    expect(page.locator("#autosave-status")).to_contain_text(f"{key.code} saved")
    for _ in range(20):
        saved = Answer.objects.filter(case=case, question=key).first()
        if saved is not None and saved.evidence_source == "cm_interview":
            break
        page.wait_for_timeout(100)
    assert saved is not None and saved.evidence_source == "cm_interview"
    fits(page, "step")
    follow(page, page.get_by_role("button", name="Save and come back later").click)
    assert Answer.objects.get(case=case, question=key).evidence_source == "cm_interview"

    scored_and_submitted(case, people)
    case.refresh_from_db()
    services.case_return(
        case=case,
        moderator=people.qa,
        reasons={key: "Say which tool was used."},
        feedback="Clear notes; say which assessment tool was used.",
    )
    visit(page, f"/cases/{case.public_id}/judgements/")
    expect(page.locator("#qa-feedback")).to_contain_text(
        "Clear notes; say which assessment tool was used."
    )
    expect(page.locator("#qa-feedback")).to_contain_text("Returned by Qa Tester on")
    fits(page, "case-summary")
    visit(page, f"/cases/{case.public_id}/judgements/check/")
    fits(page, "check-answers")


def test_the_lead_filters_the_cases_and_writes_beside_the_figures(page, inspection, people):
    for n in range(3):
        scored_and_submitted(
            make_case(inspection, reference=f"C-00{n}", inspector=people.inspector), people
        )
    sign_in(page, people.lead, f"/inspections/{inspection.reference}/cases/")
    page.get_by_label("Status").select_option("in_qa")
    follow(page, page.get_by_role("button", name="Apply filters").click)
    tag = page.locator(".moj-filter__tag")
    expect(tag).to_have_count(1)
    expect(tag).to_contain_text("Status: In quality assurance")
    fits(page, "case-list-filtered")
    follow(page, tag.click)
    expect(page.locator(".moj-filter__tag")).to_have_count(0)

    visit(page, f"/inspections/{inspection.reference}/report/standards/2.1/")
    expect(page.locator("#standard-figures")).to_contain_text("of 3 (")
    fits(page, "report-standard")
    visit(page, f"/inspections/{inspection.reference}/ratings/")
    expect(page.locator("#qa-agreed")).to_contain_text("0 of", use_inner_text=True)
    fits(page, "ratings")
    visit(page, f"/inspections/{inspection.reference}/quality-assurance/")
    fits(page, "qa-list")


def test_the_refusal_page_explains(page, inspection, people):
    case = make_case(inspection, reference="C-001", inspector=people.inspector)
    sign_in(page, people.colleague, f"/cases/{case.public_id}/judgements/")
    response = page.goto(f"/cases/{case.public_id}/reopen/")
    assert response is not None and response.status == 403
    # The browser logs the refused request itself; that is the page under test, not an error.
    watch(page).errors.clear()
    expect(page.locator("h1")).to_have_text("You cannot reopen case C-001")
    fits(page, "refusal")
