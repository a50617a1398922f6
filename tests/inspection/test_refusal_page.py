"""The refusal page speaks to the situation: what was tried, why not, what to do instead."""

import re
from html import unescape

import pytest
from django.urls import reverse

from judgements import services
from tests.judgements.test_walkthrough_views import step_questions, step_url, submitted_for_qa


@pytest.fixture(autouse=True)
def _plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())


def test_a_colleague_changing_someone_elses_case_is_told_whose_it_is(login, case, people):
    client = login(people.colleague)
    question = step_questions(case, "2.1")[0]
    response = client.post(step_url(case, "2.1"), {f"q{question.pk}-value": "yes"})
    assert response.status_code == 403
    page = words(response)
    assert "You cannot change the answers for case C-001" in page
    assert (
        "Only the inspector assigned to case C-001 (Inspector Tester) can change its answers."
        in page
    )
    assert "Nothing was changed." in page
    assert "ask the lead inspector to assign it to you" in page
    assert "Go to the judgements for case C-001" in page


def test_an_agreed_case_says_it_is_locked_and_how_to_reopen_it(login, case, people):
    case = submitted_for_qa(case, people)
    services.case_agree(case=case, moderator=people.qa)
    response = login(people.inspector).post(reverse("judgements:submit", args=[case.public_id]))
    assert response.status_code == 403
    page = words(response)
    assert "You cannot submit case C-001" in page
    assert "Case C-001 is agreed: its answers cannot be changed now." in page
    assert "ask the lead inspector to reopen the case" in page


def test_quality_assuring_ones_own_scoring_is_refused_with_the_reason(login, case, people):
    case = submitted_for_qa(case, people)
    # An inspector is not quality assurance (and scored this case besides).
    response = login(people.inspector).get(reverse("judgements:moderate", args=[case.public_id]))
    assert response.status_code == 403
    page = words(response)
    assert "You cannot quality-assure case C-001" in page
    assert "Only quality assurance or the lead inspector" in page


def test_a_role_refusal_names_the_role_and_who_may(login, inspection, people):
    response = login(people.inspector).post(
        reverse("judgements:assign", args=[inspection.reference]), {}
    )
    assert response.status_code == 403
    page = words(response)
    assert "You cannot assign cases or select them for quality assurance" in page
    assert "You are an inspector on this inspection; only the lead inspector can do this." in page
    assert f"Go back to {inspection.title}" in page


def test_a_plain_refusal_still_says_what_was_tried(login, inspection, people):
    # The national dashboards refuse with a plain PermissionDenied and its message.
    response = login(people.inspector).get(reverse("reports:dashboards"))
    assert response.status_code == 403
    page = words(response)
    assert "You cannot open this page" in page
    assert "Only managers and administrators can see national dashboards." in page
    assert "Nothing was changed." not in page
