"""The report as a PDF: seed 004 built through the services, rendered, and read back with pypdf.

Tests the content, not the pixels: the text on the pages (title, every standard's rating in
words, the footer, a key question's "% yes"), that the PDF is tagged with a language and a
title, that no real name from the case files reaches it, the download page and the command.
"""

import io
import re
from collections import defaultdict
from functools import cache

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from casefiles.models import LinkedChild
from inspection.jobs.files import job_file_path
from inspection.models import Domain, Job, Membership, Standard
from judgements.rules import applicable_questions, case_questions
from judgements.services import AnswerInput, answers_record, case_submit, organisation_rating_record
from reports.writing import services as services
from reports.writing.document import report_document
from reports.writing.pdf import ReportPdf, report_pdf
from reports.writing.people import pseudonymiser_for
from tests.conftest import make_case
from tests.support.jobs import content_of, download, job_of
from tests.support.seed004 import (
    SEED004_ORGANISATION_RATINGS,
    SEED004_OVERALL_RATING,
    SEED004_RATINGS,
    seed004_answers,
)

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")

SAMPLE_TYPE = {"2": "court_disposal", "3": "out_of_court"}
FIRST_NAMES = ["Jayden", "Kyle", "Shanice", "Tyrone", "Amira", "Liam", "Grace", "Reuben"]
SURNAMES = ["Morgan", "Okonjo", "Baptiste", "Kowalski", "Ferreira", "Doyle", "Achebe"]


# Building seed 004 through the services ------------------------------------------------------


def real_name(index: int) -> str:
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {SURNAMES[index % len(SURNAMES)]}"


def build_seed004(inspection, organisation, people):
    """The 50 cases of seed 004, scored and submitted, and the lead's four ratings."""
    by_case: dict[str, dict[str, str]] = defaultdict(dict)
    for fact in seed004_answers():
        by_case[fact.case_id][fact.question_code] = fact.value
    questions = case_questions(inspection.framework)
    cases = []
    for index, (reference, values) in enumerate(by_case.items()):
        case = make_case(
            inspection,
            reference=reference,
            inspector=people.inspector,
            sample_type=SAMPLE_TYPE[next(iter(values))[0]],
            subject_name=real_name(index),
            case_manager=f"{FIRST_NAMES[(index + 3) % 8]} Whitlock",
        )
        cases.append(case)
        inputs = []
        for question in applicable_questions(case, questions):
            if question.parent_id is None:
                value = values[question.code]
                note = f"{reference} {question.code}: {value}."
            else:
                value, note = "yes", ""
            inputs.append(AnswerInput(question=question, value=value, note=note))
        answers_record(case=case, answers=inputs, actor=people.inspector)
        case_submit(case=case, actor=people.inspector)
    for code, rating in SEED004_ORGANISATION_RATINGS.items():
        organisation_rating_record(
            inspection=inspection,
            organisation=organisation,
            standard=Standard.objects.get(framework=inspection.framework, code=code),
            rating=rating,
            narrative=f"The service's work on standard {code} is {rating.lower()}.",
            evidence="Interviews and documents.",
            actor=people.lead,
        )
    return cases


def write_report(inspection, people, cases):
    """Report text in every section, with real names typed in where a writer would."""
    lead = people.lead
    first = cases[0]
    services.report_foreword_save(
        inspection=inspection,
        foreword=(
            "This is the first report of our joint inspections.\n\n"
            f"We met {first.subject_name} and the case manager, {first.case_manager}."
        ),
        actor=lead,
    )
    for domain in Domain.objects.filter(framework=inspection.framework):
        services.domain_findings_save(
            inspection=inspection,
            domain=domain,
            key_findings=f"Finding one about {domain.title.lower()}.\nFinding two.",
            actor=lead,
        )
    for standard in Standard.objects.filter(framework=inspection.framework):
        services.standard_text_save(
            inspection=inspection,
            standard=standard,
            narrative=f"Narrative for {standard.code}.\n\nA second paragraph.",
            strengths="Good relationships with children.\nA clear focus on desistance.",
            areas_for_improvement="Planning to keep children safe.",
            actor=lead,
        )
    for body, text in [
        ("Barking and Dagenham YOS", "Produce effective plans to keep children safe."),
        ("Barking and Dagenham YOS", "Consider the wishes of victims."),
        ("The Director of Children's Services", "Make sure thresholds are understood."),
        ("The Youth Justice Board", "Assist the YOS with 'county lines'."),
    ]:
        services.recommendation_save(
            inspection=inspection, addressed_to=body, text=text, actor=lead
        )
    services.key_fact_save(
        inspection=inspection,
        label="First-time entrant rate per 100,000",
        value="554",
        comparison="301 average for England and Wales",
        source="Youth Justice Board",
        actor=lead,
    )
    services.practice_example_save(
        inspection=inspection,
        case=first,
        standard=Standard.objects.get(framework=inspection.framework, code="2.3"),
        title="Working together to keep a child safe",
        quote=f"{first.subject_name.split()[0]} called his YOS officer to say he felt unsafe.",
        actor=lead,
    )


@cache  # the same report is read by several tests; reading its text takes seconds
def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


# The seeded report --------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed004_report_pdf_has_the_published_content_and_is_tagged(
    inspection, organisation, people
):
    cases = build_seed004(inspection, organisation, people)
    LinkedChild.objects.create(case=cases[0], name="Leah Morgan", relationship="sibling")
    write_report(inspection, people, cases)

    data, filename = report_pdf(inspection)
    reader, text = pdf_text(data)

    assert filename == "yos-bd-2018-report.pdf"
    assert data.startswith(b"%PDF-")
    assert inspection.title in text
    assert "Page 1 of" not in text  # the cover has no page number
    assert "Page 2 of" in text
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
    assert len(reader.pages) > 8
    # Every standard with its rating in words, as published (Annex 2).
    for code, rating in SEED004_RATINGS.items():
        assert re.search(rf"{re.escape(code)} [A-Z][\w -]+? {rating}", text), code
    assert f"Overall rating: {SEED004_OVERALL_RATING}" in text
    # 2.1.1 is 26 of 31: 84%.
    assert "26 of 31" in text and "84%" in text
    for heading in ["Contents", "Foreword", "Summary of ratings", "Recommendations", "Key facts"]:
        assert heading in text
    assert "Annex 1 – Methodology" in text and "Annex 3 – Glossary" in text
    assert "The Youth Justice Board should:" in text
    assert "MAPPA" in text  # the fixed glossary

    # Tagged, with a language and a title.
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == inspection.title

    # The charts are vector drawings: the PDF holds no raster image.
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for ref in xobjects.values():
            assert ref.get_object().get("/Subtype") != "/Image"

    # No real name from the case files anywhere in the text.
    for case in cases:
        for word in case.subject_name.split() + case.case_manager.split():
            assert not re.search(rf"\b{word}\b", text), word
    assert "Leah" not in text


# The download page and the command ---------------------------------------------------------


@pytest.fixture
def small_report(inspection, people):
    case = make_case(inspection, inspector=people.inspector)  # Jayden Morgan, Sam Collier
    services.report_foreword_save(
        inspection=inspection, foreword="We met Jayden Morgan and Sam Collier.", actor=people.lead
    )
    services.practice_example_save(
        inspection=inspection,
        case=case,
        standard=None,
        title="Jayden's plan",
        quote="Jayden Morgan's plan was reviewed.",
        actor=people.lead,
    )
    return inspection


@pytest.mark.parametrize("who", ["lead", "colleague", "manager"])
def test_the_pdf_is_made_in_the_background_and_downloads_as_an_attachment(
    small_report, people, login, who, run_jobs
):
    client = login(getattr(people, who))
    target = reverse("reports:report_pdf", args=["yos-bd-2018"])
    offer = client.get(target)
    assert offer.status_code == 200 and "Create the file" in offer.content.decode()
    with run_jobs():
        job = job_of(client.post(target))
    assert (job.kind, job.user, job.inspection) == (
        "report-pdf",
        getattr(people, who),
        small_report,
    )
    page = client.get(reverse("jobs:detail", args=[job.public_id])).content.decode()
    assert reverse("reports:report", args=["yos-bd-2018"]) in page  # back to the report

    response = download(client, job)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="yos-bd-2018-report.pdf"'
    assert "no-store" in response["Cache-Control"]
    _, text = pdf_text(content_of(response))
    assert "Practice example: " in text and "Practice examples" in text
    for real in ["Jayden", "Morgan", "Sam", "Collier"]:
        assert not re.search(rf"\b{real}\b", text), real
    names = pseudonymiser_for(small_report)
    assert names.pseudonym_of("Jayden Morgan") in text


def test_the_pdf_page_is_for_the_team_only(small_report, people, login, client):
    target = reverse("reports:report_pdf", args=["yos-bd-2018"])
    assert client.get(target).status_code == 302  # sign in first
    assert client.post(target).status_code == 302
    assert login(people.outsider).get(target).status_code == 404
    assert login(people.outsider).post(target).status_code == 404
    assert login(people.lead).put(target).status_code == 405
    assert not Job.objects.exists()


def test_the_report_pages_offer_the_pdf_as_a_form(small_report, people, login):
    target = reverse("reports:report_pdf", args=["yos-bd-2018"])
    for page in ("reports:report", "reports:report_preview"):
        html = login(people.lead).get(reverse(page, args=["yos-bd-2018"])).content.decode()
        assert f'<form method="post" action="{target}" id="report-pdf-form"' in html
        assert 'form="report-pdf-form"' in html and "Create the PDF" in html


def test_a_pdf_asked_for_by_someone_since_taken_off_the_team_is_not_made(
    small_report, people, login, run_jobs
):
    client = login(people.colleague)
    with run_jobs():
        job = job_of(client.post(reverse("reports:report_pdf", args=["yos-bd-2018"])))
        Membership.objects.filter(inspection=small_report, user=people.colleague).delete()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "You can no longer see this inspection, so the work was not done."
    assert not job_file_path(job.public_id).exists()


def test_the_preview_and_the_pdf_share_the_body(small_report):
    document = report_document(small_report)
    html = ReportPdf(document).html()
    assert '<html lang="en-GB">' in html
    assert f"<title>{small_report.title}</title>" in html
    assert 'class="report"' in html and "pdf-running-title" in html
    assert "style=" not in html


def test_render_report_command_writes_the_pdf(small_report, tmp_path):
    out = tmp_path / "report.pdf"
    stdout = io.StringIO()
    call_command("render_report", "yos-bd-2018", str(out), stdout=stdout)
    assert f"Wrote {out}" in stdout.getvalue()
    reader, text = pdf_text(out.read_bytes())
    assert small_report.title in text and "Page 2 of" in text
    with pytest.raises(CommandError, match="No inspection has the reference 'nope'"):
        call_command("render_report", "nope", str(out))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("render_report", "yos-bd-2018", str(tmp_path / "missing" / "r.pdf"))


def test_a_thematic_inspection_without_answers_still_renders(
    cp_framework, organisation, area, people
):
    from inspection.models import Organisation
    from tests.conftest import make_inspection

    other = Organisation.objects.create(slug="bromley", name="Bromley YOT", kind="yot", area=area)
    thematic = make_inspection(
        framework=cp_framework,
        organisations=[organisation, other],
        people=people,
        reference="cp-2014",
        title="Protecting children: a thematic inspection",
        kind="thematic",
    )
    make_case(thematic, sample_type="cp_plan")
    reader, text = pdf_text(report_pdf(thematic)[0])
    assert "Protecting children: a thematic inspection" in text
    assert "Overall rating" not in text  # a thematic report publishes no ratings
    assert "Child protection plan case" in text  # the methodology's sample table
