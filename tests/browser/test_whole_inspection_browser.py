"""The whole life of a service inspection in the service, from set-up to the published PDF.

An inspection manager creates the inspection; the lead builds the team, uploads the file of
eligible cases, draws the sample and allocates it automatically (reviewed, then confirmed).
An inspector scores a step of a case in the browser and submits it; the other answers and
cases go through the judgements services, as work done earlier would. Quality assurance
agrees the case in the browser; the lead rates the organisation standards and writes the
report. The approver is refused while something is missing, with the reasons on the page,
and returns the report; the lead puts it right (following the check before publication) and
sends it again; the approver approves; the lead publishes and downloads the PDF, which says
DRAFT on no page. No admin page is opened. Every page visited is checked with axe-core.

Kept small to be quick: five cases, one step of one case answered through the browser.
"""

import io
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from casefiles.models import Case, SampleDraw
from inspection.models import Domain, Inspection, InspectionChange, Membership, Standard
from judgements import services as judgements
from judgements.models import Answer, AuditEvent, OrganisationRating
from judgements.rules import applicable_questions, case_questions
from reports.demo.builders import ORGANISATION_NARRATIVES
from reports.writing import services as writing
from tests.conftest import make_user
from tests.support.sample_population import csv_bytes, population_rows

from .conftest import _close_page, _open_page, assert_accessible, follow, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = "yjs-barking-2018"
TITLE = "Youth justice in Barking and Dagenham"
UNRATED_14 = "Standard 1.4 Information and facilities is not yet rated by the lead inspector."
# Set to a folder to keep a screenshot of some pages at each width (to look at them).
SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    # Reading the population file, drawing the sample and making the PDF are background jobs:
    # here each runs as soon as the request that starts it commits.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def inspector_page(browser, site, transactional_db):
    """The inspector's own browser, without JavaScript: the step's form posts as it is."""
    page = _open_page(browser, site, javascript=False)
    yield page
    _close_page(page)


def shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})


def sign_in_as(page: Page, user, path: str = "/") -> Page:
    page.context.clear_cookies()
    return sign_in(page, user, path)


def move(page: Page, button: str, reason: str = "") -> None:
    """Make a stage move from the inspection's page, through its confirmation page."""
    follow(page, page.get_by_role("link", name=button).click)
    expect(page.locator("h1")).to_have_text(button)
    if reason:
        page.get_by_label("Reason").fill(reason)
    follow(page, page.get_by_role("button", name=button).click)


def overview(page: Page) -> None:
    visit(page, f"/inspections/{REFERENCE}/")


def fill_date(page: Page, name: str, day: int, month: int, year: int) -> None:
    for part, value in enumerate((day, month, year)):
        page.locator(f'input[name="{name}_{part}"]').fill(str(value))


def answer_through_services(case: Case, questions, *, no: str = "") -> None:
    """Answers recorded by the case's inspector through the services, as the walk-through
    records them: Yes with a note, except the question ``no``."""
    judgements.answers_record(
        case=case,
        answers=[
            judgements.AnswerInput(
                question=question,
                value="no" if question.code == no else "yes",
                note=f"{case.reference}: {question.code} seen in the record and the interview.",
            )
            for question in questions
        ],
        actor=case.inspector,
    )


def write_the_report_but_its_key_facts(inspection: Inspection, lead) -> None:
    """Everything the report needs beyond the foreword, but no key fact, through the
    report's services (the narratives of the organisation standards come from their ratings)."""
    for domain in Domain.objects.filter(framework=inspection.framework):
        writing.domain_findings_save(
            inspection=inspection,
            domain=domain,
            key_findings=f"What we found about {domain.title.lower()}.\n"
            "Case managers know the children they work with well.",
            actor=lead,
        )
    for standard in Standard.objects.filter(framework=inspection.framework, domain__code__gt="1"):
        writing.standard_text_save(
            inspection=inspection,
            standard=standard,
            narrative=f"We inspected {standard.title.lower()} in the cases of the sample.",
            strengths="Good relationships between case managers and children.",
            areas_for_improvement="Planning to keep children safe.",
            actor=lead,
        )
    writing.recommendation_save(
        inspection=inspection,
        addressed_to="Barking and Dagenham YOS",
        text="Produce plans that keep children safe and manage the risk of harm to others.",
        actor=lead,
    )


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


def test_a_service_inspection_from_set_up_to_the_published_pdf(
    page: Page, inspector_page: Page, people, organisation, yos_framework
):
    setter = make_user("setter", sets_up_inspections=True)
    approver = make_user("approver", approves_reports=True)

    # ------------------------------------------------------------------ set-up
    # The inspection manager creates the inspection and names its lead.
    sign_in_as(page, setter)
    follow(page, page.get_by_role("link", name="Create an inspection").click)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_role("radio", name="Service").check()
    page.get_by_label("Barking and Dagenham YOS").check()
    page.get_by_label("Framework version").select_option(label=str(yos_framework))
    fill_date(page, "fieldwork_start", 16, 4, 2018)
    fill_date(page, "fieldwork_end", 27, 4, 2018)
    page.get_by_label("Ofsted").check()
    page.get_by_label("Lead inspector").select_option(label="Lead Tester")
    shoot(page, "01-create")
    follow(page, page.get_by_role("button", name="Create the inspection").click)
    expect(page.locator(".govuk-panel__title")).to_have_text("Inspection set up")
    inspection = Inspection.objects.get(reference=REFERENCE)
    assert inspection.framework == yos_framework
    assert inspection.status == Inspection.Status.PLANNING

    # The lead builds the team.
    sign_in_as(page, people.lead, f"/inspections/{REFERENCE}/")
    follow(page, page.get_by_role("link", name="Team", exact=True).click)
    for person, role, inspectorate in (
        ("Inspector Tester", "Inspector", None),
        ("Partner Tester", "Partner inspector", "Ofsted"),
        ("Qa Tester", "Quality assurance", None),
    ):
        follow(page, page.get_by_role("link", name="Add a team member").click)
        page.get_by_label("Person").select_option(label=person)
        page.get_by_role("radio", name=role, exact=True).check()
        if inspectorate:
            page.get_by_label("Inspectorate (partner inspectors only)").select_option(
                label=inspectorate
            )
        follow(page, page.get_by_role("button", name="Add to the team").click)
    expect(page.locator("#members tbody tr")).to_have_count(4)
    shoot(page, "02-team")
    assert Membership.objects.filter(inspection=inspection).count() == 4

    # ------------------------------------------------------------------ the sample
    # Five eligible cases: three court disposals and two out-of-court disposals.
    follow(page, page.get_by_role("link", name="Sample", exact=True).click)
    follow(page, page.get_by_role("link", name="Upload the eligible cases").click)
    rows = population_rows(court=3, out_of_court=2, court_outside=0, out_of_court_outside=0)
    page.get_by_label("File of eligible cases").set_input_files(
        {"name": "eligible.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}
    )
    follow(page, page.get_by_role("button", name="Upload and check").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "5 eligible cases uploaded from eligible.csv"
    )
    follow(page, page.get_by_role("link", name="Continue to the draw").click)
    page.get_by_label("Seed").fill("2018")
    follow(page, page.get_by_role("button", name="Draw the sample").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Sample drawn: 5 cases added to the inspection"
    )
    shoot(page, "03-sample")
    assert SampleDraw.objects.get(inspection=inspection).seed == 2018
    cases = Case.objects.filter(inspection=inspection)
    assert cases.count() == 5

    # The automatic allocation, reviewed and confirmed.
    visit(page, f"/inspections/{REFERENCE}/assign/")
    follow(page, page.get_by_role("link", name="Allocate unassigned cases automatically").click)
    expect(page.locator("#proposal tbody tr")).to_have_count(5)
    shoot(page, "04-allocate")
    follow(page, page.get_by_role("button", name="Confirm and assign").click)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "5 cases allocated to the team"
    )
    assert not cases.filter(inspector__isnull=True).exists()
    assert {c.inspector for c in cases} == {people.inspector, people.partner}
    assert (
        AuditEvent.objects.filter(inspection=inspection, action=AuditEvent.Action.ASSIGNED).count()
        == 5
    )

    overview(page)
    move(page, "Start fieldwork")
    expect(page.locator("#stage")).to_contain_text("Fieldwork")

    # ------------------------------------------------------------------ scoring
    # One of the inspector's cases: every step but the last answered earlier (services); the
    # last answered in the browser, then the case checked and submitted.
    questions = case_questions(yos_framework)
    case = cases.filter(inspector=people.inspector).order_by("reference").first()
    applicable = applicable_questions(case, questions)
    steps = sorted({q.standard.code for q in applicable})
    last_step = steps[-1]
    answer_through_services(case, [q for q in applicable if q.standard.code != last_step])
    in_browser = [q for q in applicable if q.standard.code == last_step]

    sign_in(inspector_page, people.inspector, "/my-cases/")
    follow(inspector_page, inspector_page.get_by_role("link", name=case.reference).click)
    expect(inspector_page.get_by_role("heading", level=2, name=last_step)).to_be_visible()
    for question in in_browser:
        block = inspector_page.locator(f"#q{question.pk}")
        block.get_by_label("Yes", exact=True).check()
        if question.is_key_question:
            inspector_page.get_by_label(f"Evidence for {question.code}", exact=True).fill(
                f"{question.code}: the plan names the risks and who acts on them."
            )
    shoot(inspector_page, "05-step")
    follow(inspector_page, inspector_page.get_by_role("button", name="Save and continue").click)
    expect(inspector_page.locator("#progress-summary")).to_contain_text(
        f"{len(applicable)} of {len(applicable)} questions answered"
    )
    follow(
        inspector_page,
        inspector_page.get_by_role("link", name="Check your answers and submit").click,
    )
    follow(inspector_page, inspector_page.get_by_role("button", name="Accept and submit").click)
    expect(inspector_page.get_by_role("heading", level=1)).to_have_text(
        f"Case {case.reference} submitted"
    )
    assert Answer.objects.filter(case=case, question__in=in_browser).count() == len(in_browser)

    # The other four cases, scored and submitted by their inspectors through the services.
    others = list(cases.exclude(pk=case.pk).select_related("inspector").order_by("reference"))
    for index, other in enumerate(others):
        answerable = applicable_questions(other, questions)
        key = [q for q in answerable if q.is_key_question]
        answer_through_services(other, answerable, no=key[index % len(key)].code)
        judgements.case_submit(case=other, actor=other.inspector)

    # ------------------------------------------------------------------ quality assurance
    overview(page)
    move(page, "Start quality assurance")
    sign_in_as(page, people.qa, f"/inspections/{REFERENCE}/quality-assurance/")
    expect(page.locator("#qa-cases tbody tr")).to_have_count(5)
    follow(page, page.get_by_role("link", name=case.reference, exact=True).click)
    follow(page, page.get_by_role("link", name="Quality-assure this case").click)
    follow(page, page.get_by_role("button", name="Agree and lock the case").click)
    follow(page, page.get_by_role("button", name="Yes, agree and lock the case").click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Agreed")
    for other in others:
        judgements.case_agree(case=other, moderator=people.qa, feedback="Agreed.")
    assert set(cases.values_list("status", flat=True)) == {Case.Status.AGREED}

    # ------------------------------------------------------------------ organisation ratings
    # The lead rates 1.1 in the browser; 1.2 and 1.3 were rated through the services; 1.4 is
    # left for later.
    sign_in_as(page, people.lead, f"/inspections/{REFERENCE}/organisation-ratings/")
    rate_in_browser(page, "1.1")
    for code in ("1.2", "1.3"):
        judgements.organisation_rating_record(
            inspection=inspection,
            organisation=organisation,
            standard=Standard.objects.get(framework=yos_framework, code=code),
            rating="Good",
            narrative=ORGANISATION_NARRATIVES[code],
            evidence="Interviews with leaders, managers and staff.",
            actor=people.lead,
        )

    # ------------------------------------------------------------------ the report
    overview(page)
    move(page, "Start report drafting")
    visit(page, f"/inspections/{REFERENCE}/report/")
    follow(page, page.get_by_role("link", name="Write the foreword").click)
    page.get_by_label("Foreword").fill(
        "This inspection looked at how the service keeps children safe and helps them stop "
        "offending.\n\nWe found committed staff and leaders, and work to do on planning."
    )
    follow(page, page.get_by_role("button", name="Save foreword").click)
    write_the_report_but_its_key_facts(inspection, people.lead)

    visit(page, f"/inspections/{REFERENCE}/report/check/")
    expect(page.get_by_role("link", name="No key fact is written.")).to_be_visible()
    expect(page.get_by_role("link", name=UNRATED_14)).to_be_visible()
    expect(page.locator("#check-all-clear")).to_have_count(0)
    shoot(page, "06-check")

    overview(page)
    move(page, "Send for approval")
    expect(page.locator("#stage")).to_contain_text("Approval")

    # ------------------------------------------------------------------ approval refused
    sign_in_as(page, approver, f"/inspections/{REFERENCE}/")
    follow(page, page.get_by_role("link", name="Approve the report").click)
    refused = page.locator("#refused")
    expect(refused).to_contain_text("The report cannot be approved yet")
    expect(refused).to_contain_text("No key fact is written.")
    expect(refused).to_contain_text(UNRATED_14)
    expect(page.get_by_role("button", name="Approve the report")).to_have_count(0)
    shoot(page, "07-refused")
    inspection.refresh_from_db()
    assert not inspection.is_approved
    follow(page, page.get_by_role("link", name="Back to the inspection").click)
    move(page, "Return for changes", reason="The key facts and the rating of 1.4 are missing.")
    # The approver reads an inspection only while it waits for approval: back to their home.
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The inspection is now at the report drafting stage."
    )
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.REPORTING

    # ------------------------------------------------------------------ put right, approved
    # The lead follows the check before publication to each missing thing.
    sign_in_as(page, people.lead, f"/inspections/{REFERENCE}/report/check/")
    follow(page, page.get_by_role("link", name="No key fact is written.").click)
    page.get_by_label("What the figure is").fill("Children in the sample")
    page.get_by_label("Figure", exact=True).fill("5")
    follow(page, page.get_by_role("button", name="Save key fact").click)
    visit(page, f"/inspections/{REFERENCE}/report/check/")
    follow(page, page.get_by_role("link", name=UNRATED_14).click)
    fill_rating(page, "1.4")
    visit(page, f"/inspections/{REFERENCE}/report/check/")
    expect(page.locator("#check-all-clear")).to_be_visible()
    overview(page)
    move(page, "Send for approval")

    sign_in_as(page, approver, f"/inspections/{REFERENCE}/")
    follow(page, page.get_by_role("link", name="Approve the report").click)
    expect(page.locator("#refused")).to_have_count(0)
    follow(page, page.get_by_role("button", name="Approve the report").click)
    expect(page.locator("#stage")).to_contain_text("Approved by Approver Tester")

    # ------------------------------------------------------------------ published
    sign_in_as(page, people.lead, f"/inspections/{REFERENCE}/")
    move(page, "Publish")
    expect(page.locator("#stage")).to_contain_text("Published")
    shoot(page, "08-published")
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PUBLISHED
    assert inspection.approved_by == approver and inspection.published_at is not None
    moves = InspectionChange.objects.filter(
        inspection=inspection, action=InspectionChange.Action.STAGE_MOVED
    ).order_by("at", "pk")
    assert [(m.new_value, m.actor.username) for m in moves] == [
        ("Fieldwork", "lead"),
        ("Quality assurance", "lead"),
        ("Report drafting", "lead"),
        ("Approval", "lead"),
        ("Report drafting", "approver"),
        ("Approval", "lead"),
        ("Published", "lead"),
    ]
    assert (
        InspectionChange.objects.get(
            inspection=inspection, action=InspectionChange.Action.APPROVED
        ).actor
        == approver
    )
    assert OrganisationRating.objects.filter(inspection=inspection).count() == 4

    # The PDF, made by its job, downloaded from the job's page.
    visit(page, f"/inspections/{REFERENCE}/report/")
    follow(page, page.get_by_role("button", name="Create the PDF").click)
    expect(page.get_by_role("heading", name="Your file is ready")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download {REFERENCE}-report.pdf").click()
    data = Path(download.value.path()).read_bytes()
    if SHOTS:
        Path(SHOTS, "published.pdf").write_bytes(data)
    pages = pdf_pages(data)
    assert len(pages) > 3
    cover = pages[0]
    assert TITLE in cover and "HM Inspectorate of Probation with Ofsted" in cover
    # The publication's month on the cover, not "draft of"; the overall rating, now whole.
    published = timezone.localtime(inspection.published_at)
    assert f"{published:%B %Y}".upper() in cover.upper() and "draft of" not in cover.lower()
    assert "Overall rating: Good" in cover
    assert not [n for n, text in enumerate(pages, 1) if "DRAFT" in text or "Draft" in text], (
        "DRAFT on a page of the published report"
    )

    # No page of the journey was an admin page.
    for visited in (page, inspector_page):
        assert not any("/admin/" in url for url in visited.audit_watch.loaded)


def fill_rating(page: Page, code: str) -> None:
    page.get_by_role("radio", name="Good").check()
    page.get_by_label("Narrative").fill(ORGANISATION_NARRATIVES[code])
    page.get_by_label("Evidence (interviews, surveys, documents)").fill(
        "Interviews with leaders, managers and staff; documents."
    )
    follow(page, page.get_by_role("button", name="Save rating").click)


def rate_in_browser(page: Page, code: str) -> None:
    follow(page, page.get_by_role("link", name=f"Rate {code} for Barking and Dagenham YOS").click)
    fill_rating(page, code)
