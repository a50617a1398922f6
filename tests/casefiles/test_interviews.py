"""The case manager interview, and others: booked and recorded as a part of the case file.

An interview is a part of the file (casefiles.parts), so the case page, its forms, the audit
of case-file changes, the exchange file and retention all treat it as one. Each inspector has
a timetable of the interviews for their cases; the report's methodology counts those held.
"""

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from casefiles.models import Case, CaseFileChange, Interview
from judgements import services
from judgements.models import Answer, AuditEvent, EvidenceSource
from judgements.rules import applicable_questions
from judgements.services import AnswerInput
from reports.writing.document import report_document
from tests.conftest import make_case

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def words(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def add_url(case):
    return reverse("casefiles:part_add", args=[case.public_id, "interviews"])


def interview_data(**changes) -> dict[str, str]:
    when = changes.pop("on", date(2018, 4, 17))
    return {
        "kind": "case_manager",
        "interviewee": "Sam Collier",
        "role": "Case manager",
        "interview_date_0": str(when.day),
        "interview_date_1": str(when.month),
        "interview_date_2": str(when.year),
        "time": "10:30",
        "mode": "remote",
        "held": "",
        "not_held_reason": "",
        "notes": "",
        **changes,
    }


def test_an_inspector_books_the_case_manager_interview_and_it_is_audited(login, case, people):
    client = login(people.inspector)
    response = client.post(add_url(case), interview_data())
    assert response.status_code == 302, words(response)
    interview = Interview.objects.get(case=case)
    assert (interview.time, interview.mode, interview.held) == ("10:30", "remote", None)
    changes = CaseFileChange.objects.filter(case=case, part="interviews")
    assert {c.field_name for c in changes} >= {"interviewee", "interview_date", "time", "mode"}
    page = words(client.get(reverse("casefiles:detail", args=[case.public_id])))
    assert "Interviews" in page
    assert (
        "Sam Collier (Case manager) 17 April 2018 at 10:30am Remote (phone or video) Not yet"
        in page
    )


def test_recording_that_it_was_not_held_needs_the_reason(login, case, people):
    client = login(people.inspector)
    response = client.post(add_url(case), interview_data(held="no"))
    assert response.status_code == 200
    assert "Enter why the interview was not held" in words(response)
    response = client.post(add_url(case), interview_data(held="yes", not_held_reason="Ill"))
    assert "can only be given if the interview was not held" in words(response)
    response = client.post(add_url(case), interview_data(time="25:00"))
    assert "Time must be a real time of day, like 14:30" in words(response)
    assert not Interview.objects.exists()
    response = client.post(
        add_url(case), interview_data(held="no", not_held_reason="On leave in fieldwork week")
    )
    assert response.status_code == 302
    assert Interview.objects.get().not_held_reason == "On leave in fieldwork week"


def test_the_time_box_is_a_short_numeric_text_input(login, case, people):
    page = login(people.inspector).get(add_url(case)).content.decode()
    box = re.search(r'<input[^>]*name="time"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in box and "govuk-input--width-5" in box


def test_a_manager_sees_the_interview_with_the_name_and_notes_withheld(login, case, people):
    Interview.objects.create(
        case=case,
        interviewee="Sam Collier",
        role="Case manager",
        interview_date=date(2018, 4, 17),
        held=True,
        notes="Talked about Mia's safety",
    )
    page = words(login(people.manager).get(reverse("casefiles:detail", args=[case.public_id])))
    assert "Withheld (Case manager)" in page
    assert "Sam Collier" not in page and "Mia's safety" not in page


def test_each_inspector_sees_their_interview_timetable(login, inspection, people):
    mine = make_case(inspection, reference="C-001", inspector=people.inspector)
    theirs = make_case(inspection, reference="C-002", inspector=people.colleague)
    unbooked = make_case(inspection, reference="C-003", inspector=people.inspector)
    for case, who, day, time in (
        (mine, "Sam Collier", date(2018, 4, 17), "14:00"),
        (mine, "Dee Okafor", date(2018, 4, 17), "09:30"),
        (theirs, "Pat Jones", date(2018, 4, 18), "11:00"),
    ):
        Interview.objects.create(
            case=case,
            kind="case_manager" if who == "Sam Collier" else "other",
            interviewee=who,
            role="Case manager" if who == "Sam Collier" else "Social worker",
            interview_date=day,
            time=time,
        )
    client = login(people.inspector)
    assert "Your interview timetable" in words(client.get(reverse("inspection:home")))
    response = client.get(reverse("casefiles:interviews"))
    assert response.status_code == 200
    page = words(response)
    assert "Tuesday 17 April 2018" in page
    assert page.index("9:30am Dee Okafor") < page.index("2pm Sam Collier")
    assert "Pat Jones" not in page
    assert f"Book an interview for case {unbooked.reference}" in page
    assert "Book an interview for case C-001" not in page


def test_the_timetable_needs_a_sign_in_and_takes_no_post(client, login, people):
    url = reverse("casefiles:interviews")
    assert client.get(url).status_code == 302
    assert login(people.outsider).get(url).status_code == 200  # their own: none
    assert "No interviews are booked" in words(login(people.outsider).get(url))
    assert login(people.inspector).post(url).status_code == 405


def test_the_timetable_runs_a_fixed_number_of_queries(
    login, inspection, people, django_assert_num_queries
):
    for n in range(5):
        case = make_case(inspection, reference=f"C-{n}", inspector=people.inspector)
        Interview.objects.create(
            case=case, interviewee="Sam", role="Case manager", interview_date=date(2018, 4, 17)
        )
    client = login(people.inspector)
    client.get(reverse("casefiles:interviews"))
    # 1-2 the session and the user (with whether a safeguarding concern waits for them: none
    # does, so the banner reads nothing); 3 the interviews with their cases and inspections;
    # 4 the cases with no case manager interview. The session is not written.
    with django_assert_num_queries(4):
        client.get(reverse("casefiles:interviews"))


def test_an_answer_says_where_its_evidence_came_from_audited(case, people):
    kq = next(q for q in applicable_questions(case) if q.code == "2.1.1")
    services.answers_record(
        case=case,
        answers=[AnswerInput(question=kq, value="yes", note="Said at interview")],
        actor=people.inspector,
    )
    version = Answer.objects.get().version
    changed = services.answer_sources_record(
        case=case, sources={kq: EvidenceSource.CASE_MANAGER_INTERVIEW}, actor=people.inspector
    )
    assert changed == 1
    answer = Answer.objects.get()
    assert (answer.evidence_source, answer.version) == ("cm_interview", version)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SOURCE_CHANGED)
    assert (event.subject, event.old_value, event.new_value) == (
        "2.1.1",
        "",
        "Case manager interview",
    )
    with pytest.raises(Exception, match="Select where the evidence for 2.1.1 came from"):
        services.answer_sources_record(case=case, sources={kq: "rumour"}, actor=people.inspector)


def test_the_methodology_annex_counts_interviews_held_for_counted_cases(inspection, people):
    counted = make_case(inspection, reference="C-001", status=Case.Status.AGREED)
    draft = make_case(inspection, reference="C-002")
    for case, kind, held in (
        (counted, "case_manager", True),
        (counted, "other", True),
        (counted, "other", False),
        (draft, "case_manager", True),
    ):
        Interview.objects.create(
            case=case,
            kind=kind,
            interviewee="Someone",
            role="Role",
            interview_date=date(2018, 4, 17),
            held=held,
            not_held_reason="" if held else "Unwell",
        )
    methodology = report_document(inspection).methodology
    assert (methodology.case_manager_interviews, methodology.other_interviews) == (1, 1)
