"""Where each answer's evidence came from, saved from the step page and shown on check your
answers and the QA page; and the moderator's overall feedback on the case summary."""

import pytest
from django.urls import reverse

from inspection.dates import govuk_datetime
from judgements import services
from judgements.models import Answer, AuditEvent, ModerationDecision
from tests.judgements.test_walkthrough_views import (
    fields_of,
    html,
    step_questions,
    step_url,
    submitted_for_qa,
    summary_url,
    text,
)


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


def test_the_step_page_asks_where_each_answers_evidence_came_from_case_file_first(
    login, case, people
):
    client = login(people.inspector)
    page = client.get(step_url(case, "2.1"))
    fields = fields_of(page)
    for question in step_questions(case, "2.1"):
        assert fields[f"q{question.pk}-source"] == "case_file"
        assert f"Where the evidence for {question.code} came from" in text(page)
    assert 'value="cm_interview"' in html(page)


def test_saving_a_step_records_each_source_and_audits_the_change(login, case, people):
    client = login(people.inspector)
    questions = step_questions(case, "2.1")
    data = fields_of(client.get(step_url(case, "2.1")))
    for question in questions:
        data[f"q{question.pk}-value"] = "yes"
        data[f"q{question.pk}-note"] = f"Seen {question.code}"
    first, *others = questions
    data[f"q{first.pk}-source"] = "cm_interview"
    response = client.post(step_url(case, "2.1"), {**data, "later": "1"})
    assert response.status_code == 302
    assert Answer.objects.get(case=case, question=first).evidence_source == "cm_interview"
    for question in others:
        assert Answer.objects.get(case=case, question=question).evidence_source == "case_file"
    event = AuditEvent.objects.get(
        case=case, subject=first.code, action=AuditEvent.Action.SOURCE_CHANGED
    )
    assert (event.actor, event.old_value, event.new_value) == (
        people.inspector,
        "",
        "Case manager interview",
    )
    # The page shows the saved source again, and a later change is one more audit row.
    again = fields_of(client.get(step_url(case, "2.1")))
    assert again[f"q{first.pk}-source"] == "cm_interview"
    again[f"q{first.pk}-source"] = "other_interview"
    client.post(step_url(case, "2.1"), {**again, "later": "1"})
    changes = AuditEvent.objects.filter(
        case=case, subject=first.code, action=AuditEvent.Action.SOURCE_CHANGED
    ).order_by("pk")
    assert [(c.old_value, c.new_value) for c in changes] == [
        ("", "Case manager interview"),
        ("Case manager interview", "Other interview"),
    ]


def test_a_bad_source_is_refused_with_the_question_named_and_nothing_saved(login, case, people):
    client = login(people.inspector)
    question = step_questions(case, "2.1")[0]
    data = fields_of(client.get(step_url(case, "2.1")))
    data[f"q{question.pk}-value"] = "yes"
    data[f"q{question.pk}-note"] = "Seen"
    data[f"q{question.pk}-source"] = "gossip"
    response = client.post(step_url(case, "2.1"), {**data, "later": "1"})
    assert response.status_code == 200
    assert f"Select where the evidence for {question.code} came from" in text(response)
    assert "govuk-error-summary" in html(response)
    assert not Answer.objects.filter(case=case).exists()


def test_check_answers_and_the_qa_page_say_where_the_evidence_came_from(login, case, people):
    case = submitted_for_qa(case, people)
    question = step_questions(case, "2.1")[0]
    Answer.objects.filter(case=case, question=question).update(evidence_source="cm_interview")
    check = text(login(people.inspector).get(reverse("judgements:check", args=[case.public_id])))
    assert "Evidence from: Case manager interview" in check
    qa = text(login(people.qa).get(reverse("judgements:moderate", args=[case.public_id])))
    assert "Evidence from Case manager interview" in qa
    # Answers saved without a source say so rather than guess.
    assert "Evidence from Not said" in qa


def test_the_case_summary_shows_the_moderators_feedback_with_who_and_when(login, case, people):
    case = submitted_for_qa(case, people)
    question = step_questions(case, "2.1")[0]
    services.case_return(
        case=case,
        moderator=people.qa,
        reasons={question: "Name the assessment tool."},
        feedback="Good notes overall; the plan section needs the parents' views.",
    )
    decision = ModerationDecision.objects.get(case=case)
    page = text(login(people.inspector).get(summary_url(case)))
    assert "Feedback from quality assurance" in page
    assert "Good notes overall; the plan section needs the parents' views." in page
    assert f"Returned by Qa Tester on {govuk_datetime(decision.at)}" in page


def test_no_feedback_panel_when_the_moderator_gave_none(login, case, people):
    case = submitted_for_qa(case, people)
    services.case_agree(case=case, moderator=people.qa)
    page = text(login(people.inspector).get(summary_url(case)))
    assert "Feedback from quality assurance" not in page
    assert "Agreed by Qa Tester" in page


def test_a_step_posted_after_the_session_ended_keeps_the_sources_too(client, login, case, people):
    question = step_questions(case, "2.1")[0]
    data = {
        f"q{question.pk}-value": "yes",
        f"q{question.pk}-note": "Heard at interview",
        f"q{question.pk}-source": "other_interview",
        f"q{question.pk}-version": "0",
        "scorer": people.inspector.username,
    }
    response = client.post(step_url(case, "2.1"), data)
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    page = login(people.inspector).get(step_url(case, "2.1"))
    kept = fields_of(page)
    assert kept[f"q{question.pk}-source"] == "other_interview"
    assert kept[f"q{question.pk}-note"] == "Heard at interview"
    assert not Answer.objects.filter(case=case).exists()


def test_answers_and_their_sources_are_recorded_together(case, people):
    first, second = step_questions(case, "2.1")[:2]
    services.answers_record(
        case=case,
        answers=[
            services.AnswerInput(question=q, value="yes", note="Seen", seen_version=0)
            for q in (first, second)
        ],
        actor=people.inspector,
        sources={first: "cm_interview", second: "case_file"},
    )
    saved = {a.question_id: a.evidence_source for a in Answer.objects.filter(case=case)}
    assert saved == {first.pk: "cm_interview", second.pk: "case_file"}
    changes = AuditEvent.objects.filter(case=case, action=AuditEvent.Action.SOURCE_CHANGED)
    assert sorted(changes.values_list("subject", "new_value")) == sorted(
        [(first.code, "Case manager interview"), (second.code, "Case file")]
    )


def test_a_stale_answer_records_neither_the_answers_nor_their_sources(case, people):
    first, second = step_questions(case, "2.1")[:2]
    # Saved by another browser after the page was opened at version 0.
    services.answer_record(
        case=case, question=first, value="no", note="Not seen", actor=people.inspector
    )
    with pytest.raises(services.StaleEdit):
        services.answers_record(
            case=case,
            answers=[
                services.AnswerInput(question=q, value="yes", note="Seen", seen_version=0)
                for q in (first, second)
            ],
            actor=people.inspector,
            sources={first: "cm_interview", second: "cm_interview"},
        )
    assert list(Answer.objects.filter(case=case).values_list("question_id", "evidence_source")) == [
        (first.pk, "")
    ]
    assert not AuditEvent.objects.filter(
        case=case, action=AuditEvent.Action.SOURCE_CHANGED
    ).exists()
