"""A case opened from a list has a GOV.UK back link to that list, and only to a list of this
site: anything else falls back to the inspection's cases."""

import re
from html import unescape

import pytest
from django.urls import reverse

from inspection.navigation import back_query, safe_back


@pytest.fixture(autouse=True)
def _plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


def back_link(response) -> tuple[str, str]:
    page = response.content.decode()
    match = re.search(r'<a href="([^"]*)" class="govuk-back-link[^"]*">([^<]*)</a>', page)
    assert match, "no back link"
    return unescape(match.group(1)), match.group(2)


@pytest.mark.parametrize(
    "value",
    [
        "/dashboards/cases/?area=barking&rating=inadequate",
        "/inspections/yos-bd-2018/quality-assurance/",
        "/my-cases/",
        "/",
    ],
)
def test_a_list_of_this_site_is_accepted(value):
    assert safe_back(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "https://evil.example/dashboards/",
        "//evil.example/dashboards/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "/admin/",
        "/logout/",
        "dashboards/",
        "/dashboards/\r\nSet-Cookie: x",
        "/dashboards/" + "x" * 2000,
    ],
)
def test_anything_else_is_refused(value):
    assert safe_back(value) is None


def test_the_query_carries_the_path_and_its_filters_encoded():
    assert back_query("/dashboards/cases/?a=1&b=2") == "?back=/dashboards/cases/%3Fa%3D1%26b%3D2"
    assert back_query("/" + "x" * 2000) == ""


def test_a_case_opened_from_the_qa_list_goes_back_to_it_on_every_tab(
    login, case, people, inspection
):
    client = login(people.lead)
    qa_list = reverse("judgements:qa_list", args=[inspection.reference])
    list_page = client.get(qa_list + "?state=all")
    assert list_page.status_code == 200
    summary = reverse("judgements:case_summary", args=[case.public_id])
    response = client.get(summary + back_query(qa_list + "?state=all"))
    assert back_link(response) == (qa_list + "?state=all", "Back")
    # The case's other tabs keep it.
    detail = client.get(reverse("casefiles:detail", args=[case.public_id]) + back_query(qa_list))
    assert back_link(detail) == (qa_list, "Back")
    assert f'{summary}?back={qa_list}"' in detail.content.decode()


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/x", "/admin/"])
def test_a_back_not_allowed_falls_back_to_the_inspections_cases(
    login, case, people, inspection, back
):
    client = login(people.inspector)
    response = client.get(reverse("casefiles:detail", args=[case.public_id]), {"back": back})
    assert response.status_code == 200
    assert back_link(response) == (
        reverse("casefiles:list", args=[inspection.reference]),
        "Back to the cases",
    )
    # No link leads there (the page's own address may still be quoted, encoded, in a
    # sign-in link's `next`).
    assert f'href="{back}' not in response.content.decode()


def test_the_lists_put_themselves_on_their_case_links(login, case, people, inspection):
    client = login(people.inspector)
    queue = client.get(reverse("judgements:queue")).content.decode()
    assert f"{reverse('judgements:resume', args=[case.public_id])}?back=/my-cases/" in queue
    # Continuing scoring from the to-do list keeps the way back.
    response = client.get(
        reverse("judgements:resume", args=[case.public_id]), {"back": "/my-cases/"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?back=/my-cases/")
    step = client.get(response["Location"])
    assert back_link(step) == ("/my-cases/", "Back")
    cases = reverse("casefiles:list", args=[inspection.reference])
    listing = client.get(cases).content.decode()
    assert f"{reverse('casefiles:detail', args=[case.public_id])}?back={cases}" in listing
