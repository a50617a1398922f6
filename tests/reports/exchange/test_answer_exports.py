"""The answers extract for analysts (CSV and Excel), the Export page, and who may download."""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inspection.models import Job
from judgements import services
from judgements.rules import case_questions
from reports.exchange.answers import ANSWER_COLUMNS, answer_rows, answers_csv_lines
from reports.jobs import XLSX
from tests.conftest import make_case
from tests.reports.exchange.test_exchange import answer_all, build_inspection
from tests.support.jobs import content_of, job_of, make_file


@pytest.fixture
def built(people, yos_framework, organisation):
    return build_inspection(people, yos_framework, organisation)


def url(name, inspection):
    return reverse(f"reports:{name}", args=[inspection.reference])


@pytest.fixture
def made(run_jobs):
    """Ask for a file as the page does (a POST that starts a job), let the job run, and
    download the file from the job's page: the download's response."""

    def make(client, name, inspection):
        return make_file(client, url(name, inspection), run_jobs)

    return make


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def xlsx_rows(response) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(content_of(response)), read_only=True)
    assert workbook.sheetnames == ["Answers"]
    return [
        ["" if value is None else value for value in row]
        for row in workbook["Answers"].iter_rows(values_only=True)
    ]


def by_question(rows, reference):
    header = rows[0]
    found = {}
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        if record["Case reference"] == reference:
            found[record["Question code"]] = record
    return found


# The content -------------------------------------------------------------------------------


def test_csv_has_one_row_per_case_and_question(built, login, people, made):
    response = made(login(people.inspector), "answers_csv", built)

    rows = csv_rows(response)

    assert rows[0] == list(ANSWER_COLUMNS)
    court_questions = 0
    out_of_court_questions = 0
    for row in rows[1:]:
        record = dict(zip(rows[0], row, strict=True))
        if record["Sample type"] == "Court disposal":
            court_questions += 1
        else:
            assert record["Sample type"] == "Out-of-court disposal"
            out_of_court_questions += 1
    court = by_question(rows, "C-001")
    not_started = by_question(rows, "C-003")
    out_of_court = by_question(rows, "C-002")
    # C-001 and C-003 are court disposals and answer the same questions; C-002 the others.
    assert court_questions == 2 * len(court) and len(court) == len(not_started)
    assert out_of_court_questions == len(out_of_court)
    assert not set(court) & set(out_of_court)


def test_csv_row_content(built, login, people, made):
    rows = csv_rows(made(login(people.lead), "answers_csv", built))

    court = by_question(rows, "C-001")
    assert court["2.1.1"] == {
        "Inspection": "yos-bd-2018",
        "Case reference": "C-001",
        "Sample type": "Court disposal",
        "Organisation": "Barking and Dagenham YOS",
        "Gender": "Male",
        "Ethnicity": "White",
        "Risk of serious harm": "Medium",
        "Safety and wellbeing": "High",
        "MAPPA level": "Level 2",
        "Case status": "Agreed",
        "Standard": "2.1",
        "Standard title": court["2.1.1"]["Standard title"],
        "Key question or prompt": "Key question",
        "Key question": "2.1.1",
        "Question code": "2.1.1",
        "Question": court["2.1.1"]["Question"],
        "Answer": "Yes",
        "Evidence note": "The vulnerability management plan of 3 August named Amara.",
    }
    assert court["2.1.1"]["Standard title"] == "Assessment"
    prompt = next(r for code, r in court.items() if r["Key question or prompt"] == "Prompt")
    assert prompt["Key question"] != prompt["Question code"]
    assert prompt["Question code"].startswith(prompt["Key question"] + ".")
    assert {r["Answer"] for r in court.values()} == {"Yes", "No", "Not applicable"}

    other = by_question(rows, "C-002")
    first = next(iter(other.values()))
    assert (first["Organisation"], first["Gender"], first["Case status"]) == (
        "Reading YOS",
        "Female",
        "Submitted",
    )
    not_started = by_question(rows, "C-003")
    assert {r["Answer"] for r in not_started.values()} == {""}
    assert {r["Evidence note"] for r in not_started.values()} == {""}
    assert {r["Safety and wellbeing"] for r in not_started.values()} == {""}
    assert {r["Case status"] for r in not_started.values()} == {"Not started"}


def test_cases_and_questions_are_in_order(built):
    rows = list(answer_rows(built))

    references = [row[1] for row in rows]
    assert references == sorted(references)
    in_framework_order = [
        q.code for q in case_questions(built.framework) if q.applies("court_disposal")
    ]
    assert [row[14] for row in rows if row[1] == "C-001"] == in_framework_order


def test_text_that_looks_like_a_formula_stays_text(people, inspection, login, made):
    case = make_case(inspection, inspector=people.inspector)
    answer_all(
        case, people.inspector, notes={"2.1.1": '=HYPERLINK("http://x")', "2.1.2": "-2 days"}
    )

    rows = csv_rows(made(login(people.lead), "answers_csv", inspection))
    found = by_question(rows, "C-001")
    assert found["2.1.1"]["Evidence note"] == '\'=HYPERLINK("http://x")'
    assert found["2.1.2"]["Evidence note"] == "'-2 days"

    workbook = load_workbook(
        io.BytesIO(content_of(made(login(people.lead), "answers_xlsx", inspection)))
    )
    sheet = workbook["Answers"]
    notes = {row[14].value: row[17] for row in sheet.iter_rows(min_row=2)}
    assert notes["2.1.1"].value == '=HYPERLINK("http://x")'
    assert notes["2.1.1"].data_type == "s"


def test_xlsx_has_the_same_rows_as_csv(built, login, people, made):
    client = login(people.qa)
    from_csv = csv_rows(made(client, "answers_csv", built))
    from_xlsx = xlsx_rows(made(client, "answers_xlsx", built))

    assert from_xlsx == from_csv
    assert len(from_xlsx) > 50


def test_an_answer_to_a_question_outside_the_sample_is_kept(people, inspection):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from inspection.models import Question
    from judgements.models import Answer

    case = make_case(inspection, inspector=people.inspector)
    other = Question.objects.get(framework=inspection.framework, code="3.1.1")
    # The services refuse it now (a case answers only its own sample's questions) ...
    with pytest.raises(ValidationError, match="3.1.1 is not asked on court disposal cases"):
        services.answer_record(
            case=case, question=other, value="no", note="Wrong sample.", actor=people.inspector
        )
    # ... but an answer stored before that rule (from an older release) is still exported.
    Answer.objects.create(
        case=case,
        question=other,
        value="no",
        note="Answered before the sample changed.",
        answered_by=people.inspector,
        updated_at=timezone.now(),
    )
    rows = [row for row in answer_rows(inspection) if row[14] == "3.1.1"]
    assert len(rows) == 1 and rows[0][16] == "No"


def test_csv_reads_a_fixed_number_of_queries(built, django_assert_num_queries):
    # 1 the cases with their organisation, 2 the answers (read in chunks): the same for any
    # number of cases (the framework's questions, read while scoring them, are kept)
    with django_assert_num_queries(2):
        lines = list(answers_csv_lines(built))
    assert len(lines) > 50


def test_an_inspection_without_cases_gives_just_the_header(people, inspection, login, made):
    rows = csv_rows(made(login(people.lead), "answers_csv", inspection))
    assert rows == [list(ANSWER_COLUMNS)]
    assert xlsx_rows(made(login(people.lead), "answers_xlsx", inspection)) == [list(ANSWER_COLUMNS)]


# The responses -----------------------------------------------------------------------------


def test_csv_is_an_attachment_kept_from_caches(built, login, people, made):
    response = made(login(people.inspector), "answers_csv", built)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="yos-bd-2018-answers.csv"'
    assert "no-store" in response["Cache-Control"]


def test_xlsx_is_an_attachment(built, login, people, made):
    response = made(login(people.inspector), "answers_xlsx", built)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="yos-bd-2018-answers.xlsx"'


def test_the_lead_downloads_the_whole_inspection(built, login, people, made):
    response = made(login(people.lead), "inspection_json", built)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="yos-bd-2018.json"'
    assert json.loads(content_of(response))["inspection"]["reference"] == "yos-bd-2018"


# The page and who may see it ---------------------------------------------------------------


def test_export_page_links_the_downloads(built, login, people):
    response = login(people.inspector).get(url("exchange", built))

    assert response.status_code == 200
    page = response.content.decode()
    assert url("answers_csv", built) in page
    assert url("answers_xlsx", built) in page
    assert url("inspection_json", built) not in page  # only for the lead
    assert "3 cases and" in page
    assert 'aria-current="page" href="' + url("exchange", built) in page
    assert "<script>" not in page and "style=" not in page


def test_export_page_offers_the_lead_the_whole_inspection(built, login, people):
    page = login(people.lead).get(url("exchange", built)).content.decode()
    assert url("inspection_json", built) in page


def test_the_inspection_tabs_link_the_export_page(built, login, people):
    page = login(people.inspector).get(reverse("inspection:detail", args=[built.reference]))
    assert url("exchange", built) in page.content.decode()


ANSWER_PAGES = ["exchange", "answers_csv", "answers_xlsx"]
FILE_PAGES = ["answers_csv", "answers_xlsx", "inspection_json"]


@pytest.mark.parametrize("name", ANSWER_PAGES)
@pytest.mark.parametrize("who", ["lead", "inspector", "colleague", "qa", "partner", "admin"])
def test_the_team_and_administrators_may_download_answers(inspection, login, people, name, who):
    response = login(getattr(people, who)).get(url(name, inspection))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["answers_csv", "answers_xlsx"])
@pytest.mark.parametrize("who", ["lead", "inspector", "qa", "admin"])
def test_asking_for_the_answers_starts_a_job_for_the_person_who_asked(
    inspection, login, people, name, who
):
    page = login(getattr(people, who)).get(url(name, inspection))
    assert "Create the file" in page.content.decode()

    job = job_of(login(getattr(people, who)).post(url(name, inspection)))

    assert (job.user, job.inspection, job.status) == (
        getattr(people, who),
        inspection,
        Job.Status.QUEUED,
    )
    assert job.kind == name.replace("_", "-")
    assert job.params["back_url"] == url("exchange", inspection)


@pytest.mark.parametrize("name", ["answers_csv", "answers_xlsx"])
def test_a_manager_with_no_place_on_the_team_may_not_download_evidence(
    inspection, login, people, name
):
    # The evidence notes describe named children (docs/access.md).
    assert login(people.manager).get(url(name, inspection)).status_code == 403
    assert login(people.manager).post(url(name, inspection)).status_code == 403
    assert not Job.objects.exists()


def test_a_manager_is_told_why_there_is_no_download(inspection, login, people):
    page = login(people.manager).get(url("exchange", inspection)).content.decode()
    assert "answer-downloads-withheld" in page
    assert url("answers_csv", inspection) not in page


@pytest.mark.parametrize("name", [*ANSWER_PAGES, "inspection_json"])
def test_an_outsider_is_told_not_found(inspection, login, people, name):
    assert login(people.outsider).get(url(name, inspection)).status_code == 404
    if name in FILE_PAGES:
        assert login(people.outsider).post(url(name, inspection)).status_code == 404
        assert not Job.objects.exists()


@pytest.mark.parametrize("name", [*ANSWER_PAGES, "inspection_json"])
def test_an_unknown_inspection_is_not_found(inspection, login, people, name):
    response = login(people.lead).get(reverse(f"reports:{name}", args=["no-such-inspection"]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", [*ANSWER_PAGES, "inspection_json"])
def test_signing_in_is_required(inspection, client, name):
    for response in (client.get(url(name, inspection)), client.post(url(name, inspection))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Job.objects.exists()


@pytest.mark.parametrize("name", FILE_PAGES)
def test_other_methods_are_refused(inspection, login, people, name):
    assert login(people.lead).put(url(name, inspection)).status_code == 405
    assert login(people.lead).delete(url(name, inspection)).status_code == 405


def test_the_export_page_only_reads(inspection, login, people):
    assert login(people.lead).post(url("exchange", inspection)).status_code == 405


def test_starting_a_file_needs_the_form_token(inspection, people):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.lead, backend="casefiles.concerns.backends.SignedInBackend")
    assert client.post(url("answers_csv", inspection)).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("admin", 200), ("inspector", 403), ("qa", 403), ("manager", 403)],
)
def test_only_the_lead_and_administrators_download_the_whole_inspection(
    inspection, login, people, who, status
):
    assert login(getattr(people, who)).get(url("inspection_json", inspection)).status_code == status
    response = login(getattr(people, who)).post(url("inspection_json", inspection))
    assert response.status_code == (302 if status == 200 else 403)
