"""Each role sees only the inspection tabs it can use (inspection.navigation.inspection_tabs)."""

import re

import pytest
from django.urls import reverse

ALL = [
    "Overview",
    "Team",
    "Cases",
    "Sample",
    "Assign cases",
    "Quality assurance",
    "Organisation ratings",
    "Ratings",
    "Export",
    "Report",
    "Second readings",
    "Agreement",
]

EXPECTED = {
    "lead": ALL,
    "inspector": ["Overview", "Team", "Cases", "Ratings", "Export"],
    "colleague": ["Overview", "Team", "Cases", "Ratings", "Export"],
    "qa": [
        "Overview",
        "Team",
        "Cases",
        "Quality assurance",
        "Ratings",
        "Export",
        "Report",
        "Agreement",
    ],
    "partner": ["Overview", "Team", "Cases", "Ratings", "Export"],
    # Managers oversee: they read, and never export evidence notes.
    "manager": [
        "Overview",
        "Team",
        "Cases",
        "Sample",
        "Quality assurance",
        "Ratings",
        "Report",
        "Second readings",
        "Agreement",
    ],
    # Administrators read everything, and may take the whole inspection away.
    "admin": [
        "Overview",
        "Team",
        "Cases",
        "Sample",
        "Quality assurance",
        "Ratings",
        "Export",
        "Report",
        "Second readings",
        "Agreement",
    ],
}


@pytest.fixture(autouse=True)
def _plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


def tabs(response) -> list[str]:
    page = response.content.decode()
    nav = re.search(
        r'<nav class="moj-sub-navigation" aria-label="Inspection sections">(.*?)</nav>', page, re.S
    )
    assert nav, "no inspection tabs"
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]*)</a>", nav.group(1))]


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_role_sees_the_tabs_of_its_work(login, inspection, people, who):
    client = login(getattr(people, who))
    response = client.get(reverse("inspection:detail", args=[inspection.reference]))
    assert response.status_code == 200
    assert tabs(response) == EXPECTED[who]


def test_an_approver_off_the_team_sees_the_report(login, inspection, people):
    people.manager.approves_reports = True
    people.manager.save(update_fields=["approves_reports"])
    client = login(people.manager)
    response = client.get(reverse("casefiles:list", args=[inspection.reference]))
    assert "Report" in tabs(response)


def test_the_page_shown_is_marked_current(login, inspection, people):
    client = login(people.lead)
    page = client.get(reverse("judgements:qa_list", args=[inspection.reference])).content.decode()
    current = re.findall(r'aria-current="page" href="([^"]*)"', page)
    assert reverse("judgements:qa_list", args=[inspection.reference]) in current
