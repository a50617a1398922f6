"""The report's form for a standard shows that standard's rating and figures beside it, read
from the ratings selectors in the same number of queries however many cases there are."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from judgements import services
from judgements.rules import applicable_questions
from judgements.services import AnswerInput
from reports.ratings.selectors import inspection_rating
from tests.conftest import make_case


@pytest.fixture(autouse=True)
def _plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


def submitted_cases(inspection, people, how_many, *, no_first_key_question=0, prefix="C"):
    """Cases scored Yes throughout and submitted; the first `no_first_key_question` of them
    answer No to the first key question of standard 2.1."""
    for n in range(how_many):
        case = make_case(inspection, reference=f"{prefix}-{n:03d}", inspector=people.inspector)
        questions = applicable_questions(case)
        first_kq = next(q for q in questions if q.standard.code == "2.1" and q.is_key_question)
        services.answers_record(
            case=case,
            answers=[
                AnswerInput(
                    question=q,
                    value="no" if q == first_kq and n < no_first_key_question else "yes",
                    note=f"Evidence for {q.code}",
                )
                for q in questions
            ],
            actor=people.inspector,
        )
        services.case_submit(case=case, actor=people.inspector)
    return first_kq


def figures(response) -> str:
    page = unescape(response.content.decode())
    aside = re.search(r'<aside[^>]*id="standard-figures"[^>]*>(.*?)</aside>', page, re.S)
    assert aside, "no figures beside the form"
    return " ".join(re.sub(r"<[^>]+>", " ", aside.group(1)).split())


def test_the_standard_form_shows_the_rating_and_each_key_questions_figures(
    login, inspection, people
):
    first_kq = submitted_cases(inspection, people, 3, no_first_key_question=1)
    response = login(people.lead).get(
        reverse("reports:report_standard", args=[inspection.reference, "2.1"])
    )
    assert response.status_code == 200
    shown = figures(response)
    result = inspection_rating(inspection).result.standard("2.1")
    assert f"{first_kq.code} 2 of 3 (67%)" in shown
    assert result.rating in shown
    assert result.explanation in shown
    assert "From 3 of 3 cases in the sample." in shown
    # The form is still there beside it.
    assert 'name="narrative"' in response.content.decode()


def test_the_figures_cost_the_same_queries_however_many_cases(login, inspection, people):
    client = login(people.lead)
    url = reverse("reports:report_standard", args=[inspection.reference, "2.1"])
    submitted_cases(inspection, people, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    submitted_cases(inspection, people, 4, no_first_key_question=2, prefix="D")
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    assert len(five) == len(one)
    # Five cases counted, two of them No to the first key question.
    assert "3 of 5 (60%)" in figures(client.get(url))
