"""The walk-through pages: the inspector's queue, assigning cases, the step pages with their
autosave, the summary and submission, quality assurance, organisation-level ratings, the
case history, no lost updates between two people, and the number of queries each page makes.
"""

import re
from datetime import date
from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casefiles.models import Case, Referral
from inspection.dates import govuk_datetime
from inspection.models import Question
from judgements import services
from judgements.models import Answer, AuditEvent, ModerationDecision, OrganisationRating
from judgements.rules import applicable_questions
from judgements.services import AnswerInput
from tests.conftest import make_case, make_inspection

Status = Case.Status
Action = AuditEvent.Action


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    # Users are created with a password in every test; the slow production hasher is not needed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain HTTP; in production it would be redirected to HTTPS first.
    settings.SECURE_SSL_REDIRECT = False


# Helpers -------------------------------------------------------------------------------------


def html(response) -> str:
    return unescape(response.content.decode())


def text(response) -> str:
    """The page as words, tags removed and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


def step_url(case, code):
    return reverse("judgements:step", args=[case.public_id, code])


def autosave_url(case, code):
    return reverse("judgements:autosave", args=[case.public_id, code])


def summary_url(case):
    return reverse("judgements:case_summary", args=[case.public_id])


def q(framework, code) -> Question:
    return Question.objects.select_related("standard").get(framework=framework, code=code)


def step_questions(case, code) -> list[Question]:
    return [q for q in applicable_questions(case) if q.standard.code == code]


class FormFields(HTMLParser):
    """What a browser would send from a page's forms: checked radios, text areas, hidden inputs."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.disabled: set[str] = set()
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if name and "disabled" in attrs:
            self.disabled.add(name)
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"radio", "checkbox"}:
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
            elif kind != "submit":
                self.values[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            # A browser sends the selected option, else the first.
            if "selected" in attrs or self._select not in self.values:
                self.values[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea" and self._textarea:
            # A browser drops the one new line that follows <textarea>.
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None


def fields_of(response) -> dict[str, str]:
    parser = FormFields()
    parser.feed(response.content.decode())
    return {k: v for k, v in parser.values.items() if re.match(r"q\d+-", k)}


def disabled_fields(response) -> set[str]:
    parser = FormFields()
    parser.feed(response.content.decode())
    return parser.disabled


def step_data(questions, answers: dict[str, tuple[str, str]], versions=None) -> dict[str, str]:
    """A step form as posted: for each question its value, note and the version last seen."""
    data = {}
    for question in questions:
        value, note = answers.get(question.code, ("", ""))
        data[f"q{question.pk}-value"] = value
        data[f"q{question.pk}-note"] = note
        data[f"q{question.pk}-version"] = str((versions or {}).get(question.code, 0))
    return data


def all_yes(questions) -> dict[str, tuple[str, str]]:
    return {q.code: ("yes", f"Evidence for {q.code}") for q in questions}


def score_whole_case(case, actor) -> None:
    services.answers_record(
        case=case,
        answers=[
            AnswerInput(question=q, value="yes", note=f"Evidence for {q.code}")
            for q in applicable_questions(case)
        ],
        actor=actor,
    )


def submitted_for_qa(case, people):
    services.qa_select(case=case, selected=True, actor=people.lead)
    score_whole_case(case, people.inspector)
    services.case_submit(case=case, actor=people.inspector)
    case.refresh_from_db()
    return case


# Every page: no login, outsider, wrong method -------------------------------------------------


def case_pages(case, inspection, organisation):
    return [
        summary_url(case),
        step_url(case, "2.1"),
        reverse("judgements:moderate", args=[case.public_id]),
        reverse("judgements:reopen", args=[case.public_id]),
        reverse("judgements:history", args=[case.public_id]),
        reverse("judgements:assign", args=[inspection.reference]),
        reverse("judgements:qa_list", args=[inspection.reference]),
        reverse("judgements:organisation_ratings", args=[inspection.reference]),
        reverse(
            "judgements:organisation_rating_edit",
            args=[inspection.reference, organisation.slug, "1.1"],
        ),
    ]


def test_every_page_asks_for_a_login_first(client, case, inspection, organisation):
    for url in [reverse("judgements:queue"), *case_pages(case, inspection, organisation)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    response = client.post(autosave_url(case, "2.1"), {"question": "q1"})
    assert response.status_code == 302
    assert Answer.objects.count() == 0


def test_an_outsider_finds_nothing(login, case, inspection, organisation, people):
    client = login(people.outsider)
    for url in case_pages(case, inspection, organisation):
        assert client.get(url).status_code == 404, url
    question = step_questions(case, "2.1")[0]
    response = client.post(
        autosave_url(case, "2.1"),
        {"question": f"q{question.pk}", "value": "yes", "note": "x", "version": "0"},
    )
    assert response.status_code == 404
    assert client.post(reverse("judgements:submit", args=[case.public_id])).status_code == 404
    assert Answer.objects.count() == 0
    assert "C-001" not in html(client.get(reverse("judgements:queue")))


def test_wrong_methods_are_refused(login, case, people, inspection):
    client = login(people.inspector)
    assert client.get(autosave_url(case, "2.1")).status_code == 405
    assert client.get(reverse("judgements:submit", args=[case.public_id])).status_code == 405
    assert client.post(reverse("judgements:queue")).status_code == 405
    assert client.post(summary_url(case)).status_code == 405
    assert client.delete(step_url(case, "2.1")).status_code == 405
    assert client.post(reverse("judgements:history", args=[case.public_id])).status_code == 405


# 2. The walk-through -------------------------------------------------------------------------


def test_the_queue_lists_only_the_cases_assigned_to_me(login, inspection, people):
    make_case(inspection, reference="C-MINE", inspector=people.inspector)
    make_case(inspection, reference="C-THEIRS", inspector=people.colleague)
    make_case(inspection, reference="C-NOBODY")
    response = login(people.inspector).get(reverse("judgements:queue"))
    assert response.status_code == 200
    page = text(response)
    assert "C-MINE" in page
    assert "C-THEIRS" not in page
    assert "C-NOBODY" not in page


def test_the_lead_assigns_cases_and_each_assignment_is_audited(login, inspection, people):
    first = make_case(inspection, reference="C-001")
    second = make_case(inspection, reference="C-002", inspector=people.colleague)
    client = login(people.lead)
    url = reverse("judgements:assign", args=[inspection.reference])
    page = html(client.get(url))
    assert f'name="inspector-{first.public_id}"' in page

    response = client.post(
        url,
        {
            f"inspector-{first.public_id}": people.inspector.username,
            f"inspector-{second.public_id}": people.colleague.username,
            f"qa-{second.public_id}": "on",
            "save-assignments": "1",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.inspector == people.inspector
    assert second.inspector == people.colleague
    assert (first.selected_for_qa, second.selected_for_qa) == (False, True)
    assigned = AuditEvent.objects.get(case=first, action=Action.ASSIGNED)
    assert (assigned.actor, assigned.old_value, assigned.new_value) == (
        people.lead,
        "Not assigned",
        "Inspector Tester",
    )
    assert not AuditEvent.objects.filter(case=second, action=Action.ASSIGNED).exists()
    assert AuditEvent.objects.get(case=second, action=Action.QA_SELECTED).new_value == "Yes"
    # The assigned inspector now finds the case in their queue.
    assert "C-001" in text(login(people.inspector).get(reverse("judgements:queue")))


def test_only_the_lead_may_assign(login, inspection, people):
    case = make_case(inspection)
    url = reverse("judgements:assign", args=[inspection.reference])
    for person in (people.inspector, people.qa, people.partner, people.manager):
        client = login(person)
        response = client.post(url, {f"inspector-{case.public_id}": person.username})
        assert response.status_code == 403, person
        assert (
            client.post(url, {"select-share": "1", "percent": "50", "seed": "1"}).status_code == 403
        )
    case.refresh_from_db()
    assert (case.inspector, case.selected_for_qa) == (None, False)
    assert AuditEvent.objects.count() == 0


def test_assigning_someone_off_the_team_is_an_error(login, inspection, people):
    case = make_case(inspection)
    response = login(people.lead).post(
        reverse("judgements:assign", args=[inspection.reference]),
        {f"inspector-{case.public_id}": people.outsider.username},
    )
    assert response.status_code == 200
    assert "Select an inspector on the team for case C-001" in text(response)
    case.refresh_from_db()
    assert case.inspector is None


def test_the_lead_selects_a_random_share_and_the_seed_repeats_it(login, inspection, people):
    for n in range(10):
        make_case(inspection, reference=f"C-{n:03}")
    client = login(people.lead)
    url = reverse("judgements:assign", args=[inspection.reference])

    def draw(seed):
        Case.objects.update(selected_for_qa=False)
        response = client.post(url, {"select-share": "1", "percent": "30", "seed": str(seed)})
        assert response.status_code == 302
        return set(Case.objects.filter(selected_for_qa=True).values_list("reference", flat=True))

    first = draw(42)
    assert len(first) == 3
    assert draw(42) == first
    response = client.post(url, {"select-share": "1", "percent": "0", "seed": "1"})
    assert response.status_code == 200
    assert "Share must be at least 1 per cent" in text(response)
    qa_page = text(login(people.qa).get(reverse("judgements:qa_list", args=[inspection.reference])))
    assert all(reference in qa_page for reference in first)


def test_the_step_page_shows_each_applicable_question_and_not_the_others(
    login, cp_framework, organisation, people
):
    inspection = make_inspection(
        framework=cp_framework, organisations=[organisation], people=people, reference="cp-2014"
    )
    case = make_case(inspection, sample_type="new_order", inspector=people.inspector)
    response = login(people.inspector).get(step_url(case, "1.2"))
    assert response.status_code == 200
    page = html(response)
    shown = set(re.findall(r'name="q(\d+)-value"', page))
    expected = {
        str(question.pk)
        for question in Question.objects.filter(
            standard__framework=cp_framework, standard__code="1.2"
        )
        if "new_order" in question.applies_to
    }
    assert shown == expected
    hidden = q(cp_framework, "1.2.2.g")  # for child protection plan cases only
    assert hidden.applies_to == ["cp_plan"]
    assert f'name="q{hidden.pk}-value"' not in page
    for question in Question.objects.filter(pk__in=expected):
        assert question.text in page
    # A step with no question for this sample is not a step of this case.
    court_case = make_case(inspection, reference="C-002", sample_type="referral")
    assert login(people.lead).get(step_url(court_case, "1.3")).status_code == 404


def test_an_out_of_court_case_walks_through_the_out_of_court_standards(login, inspection, people):
    case = make_case(inspection, sample_type="out_of_court", inspector=people.inspector)
    client = login(people.inspector)
    assert client.get(step_url(case, "2.1")).status_code == 404
    page = text(client.get(summary_url(case)))
    assert "3.1 Assessment" in page
    assert "3.4 Joint working" in page
    assert "2.1 Assessment" not in page


def test_the_information_sharing_step_shows_the_referrals(
    login, cp_framework, organisation, people
):
    inspection = make_inspection(
        framework=cp_framework, organisations=[organisation], people=people, reference="cp-2014"
    )
    case = make_case(inspection, sample_type="referral", inspector=people.inspector)
    Referral.objects.create(
        case=case,
        referral_date=date(2013, 11, 6),
        method="email",
        included_child_details=True,
        response_date=date(2013, 11, 20),
        response_timely=False,
    )
    response = login(people.inspector).get(step_url(case, "1.5"))
    assert response.status_code == 200
    page = text(response)
    assert "1.5 Information sharing and referral" in page
    assert "Referrals to children's social care" in page
    assert "6 November 2013 · Email" in page
    assert "20 November 2013" in page
    # Facts this step does not need are left out.
    assert "Home visits" not in page


def test_save_and_come_back_later_keeps_the_answers(login, case, people, yos_framework):
    client = login(people.inspector)
    questions = step_questions(case, "2.1")
    kq, prompt = questions[0], questions[1]
    response = client.post(
        step_url(case, "2.1"),
        {
            **step_data(
                questions,
                {kq.code: ("no", "No analysis of desistance"), prompt.code: ("na", "")},
            ),
            "save": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == step_url(case, "2.1")

    again = client.get(step_url(case, "2.1"))
    fields = fields_of(again)
    assert fields[f"q{kq.pk}-value"] == "no"
    assert fields[f"q{kq.pk}-note"] == "No analysis of desistance"
    assert fields[f"q{kq.pk}-version"] == "1"
    assert fields[f"q{prompt.pk}-value"] == "na"
    assert f"q{questions[2].pk}-value" not in fields
    assert "Answers for 2.1 Assessment saved" in text(again)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_save_and_continue_goes_to_the_next_step_then_to_the_summary(login, case, people):
    client = login(people.inspector)
    codes = ["2.1", "2.2", "2.3", "2.4"]
    for here, there in zip(codes, [*codes[1:], None], strict=True):
        questions = step_questions(case, here)
        response = client.post(
            step_url(case, here), {**step_data(questions, all_yes(questions)), "continue": "1"}
        )
        assert response.status_code == 302
        assert response["Location"] == (step_url(case, there) if there else summary_url(case))
    assert Answer.objects.filter(case=case).count() == len(applicable_questions(case))


def test_the_progress_indicator_counts_complete_answers(login, case, people):
    client = login(people.inspector)
    questions = step_questions(case, "2.1")
    total = len(applicable_questions(case))
    page = text(client.get(step_url(case, "2.1")))
    assert "Step 1 of 4" in page
    assert f"Progress: 0 of {total} answered" in page
    assert f"(0 of {len(questions)})" in page

    client.post(
        step_url(case, "2.1"),
        {**step_data(questions, {questions[1].code: ("yes", ""), questions[2].code: ("na", "")})},
    )
    page = text(client.get(step_url(case, "2.2")))
    assert "Step 2 of 4" in page
    assert f"Progress: 2 of {total} answered" in page
    assert f"(2 of {len(questions)})" in page

    client.post(
        step_url(case, "2.1"),
        step_data(questions, all_yes(questions), {questions[1].code: 1, questions[2].code: 1}),
    )
    page = text(client.get(summary_url(case)))
    assert f"{len(questions)} of {total} questions answered" in page
    assert f"2.1 Assessment {len(questions)} of {len(questions)} answered Completed" in page
    assert "2.2 Planning 0 of" in page


def test_a_note_is_needed_for_every_key_question_and_every_no_and_nothing_is_saved(
    login, case, people
):
    client = login(people.inspector)
    questions = step_questions(case, "2.1")
    kq, prompt, other = questions[0], questions[1], questions[2]
    response = client.post(
        step_url(case, "2.1"),
        step_data(
            questions, {kq.code: ("yes", "  "), prompt.code: ("no", ""), other.code: ("yes", "")}
        ),
    )
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" in page
    assert f"Enter an evidence note for key question {kq.code}" in page
    assert f"Enter an evidence note for {prompt.code}, answered No" in page
    assert f'href="#id_q{kq.pk}-note"' in html(response)
    assert Answer.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_note_without_an_answer_is_an_error(login, case, people):
    questions = step_questions(case, "2.1")
    response = login(people.inspector).post(
        step_url(case, "2.1"), step_data(questions, {questions[1].code: ("", "Some evidence")})
    )
    assert response.status_code == 200
    assert f"Select Yes, No or Not applicable for {questions[1].code} to go with its note" in text(
        response
    )
    assert Answer.objects.count() == 0


def test_submit_only_when_complete_else_a_summary_links_to_each_missing_question(
    login, case, people, yos_framework
):
    client = login(people.inspector)
    questions = step_questions(case, "2.1")
    client.post(step_url(case, "2.1"), step_data(questions, all_yes(questions)))
    submit = reverse("judgements:submit", args=[case.public_id])

    response = client.post(submit)
    assert response.status_code == 200  # the summary again, with the error summary
    page = html(response)
    assert "The case cannot be submitted yet" in page
    missing = [q for q in applicable_questions(case) if q.standard.code != "2.1"]
    for question in missing:
        link = f'href="{step_url(case, question.standard.code)}#q{question.pk}"'
        assert link in page, question.code
    # Each link lands on the question it names.
    target = client.get(step_url(case, missing[0].standard.code))
    assert f'id="q{missing[0].pk}"' in html(target)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS

    score_whole_case(case, people.inspector)
    response = client.post(submit)
    assert response.status_code == 302
    assert response["Location"] == reverse("judgements:submitted", args=[case.public_id])
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert "Case C-001 submitted" in text(client.get(response["Location"]))


def test_without_javascript_the_form_posts_and_with_it_autosave_answers_in_json(
    login, case, people
):
    client = login(people.inspector)
    page = html(client.get(step_url(case, "2.1")))
    assert f'data-autosave-url="{autosave_url(case, "2.1")}"' in page
    questions = step_questions(case, "2.1")
    kq = questions[0]

    response = client.post(
        autosave_url(case, "2.1"),
        {"question": f"q{kq.pk}", "value": "yes", "note": "Well analysed", "version": "0"},
    )
    assert response.status_code == 200
    assert response.json() == {"version": 1, "message": f"{kq.code} saved"}
    response = client.post(
        autosave_url(case, "2.1"),
        {"question": f"q{kq.pk}", "value": "no", "note": "Not analysed", "version": "1"},
    )
    assert response.json()["version"] == 2
    assert Answer.objects.get().value == "no"

    # A missing note and a question of another step are refused and save nothing.
    response = client.post(
        autosave_url(case, "2.1"),
        {"question": f"q{questions[3].pk}", "value": "no", "note": "", "version": "0"},
    )
    assert response.status_code == 400
    assert "answered No" in response.json()["message"]
    other = step_questions(case, "2.2")[0]
    response = client.post(
        autosave_url(case, "2.1"),
        {"question": f"q{other.pk}", "value": "yes", "note": "x", "version": "0"},
    )
    assert response.status_code == 400
    response = client.post(autosave_url(case, "2.1"), {"question": f"q{kq.pk}", "version": "2"})
    assert response.status_code == 400
    assert Answer.objects.count() == 1


def test_autosave_records_where_the_evidence_came_from_with_the_answer(login, case, people):
    client = login(people.inspector)
    kq = step_questions(case, "2.1")[0]
    response = client.post(
        autosave_url(case, "2.1"),
        {
            "question": f"q{kq.pk}",
            "value": "yes",
            "note": "Said at interview",
            "version": "0",
            "source": "cm_interview",
        },
    )
    assert response.status_code == 200
    answer = Answer.objects.get()
    assert answer.evidence_source == "cm_interview"
    assert AuditEvent.objects.filter(action=Action.SOURCE_CHANGED, subject=kq.code).count() == 1
    # A source that is not one of the choices is refused, and nothing changes.
    response = client.post(
        autosave_url(case, "2.1"),
        {"question": f"q{kq.pk}", "value": "no", "note": "x", "version": "1", "source": "rumour"},
    )
    assert response.status_code == 400
    assert "choose where the evidence for " + kq.code in response.json()["message"]
    answer.refresh_from_db()
    assert (answer.value, answer.evidence_source) == ("yes", "cm_interview")


def test_autosave_with_a_stale_version_is_refused_and_saves_nothing(login, case, people):
    client = login(people.inspector)
    kq = step_questions(case, "2.1")[0]
    services.answer_record(case=case, question=kq, value="yes", note="First", actor=people.lead)
    response = client.post(
        autosave_url(case, "2.1"),
        {"question": f"q{kq.pk}", "value": "no", "note": "Second", "version": "0"},
    )
    assert response.status_code == 409
    assert f"{kq.code} was changed by someone else" in response.json()["message"]
    answer = Answer.objects.get()
    assert (answer.value, answer.note, answer.version) == ("yes", "First", 1)
    assert AuditEvent.objects.filter(action=Action.ANSWER_CHANGED).count() == 0


def test_only_the_assigned_inspector_or_the_lead_changes_answers(login, case, people):
    questions = step_questions(case, "2.1")
    data = step_data(questions, all_yes(questions))
    for person in (people.colleague, people.qa, people.partner, people.manager):
        client = login(person)
        page = client.get(step_url(case, "2.1"))
        assert page.status_code == 200  # the team and managers may read
        assert "You can read these answers but not change them" in text(page)
        assert client.post(step_url(case, "2.1"), data).status_code == 403, person
        response = client.post(
            autosave_url(case, "2.1"),
            {"question": f"q{questions[0].pk}", "value": "yes", "note": "x", "version": "0"},
        )
        assert response.status_code == 403
        assert client.post(reverse("judgements:submit", args=[case.public_id])).status_code == 403
    assert Answer.objects.count() == 0
    assert login(people.lead).post(step_url(case, "2.1"), data).status_code == 302


# 3. Quality assurance ------------------------------------------------------------------------


def test_quality_assurance_from_return_to_agreement(login, case, people, yos_framework):
    case = submitted_for_qa(case, people)
    kq, prompt = q(yos_framework, "2.1.1"), q(yos_framework, "2.2.1.a")
    moderate = reverse("judgements:moderate", args=[case.public_id])
    qa = Client()
    qa.force_login(people.qa)
    inspector = login(people.inspector)

    # The moderator reads every answer and its note.
    response = qa.get(moderate)
    assert response.status_code == 200
    page = text(response)
    for question in applicable_questions(case):
        assert f"Evidence for {question.code}" in page

    # A return without a reason is refused, naming the question.
    response = qa.post(moderate, {"decision": "return", f"q{kq.pk}-return": "on"})
    assert response.status_code == 200
    assert "Enter a reason for returning 2.1.1" in text(response)
    response = qa.post(moderate, {"decision": "return"})
    assert "Select at least one question to return, with a reason" in text(response)
    assert ModerationDecision.objects.count() == 0

    response = qa.post(
        moderate,
        {
            "decision": "return",
            f"q{kq.pk}-return": "on",
            f"q{kq.pk}-reason": "Which assessment tool? Name it.",
            f"q{prompt.pk}-return": "on",
            f"q{prompt.pk}-reason": "The plan did not involve the parents.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RETURNED

    # The inspector sees the returns on the summary and on the step, with the reason.
    summary = text(inspector.get(summary_url(case)))
    assert "Quality assurance returned 2 questions" in summary
    assert "2.1.1: Which assessment tool? Name it." in summary
    step = text(inspector.get(step_url(case, "2.1")))
    assert "Returned by Qa Tester: Which assessment tool? Name it." in step
    assert "The plan did not involve the parents." not in step
    assert "Returned by Qa Tester: The plan did not involve the parents." in text(
        inspector.get(step_url(case, "2.2"))
    )

    # The inspector fixes the answer and resubmits.
    response = inspector.post(
        autosave_url(case, "2.1"),
        {"question": f"q{kq.pk}", "value": "yes", "note": "AssetPlus, 3 May", "version": "1"},
    )
    assert response.status_code == 200
    response = inspector.post(reverse("judgements:submit", args=[case.public_id]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_QA
    assert "Returned by" not in text(inspector.get(step_url(case, "2.1")))

    # The moderator sees what was returned and what changed since.
    page = text(qa.get(moderate))
    assert "Resubmitted after a return." in page
    assert "returned 2 questions" in page and "1 answer changed since" in page
    assert "Changed since return" in page and "Returned, not changed" in page

    # Agreeing asks for confirmation first, and changes nothing until confirmed.
    response = qa.post(moderate, {"decision": "agree", "feedback": "Well evidenced now"})
    assert response.status_code == 200
    assert "Agree and lock case C-001?" in text(response)
    case.refresh_from_db()
    assert case.status == Status.IN_QA
    response = qa.post(moderate, {"decision": "agree-confirmed", "feedback": "Well evidenced now"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.AGREED

    # The record of moderation: who, when, decisions and reasons.
    summary = text(inspector.get(summary_url(case)))
    decisions = list(ModerationDecision.objects.filter(case=case))
    for decision in decisions:
        assert f"{decision.get_decision_display()} by Qa Tester" in summary
    assert "2.1.1: Which assessment tool? Name it. (resubmitted)" in summary
    assert "2.2.1.a: The plan did not involve the parents. (resubmitted)" in summary
    for decision in decisions:
        when = govuk_datetime(decision.at)
        assert f"{decision.get_decision_display()} by Qa Tester, {when}" in summary


def test_an_agreed_case_is_locked_and_read_only(login, case, people, yos_framework):
    case = submitted_for_qa(case, people)
    services.case_agree(case=case, moderator=people.qa)
    questions = step_questions(case, "2.1")
    for person in (people.inspector, people.lead):
        client = login(person)
        page = client.get(step_url(case, "2.1"))
        assert page.status_code == 200
        assert "You can read these answers but not change them" in text(page)
        assert "Save and continue" not in text(page)
        # Read as text, not as greyed-out inputs.
        assert f'name="q{questions[0].pk}-value"' not in html(page)
        assert "<textarea" not in html(page)
        assert "Answer Yes" in text(page)
        assert "data-autosave-url" not in html(page)
        data = step_data(questions, {q.code: ("no", "Changed") for q in questions})
        assert client.post(step_url(case, "2.1"), data).status_code == 403
        response = client.post(
            autosave_url(case, "2.1"),
            {"question": f"q{questions[0].pk}", "value": "no", "note": "x", "version": "1"},
        )
        assert response.status_code == 403
        assert client.post(reverse("judgements:submit", args=[case.public_id])).status_code == 403
    assert set(Answer.objects.values_list("value", flat=True)) == {"yes"}


def test_the_inspector_who_scored_a_case_cannot_moderate_it(login, case, people):
    case = submitted_for_qa(case, people)
    client = login(people.inspector)
    moderate = reverse("judgements:moderate", args=[case.public_id])
    assert client.get(moderate).status_code == 403
    assert client.post(moderate, {"decision": "agree"}).status_code == 403
    assert "Quality-assure this case" not in text(client.get(summary_url(case)))
    # Nor can an inspector without the moderator's role.
    assert login(people.colleague).post(moderate, {"decision": "agree"}).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.IN_QA
    assert "Quality-assure this case" in text(login(people.qa).get(summary_url(case)))


def test_a_lead_who_changed_an_answer_cannot_moderate_the_case(login, case, people):
    case = submitted_for_qa(case, people)
    services.case_return(
        case=case,
        moderator=people.qa,
        reasons={applicable_questions(case)[0]: "Name the assessment"},
    )
    first = applicable_questions(case)[0]
    services.answer_record(
        case=case, question=first, value="yes", note="AssetPlus", actor=people.lead
    )
    services.case_submit(case=case, actor=people.inspector)
    client = login(people.lead)
    assert "Quality-assure this case" not in text(client.get(summary_url(case)))
    moderate = reverse("judgements:moderate", args=[case.public_id])
    assert client.post(moderate, {"decision": "agree"}).status_code == 403


def test_reopening_needs_the_lead_and_a_reason(login, case, people):
    case = submitted_for_qa(case, people)
    services.case_agree(case=case, moderator=people.qa)
    reopen = reverse("judgements:reopen", args=[case.public_id])
    for person in (people.qa, people.inspector):
        client = login(person)
        assert client.get(reopen).status_code == 403
        assert client.post(reopen, {"reason": "Because"}).status_code == 403
    client = login(people.lead)
    assert "Reopen this case" in text(client.get(summary_url(case)))
    response = client.post(reopen, {"reason": "  "})
    assert response.status_code == 200
    assert "Enter the reason for reopening the case" in text(response)
    case.refresh_from_db()
    assert case.status == Status.AGREED

    response = client.post(reopen, {"reason": "The police check came back after agreement"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    summary = text(client.get(summary_url(case)))
    assert "Reopened by Lead Tester" in summary
    assert "Reason: The police check came back after agreement" in summary
    # The inspector may change answers again.
    kq = step_questions(case, "2.1")[0]
    response = login(people.inspector).post(
        autosave_url(case, "2.1"),
        {"question": f"q{kq.pk}", "value": "no", "note": "Police check late", "version": "1"},
    )
    assert response.status_code == 200


# 4. Organisation-level standards ---------------------------------------------------------------


def test_the_lead_rates_an_organisation_level_standard(login, inspection, organisation, people):
    client = login(people.lead)
    listing = text(
        client.get(reverse("judgements:organisation_ratings", args=[inspection.reference]))
    )
    for code in ("1.1 Governance and leadership", "1.2 Staff", "1.3", "1.4"):
        assert code in listing
    assert "2.1 Assessment" not in listing
    url = reverse(
        "judgements:organisation_rating_edit", args=[inspection.reference, organisation.slug, "1.1"]
    )
    page = text(client.get(url))
    assert "1.1 Governance and leadership" in page
    assert "Key questions" in page

    response = client.post(url, {"rating": "Good", "narrative": "", "evidence": "", "version": "0"})
    assert response.status_code == 200
    assert "Enter narrative" in text(response)
    assert OrganisationRating.objects.count() == 0

    response = client.post(
        url,
        {
            "rating": "Requires improvement",
            "narrative": "The management board does not scrutinise performance.",
            "evidence": "Board minutes 2017-18; interviews",
            "version": "0",
        },
    )
    assert response.status_code == 302
    rating = OrganisationRating.objects.get()
    assert (rating.rating, rating.rated_by) == ("Requires improvement", people.lead)
    assert AuditEvent.objects.filter(action=Action.ORG_RATING_CHANGED).count() == 3
    listing = text(
        client.get(reverse("judgements:organisation_ratings", args=[inspection.reference]))
    )
    assert "Requires improvement" in listing

    # A stale copy is refused.
    response = client.post(
        url, {"rating": "Good", "narrative": "Stale", "evidence": "", "version": "0"}
    )
    assert response.status_code == 409
    assert OrganisationRating.objects.get().rating == "Requires improvement"


def test_only_the_lead_rates_organisation_level_standards(login, inspection, organisation, people):
    url = reverse(
        "judgements:organisation_rating_edit", args=[inspection.reference, organisation.slug, "1.1"]
    )
    data = {"rating": "Good", "narrative": "A narrative", "evidence": "", "version": "0"}
    for person in (people.inspector, people.qa, people.partner, people.manager):
        client = login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    assert OrganisationRating.objects.count() == 0
    case_standard = reverse(
        "judgements:organisation_rating_edit", args=[inspection.reference, organisation.slug, "2.1"]
    )
    assert login(people.lead).get(case_standard).status_code == 404


# 5. The audit trail on the History page -------------------------------------------------------


def test_the_history_page_lists_every_change(login, case, people, yos_framework):
    kq = q(yos_framework, "2.1.1")
    client = login(people.inspector)
    client.post(
        autosave_url(case, "2.1"),
        {"question": f"q{kq.pk}", "value": "yes", "note": "Seen", "version": "0"},
    )
    client.post(
        autosave_url(case, "2.1"),
        {"question": f"q{kq.pk}", "value": "no", "note": "Not seen", "version": "1"},
    )
    response = client.get(reverse("judgements:history", args=[case.public_id]))
    assert response.status_code == 200
    page = text(response)
    assert "2.1.1 answer and note given Now: Yes Seen" in page
    # The answer and its note changed in one save: one entry, each value before and after.
    changed = "2.1.1 answer Before: Yes After: No 2.1.1 evidence note Before: Seen After: Not seen"
    assert changed in page
    assert "Status changed: Case status Before: Not started After: In progress" in page
    assert page.count("Inspector Tester,") == 3


# 6. No lost updates between two people --------------------------------------------------------


def two_clients(people):
    first, second = Client(), Client()
    first.force_login(people.inspector)
    second.force_login(people.lead)
    return first, second


def test_the_second_save_of_the_same_answer_is_refused_showing_what_changed(
    case, people, yos_framework
):
    first, second = two_clients(people)
    url = step_url(case, "2.1")
    kq = step_questions(case, "2.1")[0]
    services.answer_record(case=case, question=kq, value="yes", note="Original", actor=people.lead)

    first_copy, second_copy = fields_of(first.get(url)), fields_of(second.get(url))
    assert first_copy[f"q{kq.pk}-version"] == second_copy[f"q{kq.pk}-version"] == "1"

    first_copy.update({f"q{kq.pk}-value": "no", f"q{kq.pk}-note": "Desistance not analysed"})
    assert first.post(url, first_copy).status_code == 302

    second_copy.update({f"q{kq.pk}-value": "na", f"q{kq.pk}-note": "Lead's view"})
    response = second.post(url, second_copy)
    assert response.status_code == 409
    page = text(response)
    assert "Your answers were not saved: someone else changed this step" in page
    assert (
        "2.1.1 Not applicable: Lead's view No: Desistance not analysed (Inspector Tester)" in page
    )
    # The page now shows the saved answer, with its new version, to compare and try again.
    shown = fields_of(response)
    assert (shown[f"q{kq.pk}-value"], shown[f"q{kq.pk}-version"]) == ("no", "2")

    answer = Answer.objects.get(case=case, question=kq)
    assert (answer.value, answer.note, answer.version, answer.answered_by) == (
        "no",
        "Desistance not analysed",
        2,
        people.inspector,
    )
    assert not AuditEvent.objects.filter(actor=people.lead, action=Action.ANSWER_CHANGED).exists()


def test_a_stale_step_form_is_refused_even_when_the_second_person_changed_another_question(
    case, people
):
    """The step form posts every question of the step. Another person's newer answer to a
    question the second person did not touch still differs from the second person's copy, so
    the whole save is refused (nothing of theirs is saved, nothing of the first is lost), and
    the conflict names that question only. Saving answer by answer (autosave) is not refused:
    only the question saved is compared."""
    first, second = two_clients(people)
    url = step_url(case, "2.1")
    questions = step_questions(case, "2.1")
    kq, other = questions[0], questions[1]
    services.answer_record(case=case, question=kq, value="yes", note="Original", actor=people.lead)
    first_copy, second_copy = fields_of(first.get(url)), fields_of(second.get(url))

    first_copy.update({f"q{kq.pk}-value": "no", f"q{kq.pk}-note": "Changed by the first"})
    assert first.post(url, first_copy).status_code == 302

    second_copy.update({f"q{other.pk}-value": "no", f"q{other.pk}-note": "Second's evidence"})
    response = second.post(url, second_copy)
    assert response.status_code == 409
    conflicts = response.context["conflicts"]
    assert [c.question.code for c in conflicts] == [kq.code]
    assert not Answer.objects.filter(question=other).exists()
    assert Answer.objects.get(question=kq).note == "Changed by the first"

    # Answer by answer, the second person's change to the other question is saved.
    response = second.post(
        autosave_url(case, "2.1"),
        {
            "question": f"q{other.pk}",
            "value": "no",
            "note": "Second's evidence",
            "version": second_copy[f"q{other.pk}-version"],
        },
    )
    assert response.status_code == 200
    assert Answer.objects.get(question=kq).note == "Changed by the first"


def test_a_stale_copy_that_agrees_with_the_saved_answer_is_saved(case, people):
    first, second = two_clients(people)
    url = step_url(case, "2.1")
    kq = step_questions(case, "2.1")[0]
    first_copy, second_copy = fields_of(first.get(url)), fields_of(second.get(url))
    for copy in (first_copy, second_copy):
        copy.update({f"q{kq.pk}-value": "yes", f"q{kq.pk}-note": "We agree"})
    assert first.post(url, first_copy).status_code == 302
    assert second.post(url, second_copy).status_code == 302
    assert Answer.objects.get().version == 1


# 7. Speed: a fixed number of queries whatever the size of the case or inspection ---------------


def make_cases(inspection, people, count):
    for n in range(count):
        case = make_case(inspection, reference=f"X-{n:03}", inspector=people.inspector)
        score_whole_case(case, people.inspector)


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def answered_state(case, people, answered: str) -> None:
    """None of the case's questions answered, or all of them (and some returned by QA)."""
    if answered == "all":
        submitted_for_qa(case, people)
        services.case_return(
            case=case,
            moderator=people.qa,
            reasons={question: "Say more" for question in step_questions(case, "2.1")[:3]},
        )


SIZES = [(0, "none"), (0, "all"), (19, "none"), (19, "all")]


@pytest.mark.parametrize(("other_cases", "answered"), SIZES)
def test_the_step_page_makes_a_fixed_number_of_queries(
    login,
    case,
    people,
    inspection,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    other_cases,
    answered,
):
    make_cases(inspection, people, other_cases)
    answered_state(case, people, answered)
    client = login(people.inspector)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(step_url(case, "2.1"))  # the first visit records the read
    with django_assert_num_queries(7):
        # 1 the session, 2 the user (with whether a safeguarding concern waits for them: none
        # does, so the banner reads nothing), 3 the case with its inspection, framework,
        # organisation and inspector, 4 the user's role on the team (the read of this page,
        # recorded by the first visit, is known from the cache: nothing is read or written),
        # 5 the case's answers (the framework's questions were read by the first visit and are
        # kept), 6 questions returned by QA with the decision and moderator, 7 which parts of
        # the case file hold anything (none here, so none of the parts step 2.1 shows is
        # read). The session is not written (its expiry was moved on at sign-in, less than a
        # minute ago).
        response = client.get(step_url(case, "2.1"))
    assert response.status_code == 200


@pytest.mark.parametrize(("other_cases", "changed"), [(0, "one"), (0, "all"), (19, "all")])
def test_saving_a_step_makes_a_fixed_number_of_queries(
    login,
    case,
    people,
    inspection,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    other_cases,
    changed,
):
    make_cases(inspection, people, other_cases)
    score_whole_case(case, people.inspector)
    client = login(people.inspector)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(step_url(case, "2.1"))
    data = fields_of(page)
    questions = step_questions(case, "2.1")
    for question in questions[: 1 if changed == "one" else None]:
        data[f"q{question.pk}-value"] = "no"
        data[f"q{question.pk}-note"] = f"Not done: {question.code}"
    with django_assert_num_queries(12):
        # 1 the session, 2 the user, 3 the case, 4 the role (the case questions are kept from
        # the page just opened; the answers are read by the save, under its lock; the read,
        # recorded by the page just opened, is known from the cache); then in one transaction
        # (5 savepoint ... 12 release), under one lock: 6 the case locked, 7 the role again,
        # 8 the step's answers as saved (and where their evidence came from), 9 one update of
        # every changed answer, 10 one update of every changed source (the page offers "Case
        # file" for answers saved without a source, so every source changes here), 11 one
        # insert of every audit row. The session is not written.
        response = client.post(step_url(case, "2.1"), {**data, "save": "1"})
    assert response.status_code == 302
    assert Answer.objects.filter(case=case, value="no").count() == (
        1 if changed == "one" else len(questions)
    )


@pytest.mark.parametrize(
    ("other_cases", "answered", "expected"),
    [(0, "one", 15), (0, "all", 15), (19, "all", 15), (0, "none", 16)],
)
def test_autosave_makes_a_fixed_number_of_queries(
    login, case, people, inspection, django_assert_num_queries, other_cases, answered, expected
):
    make_cases(inspection, people, other_cases)
    question = step_questions(case, "2.1")[0]
    if answered == "one":
        services.answer_record(
            case=case, question=question, value="yes", note="Seen", actor=people.inspector
        )
    elif answered == "all":
        score_whole_case(case, people.inspector)
    version = 0 if answered == "none" else 1
    client = login(people.inspector)
    client.get(step_url(case, "2.1"))
    with django_assert_num_queries(expected):
        # 1 the session, 2 the user, 3 the case, 4 the role, 5 the step's questions; then in
        # one transaction (6 savepoint ... 12 release): 7 the case locked, 8 the role again,
        # 9 the answer as saved, 10 its update (or insert), 11 the audit rows in one insert;
        # 13-15 the session, which keeps the versions this browser's autosave made so that its
        # own Save is not refused as someone else's change (savepoint, update, release). The
        # first answer of a case not started also moves the case to "in progress": one more
        # update, whatever the size of the case.
        response = client.post(
            autosave_url(case, "2.1"),
            {
                "question": f"q{question.pk}",
                "value": "no",
                "note": "Not analysed",
                "version": str(version),
            },
        )
    assert response.status_code == 200
    assert response.json()["version"] == version + 1
