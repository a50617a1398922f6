"""The questions of a published framework are read once and kept (judgements.rules.case_questions);
saving or deleting a framework, a standard or a question reads them again, and a draft is read
every time."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspection.builder import services as builder
from inspection.models import Framework, Question
from judgements.rules import case_questions
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def read_with_queries(framework) -> tuple[list[Question], int]:
    with CaptureQueriesContext(connection) as queries:
        questions = case_questions(framework)
    return questions, len(queries)


def test_a_published_framework_is_read_once(yos_framework):
    first, first_queries = read_with_queries(yos_framework)
    second, second_queries = read_with_queries(yos_framework)

    assert (first_queries, second_queries) == (1, 0)
    assert [q.pk for q in second] == [q.pk for q in first]
    assert second[0].standard.code == first[0].standard.code


def test_each_caller_gets_its_own_list(yos_framework):
    mine = case_questions(yos_framework)
    count = len(mine)
    mine.clear()

    assert len(case_questions(yos_framework)) == count


def test_a_question_saved_is_read_again(yos_framework):
    case_questions(yos_framework)
    question = Question.objects.get(framework=yos_framework, code="2.1.1")
    question.text = "Was the assessment of desistance sound?"
    question.save()

    questions, queries = read_with_queries(yos_framework)

    assert queries == 1
    assert next(q for q in questions if q.code == "2.1.1").text == question.text


def test_a_standard_saved_is_read_again(yos_framework):
    case_questions(yos_framework)
    standard = Question.objects.get(framework=yos_framework, code="2.1.1").standard
    standard.title = "Assessment, renamed"
    standard.save()

    questions, queries = read_with_queries(yos_framework)

    assert queries == 1
    assert next(q for q in questions if q.code == "2.1.1").standard.title == standard.title


def test_a_question_deleted_is_read_again(yos_framework):
    before = case_questions(yos_framework)
    prompt = next(q for q in before if q.parent_id is not None)
    Question.objects.get(pk=prompt.pk).delete()

    assert prompt.pk not in {q.pk for q in case_questions(yos_framework)}


def test_a_draft_is_read_every_time(yos_framework):
    draft = builder.draft_start(
        actor=make_user("editor", edits_frameworks=True),
        source=yos_framework,
        slug="",
        name="Youth offending services",
        version="2026",
    )
    assert draft.status == Framework.Status.DRAFT
    case_questions(draft)
    # Changed without a signal, as the builder's reordering does.
    Question.objects.filter(framework=draft, code="2.1.1").update(text="Changed in the draft")

    questions, queries = read_with_queries(draft)

    assert queries == 1
    assert next(q for q in questions if q.code == "2.1.1").text == "Changed in the draft"
