"""The ratings pages: who may read them, and that every rating explains itself in two clicks."""

import re
from html import unescape

import pytest
from django.urls import reverse

from inspection.models import Area, Inspection, Organisation
from tests.conftest import make_case
from tests.reports.ratings.test_ratings_db import (
    build_seed004,
    evidence_note,
    rate_organisation_standards,
    score_cases,
    seed004_subset,
    split_by_number,
)

READERS = ["lead", "inspector", "qa", "partner", "manager"]
PAGES = ["ratings", "standard", "tables"]



def url(page: str, inspection, **query) -> str:
    if page == "ratings":
        address = reverse("reports:ratings", args=[inspection.reference])
    elif page == "standard":
        address = reverse("reports:ratings_standard", args=[inspection.reference, "2.2"])
    else:
        address = reverse("reports:ratings_tables", args=[inspection.reference])
    if query:
        address += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return address


def text(response) -> str:
    """The page's visible words, tags removed and spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


def links(response) -> list[tuple[str, str]]:
    """(href, words) of every link on the page."""
    return [
        (unescape(href), re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", words))).strip())
        for href, words in re.findall(
            r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', response.content.decode(), re.S
        )
    ]


@pytest.fixture
def seed004(inspection, people):
    build_seed004(inspection, people)
    return inspection


# Who may read ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", READERS)
def test_the_team_and_managers_read_the_ratings(page, who, inspection, people, login):
    score_cases(inspection, people, seed004_subset(court=2, out_of_court=1))
    response = login(getattr(people, who)).get(url(page, inspection))
    assert response.status_code == 200
    assert response.templates[0].name.startswith("reports/")


@pytest.mark.parametrize("page", PAGES)
def test_an_outsider_is_told_the_inspection_does_not_exist(page, inspection, people, login):
    response = login(people.outsider).get(url(page, inspection))
    assert response.status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_people_are_sent_to_sign_in(page, inspection, client):
    address = url(page, inspection)
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_only_read(page, inspection, people, login):
    client = login(people.lead)
    assert client.post(url(page, inspection)).status_code == 405
    assert client.put(url(page, inspection)).status_code == 405


def test_unknown_standard_or_organisation_is_not_found(inspection, people, login):
    client = login(people.lead)
    missing = reverse("reports:ratings_standard", args=[inspection.reference, "9.9"])
    assert client.get(missing).status_code == 404
    assert client.get(url("ratings", inspection, organisation="nowhere")).status_code == 404
    assert client.get(url("standard", inspection, organisation="nowhere")).status_code == 404


def test_the_inspection_tabs_lead_to_the_ratings(inspection, people, login):
    client = login(people.inspector)
    overview = client.get(reverse("inspection:detail", args=[inspection.reference]))
    assert ("/inspections/yos-bd-2018/ratings/", "Ratings") in links(overview)
    page = client.get(url("ratings", inspection)).content.decode()
    assert re.search(r'aria-current="page" href="/inspections/yos-bd-2018/ratings/"', page)


# The ratings page -----------------------------------------------------------------------------


def test_ratings_page_shows_every_standard_key_question_and_the_overall_rating(
    seed004, people, login
):
    response = login(people.manager).get(url("ratings", seed004))
    words = text(response)
    assert "Overall rating Requires improvement" in words
    assert "score 14 from 12 rated standards, so Requires improvement" in words
    assert "50 of 50 cases in the sample counted" in words
    page = response.content.decode()
    assert 'id="left-out"' not in page
    row = re.search(r'<tr class="govuk-table__row" id="standard-2.2">(.*?)</tr>', page, re.S)
    assert "Inadequate" in row.group(1)
    assert "lowest key question 2.2.2: 15 of 31 (48%), so Inadequate" in row.group(1)
    row = re.search(r'id="standard-1.2">(.*?)</tr>', page, re.S).group(1)
    assert "Requires improvement" in row and "rated by the lead inspector" in row
    # Per key question: yes, no, not applicable and the result.
    row = re.search(r'id="kq-2.3.3">(.*?)</tr>', page, re.S).group(1)
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["17", "9", "5", "17 of 26 (65%)"]
    assert 'class="app-rating app-rating--inadequate"' in page


def test_ratings_page_says_which_cases_were_left_out_and_why(inspection, people, login):
    score_cases(inspection, people, seed004_subset(court=3, out_of_court=0))
    make_case(inspection, reference="BD-C10")
    make_case(inspection, reference="BD-C11")
    response = login(people.lead).get(url("ratings", inspection))
    words = text(response)
    assert "3 of 5 cases in the sample counted" in words
    assert "2 cases left out because they are not submitted yet: 2 not started." in words


def test_a_question_with_no_applicable_cases_says_so(inspection, people, login):
    from dataclasses import replace

    answers = [
        replace(fact, value="na") if fact.question_code == "2.1.3" else fact
        for fact in seed004_subset(court=2, out_of_court=0)
    ]
    score_cases(inspection, people, answers)
    client = login(people.lead)
    page = client.get(url("ratings", inspection)).content.decode()
    row = re.search(r'id="kq-2.1.3">(.*?)</tr>', page, re.S).group(1)
    assert "no applicable cases" in row
    standard = client.get(reverse("reports:ratings_standard", args=[inspection.reference, "2.1"]))
    assert "2.1.3: no applicable cases" in text(standard)
    assert "2.1.3 skipped: no applicable cases" in text(standard)
    # 3.x has no cases at all: not rated.
    assert "not rated: no key question has any applicable cases" in page


# The standard page: from a rating to the cases and notes behind it ---------------------------


def test_two_clicks_from_a_rating_to_the_cases_answered_no_and_their_notes(seed004, people, login):
    client = login(people.qa)
    ratings = client.get(url("ratings", seed004))
    standard_link = dict((words, href) for href, words in links(ratings))["2.2 Planning"]

    standard = client.get(standard_link)  # first click
    assert standard.status_code == 200
    words = text(standard)
    assert "lowest key question 2.2.2: 15 of 31 (48%), so Inadequate" in words
    assert "Lowest: sets the rating" in words
    assert "Cases answered No (16)" in words  # 2.2.2
    assert "Cases answered No (6)" in words  # 2.2.1
    page = standard.content.decode()
    listed = re.search(r'<ul class="govuk-list" id="no-2.2.2">(.*?)</ul>', page, re.S).group(1)
    references = re.findall(r">Case (BD-C\d\d)</a>", listed)
    assert len(references) == 16 and references == sorted(references)
    for reference in references:
        assert evidence_note(reference, "2.2.2", "no") in unescape(listed)

    case = seed004.cases.get(reference=references[0])
    case_link = reverse("judgements:step", args=[case.public_id, "2.2"])
    assert (case_link, f"Case {case.reference}") in links(standard)
    evidence = client.get(case_link)  # second click: the case's answers and notes
    assert evidence.status_code == 200
    assert evidence_note(case.reference, "2.2.2", "no") in unescape(evidence.content.decode())


def test_an_organisation_level_standard_shows_the_lead_inspectors_narrative(seed004, people, login):
    response = login(people.partner).get(
        reverse("reports:ratings_standard", args=[seed004.reference, "1.3"])
    )
    words = text(response)
    assert "rated by the lead inspector from interviews and documents: Requires improvement" in (
        words
    )
    assert "Standard 1.3 is requires improvement: from interviews and documents." in words
    assert "Staff survey, meetings with managers." in words
    assert "Cases answered No" not in words


def test_pages_have_no_inline_script_or_style(seed004, people, login):
    client = login(people.lead)
    for page in PAGES:
        html = client.get(url(page, seed004)).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), page
        assert " style=" not in html and "<style" not in html, page


# Several organisations ------------------------------------------------------------------------


@pytest.fixture
def thematic(yos_framework, people, area):
    from tests.conftest import make_inspection

    reading = Area.objects.create(
        slug="reading", name="Reading", police_force_area="Thames Valley", region="South"
    )
    first = Organisation.objects.create(
        slug="bd-yos", name="Barking and Dagenham YOS", kind="yos", area=area
    )
    second = Organisation.objects.create(
        slug="reading-yot", name="Reading YOT", kind="yot", area=reading
    )
    inspection = make_inspection(
        framework=yos_framework,
        organisations=[first, second],
        people=people,
        reference="thematic-2018",
        kind=Inspection.Kind.THEMATIC,
    )
    score_cases(
        inspection,
        people,
        seed004_subset(court=6, out_of_court=4),
        organisation_of=split_by_number(first, second),
    )
    return inspection, first, second


def test_thematic_tables_compare_key_questions_and_case_profile_by_organisation(
    thematic, people, login
):
    inspection, first, second = thematic
    response = login(people.inspector).get(url("tables", inspection))
    page = response.content.decode()
    table = re.search(r'id="kq-table-2.2">(.*?)</table>', page, re.S).group(1)
    headers = [unescape(h) for h in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", table)]
    assert headers == ["Key question", first.name, second.name, "All organisations"]
    body = table.split('<tbody class="govuk-table__body">')[1]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)
    assert len(rows) == 3
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert len(cells) == 3
        assert all(re.fullmatch(r"\d+ of \d+ \(\d+%\)|no applicable cases", c) for c in cells)
    gender = re.search(r'id="profile-gender">(.*?)</table>', page, re.S).group(1)
    assert "Case files read" in gender and "Male" in gender
    assert re.search(r"Male</th>\s*<td[^>]*>5 \(100%\)</td><td[^>]*>5 \(100%\)</td>", gender)
    assert "Counted from 10 cases" in text(response)


def test_thematic_ratings_can_be_shown_for_one_organisation(thematic, people, login):
    inspection, first, second = thematic
    rate_organisation_standards(inspection, second, people)
    client = login(people.lead)

    everyone = client.get(url("ratings", inspection))
    words = text(everyone)
    assert "A thematic report publishes no ratings" in words
    assert '<select class="govuk-select" id="organisation" name="organisation">' in (
        everyone.content.decode()
    )
    assert "10 of 10 cases in the sample counted" in words

    one = client.get(url("ratings", inspection, organisation=second.slug))
    words = text(one)
    assert "Ratings: Reading YOT" in words
    assert "5 of 5 cases in the sample counted" in words
    assert "rated by the lead inspector from interviews and documents: Good" in words
    standard_links = [href for href, _ in links(one) if "/ratings/standards/" in href]
    assert standard_links and all(h.endswith("?organisation=reading-yot") for h in standard_links)

    standard = client.get(url("standard", inspection))
    page = standard.content.decode()
    assert "2.2.2 by organisation" in page
    assert first.name in page and second.name in page


def test_the_overall_rating_is_not_yet_given_while_standards_can_still_be_rated(
    inspection, people, login
):
    score_cases(inspection, people, seed004_subset(court=3, out_of_court=2))
    response = login(people.lead).get(url("ratings", inspection))
    page = response.content.decode()
    overall = re.search(r'<dl class="govuk-summary-list" id="overall">(.*?)</dl>', page, re.S)
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", overall.group(1))).split())
    assert "Overall rating Not yet rated" in words
    assert "Standard 1.1 Governance and leadership is not yet rated by the lead inspector." in words
