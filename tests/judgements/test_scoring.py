"""Scoring an inspector can trust with a working day: nothing lost when the session ends, what
to do next, check your answers before submitting, and step pages that fit the case."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casefiles.models import Case
from judgements import services
from judgements.models import Answer, AuditEvent
from judgements.views import UNSAVED
from tests.conftest import make_case
from tests.judgements.test_walkthrough_views import (
    fields_of,
    html,
    score_whole_case,
    step_data,
    step_questions,
    step_url,
    submitted_for_qa,
    summary_url,
    text,
)

Status = Case.Status
UNSAVED_TEXT = "You have answers that were not saved: check and save them"


def unsaved_shown(page) -> bool:
    """Whether the step says it shows answers not saved (the notice is otherwise hidden, for
    the browser's script to show)."""
    return UNSAVED_TEXT in text(page) and 'id="unsaved-notice">' in html(page)


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


def check_url(case):
    return reverse("judgements:check", args=[case.public_id])


def resume_url(case):
    return reverse("judgements:resume", args=[case.public_id])


def rest_url(case, code):
    return reverse("judgements:rest_not_applicable", args=[case.public_id, code])


# 1. No lost work -------------------------------------------------------------------------------


def test_a_save_after_the_session_ended_is_kept_and_shown_again_after_signing_in(
    client, case, people
):
    questions = step_questions(case, "2.1")
    answers = {q.code: ("no", f"Not seen: {q.code}") for q in questions[:2]}
    data = {**step_data(questions, answers), "scorer": "inspector", "continue": "1"}

    # Not signed in (the session ended): the posted answers are kept, and sign-in comes back.
    response = client.post(step_url(case, "2.1"), data)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={step_url(case, '2.1')}"
    assert not Answer.objects.exists()

    client.force_login(people.inspector, backend="casefiles.concerns.backends.SignedInBackend")
    page = client.get(step_url(case, "2.1"))
    assert page.status_code == 200
    assert unsaved_shown(page)
    shown = fields_of(page)
    for question in questions[:2]:
        assert shown[f"q{question.pk}-value"] == "no"
        assert shown[f"q{question.pk}-note"] == f"Not seen: {question.code}"
    assert not Answer.objects.exists()  # shown again, never saved without the inspector

    # Offered once: saved or not, it is not offered again.
    assert not unsaved_shown(client.get(step_url(case, "2.1")))
    client.post(step_url(case, "2.1"), {**shown, "later": "1"})
    assert Answer.objects.filter(case=case, value="no").count() == 2


def test_answers_kept_for_one_person_are_not_shown_to_another(client, case, people):
    questions = step_questions(case, "2.1")
    data = {**step_data(questions, {questions[0].code: ("no", "Mine")}), "scorer": "inspector"}
    client.post(step_url(case, "2.1"), data)
    client.force_login(people.lead, backend="casefiles.concerns.backends.SignedInBackend")
    page = client.get(step_url(case, "2.1"))
    assert not unsaved_shown(page)
    assert "Mine" not in html(page)
    assert UNSAVED not in client.session


def test_only_the_step_fields_are_kept_from_a_post_after_the_session_ended(client, case):
    client.post(step_url(case, "2.1"), {"scorer": "inspector", "q1-value": "yes", "x": "junk"})
    assert client.session[UNSAVED]["data"] == {"q1-value": "yes"}
    client.post(step_url(case, "2.1"), {"scorer": "inspector", "other": "junk"})
    assert client.session[UNSAVED]["data"] == {"q1-value": "yes"}  # nothing new to keep


def test_an_inspector_s_own_autosave_never_makes_their_save_fail_as_someone_else_s(
    login, case, people
):
    client = login(people.inspector)
    questions = step_questions(case, "2.1")
    page_data = fields_of(client.get(step_url(case, "2.1")))  # every version 0
    key = questions[0]
    response = client.post(
        reverse("judgements:autosave", args=[case.public_id, "2.1"]),
        {"question": f"q{key.pk}", "value": "yes", "note": "First thought", "version": "0"},
    )
    assert response.json()["version"] == 1
    # The form still carries version 0 for that question (the page was opened before).
    page_data[f"q{key.pk}-value"] = "no"
    page_data[f"q{key.pk}-note"] = "Second thought"
    response = client.post(step_url(case, "2.1"), {**page_data, "later": "1"})
    assert response.status_code == 302
    answer = Answer.objects.get(case=case, question=key)
    assert (answer.value, answer.note, answer.version) == ("no", "Second thought", 2)

    # Without this browser's autosave (another browser, or a save by another route), the
    # same person's older copy is refused rather than saved over a newer answer.
    fresh = Client()
    fresh.force_login(people.inspector, backend="casefiles.concerns.backends.SignedInBackend")
    fresh.post(
        reverse("judgements:autosave", args=[case.public_id, "2.1"]),
        {"question": f"q{key.pk}", "value": "yes", "note": "Third thought", "version": "2"},
    )
    response = client.post(step_url(case, "2.1"), {**page_data, "later": "1"})
    assert response.status_code == 409
    assert Answer.objects.get(case=case, question=key).note == "Third thought"

    # Someone else's change in between is still a conflict.
    services.answer_record(
        case=case, question=key, value="yes", note="Lead's view", actor=people.lead
    )
    page_data[f"q{key.pk}-version"] = "3"
    response = login(people.inspector).post(step_url(case, "2.1"), {**page_data, "later": "1"})
    assert response.status_code == 409
    assert Answer.objects.get(case=case, question=key).note == "Lead's view"


def test_stay_signed_in_starts_the_idle_time_again(login, people, settings):
    settings.SESSION_SAVE_EVERY_REQUEST = False  # the keep-alive must work however it is set
    client = login(people.inspector)
    url = reverse("judgements:keep_alive")
    soon = timezone.now() + timedelta(seconds=30)
    Session.objects.update(expire_date=soon)
    response = client.post(url)
    assert response.status_code == 200
    assert response.json() == {"idle_seconds": settings.SESSION_COOKIE_AGE}
    assert Session.objects.get().expire_date > soon + timedelta(seconds=60)
    assert client.get(url).status_code == 405


def test_every_page_signed_in_carries_the_timeout_warning_settings(login, people, settings):
    settings.SESSION_COOKIE_AGE = 900
    page = html(login(people.inspector).get("/"))
    assert 'data-session-idle-seconds="900"' in page
    assert f'data-keep-alive-url="{reverse("judgements:keep_alive")}"' in page
    assert 'id="timeout-warning"' in page
    assert "Stay signed in" in page


# 2. What to do next ------------------------------------------------------------------------------


@pytest.fixture
def six_cases(inspection, people):
    """One case of the inspector's in each status, and one of a colleague's."""
    cases = {
        status: make_case(inspection, reference=f"C-{n}", inspector=people.inspector)
        for n, status in enumerate(
            ["returned", "in_progress", "not_started", "submitted", "in_qa", "agreed"], start=1
        )
    }
    returned = submitted_for_qa(cases["returned"], people)
    first = step_questions(returned, "2.1")[0]
    services.case_return(
        case=returned, moderator=people.qa, reasons={first: "Name the assessment tool"}
    )
    for status in ["in_progress", "submitted", "in_qa", "agreed"]:
        Case.objects.filter(pk=cases[status].pk).update(status=status)
    make_case(inspection, reference="C-9", inspector=people.colleague)
    return cases, first


def test_the_to_do_list_groups_cases_by_what_to_do_returned_first(
    login, six_cases, people, django_assert_num_queries
):
    cases, first = six_cases
    client = login(people.inspector)
    client.get(reverse("judgements:queue"))
    with django_assert_num_queries(5):
        # 1 the session, 2 the user (with whether a safeguarding concern waits for them: none
        # does, so the banner reads nothing), 3 the user's cases with inspection and
        # organisation, 4 the open returned questions of the returned cases, 5 the user's
        # second readings.
        # The session is not written.
        response = client.get(reverse("judgements:queue"))
    page = text(response)
    assert "You have 3 cases to score." in page
    order = [
        page.index(title)
        for title in [
            "Returned to you 1 case",
            "In progress 1 case",
            "Not started 1 case",
            "Submitted 1 case",
            "In quality assurance 1 case",
            "Agreed 1 case",
        ]
    ]
    assert order == sorted(order)
    assert "C-9" not in page
    link = f'href="{step_url(cases["returned"], "2.1")}#q{first.pk}"'
    assert link in html(response)
    assert f"{first.code} : Name the assessment tool" in page
    # A case to score opens at its next step; the others at their summary.
    assert f'href="{resume_url(cases["not_started"])}?back=/my-cases/"' in html(response)
    assert f'href="{summary_url(cases["agreed"])}?back=/my-cases/"' in html(response)


def test_the_to_do_list_makes_the_same_queries_however_many_cases(
    login, six_cases, inspection, people, django_assert_num_queries
):
    for n in range(12):
        case = make_case(inspection, reference=f"R-{n}", inspector=people.inspector)
        submitted_for_qa(case, people)
        services.case_return(
            case=case,
            moderator=people.qa,
            reasons={q: "More" for q in step_questions(case, "2.1")[:2]},
        )
    client = login(people.inspector)
    client.get(reverse("judgements:queue"))
    with django_assert_num_queries(5):  # as above, with 12 more returned cases
        response = client.get(reverse("judgements:queue"))
    assert "You have 15 cases to score." in text(response)


def test_the_home_page_counts_only_cases_still_to_score(login, six_cases, people):
    page = text(login(people.inspector).get("/"))
    assert "You have 3 cases to score." in page
    for line in [
        "Returned to you: 1",
        "In progress: 1",
        "Not started: 1",
        "Submitted: 1",
        "In quality assurance: 1",
        "Agreed: 1",
    ]:
        assert line in page


def test_your_cases_is_in_the_header_for_anyone_with_cases(login, case, people):
    link = f'href="{reverse("judgements:queue")}">Your cases</a>'
    assert link in html(login(people.inspector).get("/"))
    assert link not in html(login(people.qa).get("/"))


def test_the_step_list_marks_steps_with_returned_questions(login, six_cases, people):
    cases, first = six_cases
    client = login(people.inspector)
    summary = html(client.get(summary_url(cases["returned"])))
    assert re.search(r"2\.1 [^<]*</a>.*?Returned</strong>", summary, re.S)
    step = html(client.get(step_url(cases["returned"], "2.2")))
    assert re.search(r"2\.1 [^<]*</a>\s*<span[^>]*>[^<]*</span> <strong[^>]*>Returned", step)


def test_the_case_file_page_offers_to_start_or_continue_scoring(login, case, people):
    detail = reverse("casefiles:detail", args=[case.public_id])
    assert "Start scoring" in text(login(people.inspector).get(detail))
    Case.objects.filter(pk=case.pk).update(status=Status.IN_PROGRESS)
    assert "Continue scoring" in text(login(people.inspector).get(detail))
    other = text(login(people.colleague).get(detail))
    assert "Start scoring" not in other and "Continue scoring" not in other
    Case.objects.filter(pk=case.pk).update(status=Status.SUBMITTED)
    assert "Continue scoring" not in text(login(people.inspector).get(detail))


def test_continue_scoring_opens_the_step_to_do_next(login, case, people):
    client = login(people.inspector)
    assert client.get(resume_url(case))["Location"] == step_url(case, "2.1")
    for q in step_questions(case, "2.1"):
        services.answer_record(
            case=case, question=q, value="yes", note="Seen", actor=people.inspector
        )
    assert client.get(resume_url(case))["Location"] == step_url(case, "2.2")
    score_whole_case(case, people.inspector)
    assert client.get(resume_url(case))["Location"] == summary_url(case)
    assert login(people.colleague).get(resume_url(case))["Location"] == summary_url(case)


def test_submitting_confirms_what_happens_next_and_links_to_the_next_case(
    login, case, inspection, people
):
    second = make_case(inspection, reference="C-002", inspector=people.inspector)
    score_whole_case(case, people.inspector)
    client = login(people.inspector)
    response = client.post(reverse("judgements:submit", args=[case.public_id]))
    confirmation = reverse("judgements:submitted", args=[case.public_id])
    assert response["Location"] == confirmation
    page = client.get(confirmation)
    assert "Case C-001 submitted" in text(page)
    assert "count towards the inspection's ratings" in text(page)
    assert f'href="{resume_url(second)}"' in html(page)
    # Not a submitted case: back to its summary.
    assert client.get(reverse("judgements:submitted", args=[second.public_id]))["Location"] == (
        summary_url(second)
    )


# 3. Check answers before submitting -------------------------------------------------------------


def test_check_your_answers_lists_every_answer_with_change_links_and_submit_when_complete(
    login, case, people
):
    client = login(people.inspector)
    first = step_questions(case, "2.1")[0]
    services.answer_record(
        case=case, question=first, value="no", note="Plan not reviewed", actor=people.inspector
    )
    page = client.get(check_url(case))
    assert page.status_code == 200
    assert "Plan not reviewed" in text(page)
    assert f'href="{step_url(case, "2.1")}#q{first.pk}">Change' in html(page)
    assert "Before you can submit this case" in text(page)
    assert "Accept and submit" not in text(page)

    score_whole_case(case, people.inspector)
    page = client.get(check_url(case))
    assert "Accept and submit" in text(page)
    assert "By submitting this case you confirm" in text(page)
    assert "Before you can submit" not in text(page)
    # A reader sees the answers, with nothing to change or submit.
    other = login(people.qa).get(check_url(case))
    assert "Evidence for" in text(other)
    assert ">Change" not in html(other)
    assert "Accept and submit" not in text(other)


def test_submitting_an_incomplete_case_shows_check_your_answers_with_what_is_missing(
    login, case, people
):
    response = login(people.inspector).post(reverse("judgements:submit", args=[case.public_id]))
    assert response.status_code == 200
    assert "The case cannot be submitted yet" in text(response)
    assert "Check your answers" in text(response)
    case.refresh_from_db()
    assert case.status == Status.NOT_STARTED


# 4. Step pages fit the case ----------------------------------------------------------------------


def test_the_rest_of_a_step_does_not_apply_after_a_confirmation(login, case, people):
    questions = step_questions(case, "2.1")
    first = questions[0]
    services.answer_record(
        case=case, question=first, value="yes", note="Seen", actor=people.inspector
    )
    client = login(people.inspector)
    assert f'href="{rest_url(case, "2.1")}"' in html(client.get(step_url(case, "2.1")))
    page = client.get(rest_url(case, "2.1"))
    assert page.status_code == 200
    assert questions[1].code in text(page) and first.text not in text(page)

    needs_note = any(q.is_key_question for q in questions[1:])
    if needs_note:
        response = client.post(rest_url(case, "2.1"), {"note": " "})
        assert response.status_code == 200
        assert "Enter why the rest of this step does not apply" in text(response)
        assert Answer.objects.filter(case=case).count() == 1
    events = AuditEvent.objects.count()
    response = client.post(rest_url(case, "2.1"), {"note": "Custody case: no community work"})
    assert response["Location"] == step_url(case, "2.1")
    assert Answer.objects.get(case=case, question=first).value == "yes"  # left as it was
    rest = Answer.objects.filter(case=case, question__in=questions[1:])
    assert rest.count() == len(questions) - 1
    assert set(rest.values_list("value", flat=True)) == {"na"}
    assert AuditEvent.objects.count() > events
    # Nothing left to answer: the link is gone.
    assert f'href="{rest_url(case, "2.1")}"' not in html(client.get(step_url(case, "2.1")))


def test_the_rest_of_a_step_refuses_those_who_do_not_score_it(client, login, case, people):
    url = rest_url(case, "2.1")
    assert client.get(url)["Location"].startswith(reverse("login"))
    assert login(people.outsider).get(url).status_code == 404
    assert login(people.colleague).post(url, {"note": "x"}).status_code == 403
    assert not Answer.objects.exists()


def test_a_saved_step_says_so_briefly_and_later_returns_to_the_summary(login, case, people):
    client = login(people.inspector)
    questions = step_questions(case, "2.1")
    data = step_data(questions, {q.code: ("yes", "Seen") for q in questions})
    response = client.post(step_url(case, "2.1"), {**data, "continue": "1"})
    assert response["Location"] == step_url(case, "2.2")
    page = client.get(response["Location"])
    assert re.search(r'id="step-saved">[^<]*2\.1 ', html(page))
    assert "govuk-notification-banner--success" not in html(page)
    # Said once.
    assert 'id="step-saved"' not in html(client.get(step_url(case, "2.2")))

    questions = step_questions(case, "2.2")
    data = step_data(questions, {questions[0].code: ("yes", "Seen")})
    response = client.post(step_url(case, "2.2"), {**data, "later": "1"})
    assert response["Location"] == summary_url(case)


def test_the_source_reference_sits_in_a_details_element(login, case, people):
    question = step_questions(case, "2.1")[0]
    page = html(login(people.inspector).get(step_url(case, "2.1")))
    assert re.search(
        r'<details class="govuk-details app-source">.*?Source.*?' + re.escape(question.source),
        page,
        re.S,
    )
