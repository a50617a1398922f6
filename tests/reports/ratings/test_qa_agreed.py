"""The ratings pages and dashboards say how many counted judgements are in cases agreed in QA."""

import re
from html import unescape

import pytest
from django.urls import reverse

from judgements import services
from judgements.rules import applicable_questions
from judgements.services import AnswerInput
from reports.ratings.selectors import QaAgreed, qa_agreed
from tests.conftest import make_case


@pytest.fixture(autouse=True)
def _plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())


def scored(inspection, people, reference, *, submit=True, agree=False, na_first_key=False):
    case = make_case(inspection, reference=reference, inspector=people.inspector)
    if agree:
        services.qa_select(case=case, selected=True, actor=people.lead)
    questions = applicable_questions(case)
    first_key = next(q for q in questions if q.is_key_question)
    services.answers_record(
        case=case,
        answers=[
            AnswerInput(
                question=q,
                value="na" if na_first_key and q == first_key else "yes",
                note=f"Evidence for {q.code}",
            )
            for q in questions
        ],
        actor=people.inspector,
    )
    if submit:
        services.case_submit(case=case, actor=people.inspector)
    if agree:
        case.refresh_from_db()
        services.case_agree(case=case, moderator=people.qa)
    return [q for q in questions if q.is_key_question]


def test_the_count_takes_yes_and_no_to_key_questions_of_counted_cases_only(inspection, people):
    keys = scored(inspection, people, "C-001", agree=True)
    scored(inspection, people, "C-002")
    scored(inspection, people, "C-003", na_first_key=True)  # one Not applicable: not counted
    scored(inspection, people, "C-004", submit=False)  # in progress: not counted
    k = len(keys)
    assert qa_agreed(inspection) == QaAgreed(agreed=k, counted=3 * k - 1)
    standard = keys[0].standard.code
    in_standard = sum(1 for q in keys if q.standard.code == standard)
    assert qa_agreed(inspection, standard_code=standard) == QaAgreed(
        agreed=in_standard, counted=3 * in_standard - 1
    )
    assert qa_agreed([inspection.pk]) == qa_agreed(inspection)


def test_the_sentence():
    assert QaAgreed(agreed=112, counted=150).sentence == (
        "112 of 150 counted judgements are in cases agreed in quality assurance."
    )
    assert QaAgreed(agreed=1, counted=3).sentence == (
        "1 of 3 counted judgements is in cases agreed in quality assurance."
    )
    assert QaAgreed(agreed=0, counted=0).sentence == "No judgements are counted yet."


def test_the_ratings_page_and_a_standards_page_say_it(login, inspection, people):
    keys = scored(inspection, people, "C-001", agree=True)
    scored(inspection, people, "C-002")
    client = login(people.qa)
    k = len(keys)
    page = words(client.get(reverse("reports:ratings", args=[inspection.reference])))
    assert f"{k} of {2 * k} counted judgements are in cases agreed in quality assurance." in page
    code = keys[0].standard.code
    n = sum(1 for q in keys if q.standard.code == code)
    page = words(client.get(reverse("reports:ratings_standard", args=[inspection.reference, code])))
    assert f"Agreed in quality assurance {n} of {2 * n} counted judgements" in page


def test_the_national_dashboard_says_it(login, inspection, people):
    keys = scored(inspection, people, "C-001", agree=True)
    scored(inspection, people, "C-002")
    k = len(keys)
    page = words(login(people.manager).get(reverse("reports:dashboards")))
    assert f"{k} of {2 * k} counted judgements are in cases agreed in quality assurance." in page
