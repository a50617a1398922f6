"""Active filters show as tags, each removing just its own filter (MoJ filter pattern), on the
inspection's case list and on the dashboards; plain links, so they work without JavaScript."""

import re
from html import unescape

import pytest
from django.http import QueryDict
from django.urls import reverse

from inspection.navigation import selected_filters
from reports.dashboards.forms import DashboardFilterForm
from tests.conftest import make_case


@pytest.fixture(autouse=True)
def _plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


def tags(response) -> dict[str, str]:
    """Each tag's words and where it leads."""
    page = unescape(response.content.decode())
    found = re.findall(r'<a class="moj-filter__tag" href="([^"]*)">(.*?)</a>', page, re.S)
    return {" ".join(re.sub(r"<[^>]+>", " ", words).split()): href for href, words in found}


def test_the_case_list_shows_each_filter_as_a_tag_that_drops_only_itself(login, inspection, people):
    make_case(inspection, reference="C-001", inspector=people.inspector)
    client = login(people.lead)
    url = reverse("casefiles:list", args=[inspection.reference])
    response = client.get(url, {"status": "not_started", "inspector": "inspector", "page": "1"})
    assert response.status_code == 200
    found = tags(response)
    assert found == {
        "Remove this filter: Status: Not started": f"{url}?inspector=inspector",
        "Remove this filter: Inspector: Inspector Tester": f"{url}?status=not_started",
    }
    # Following a tag leaves the other filter applied.
    after = client.get(found["Remove this filter: Status: Not started"])
    assert list(tags(after)) == ["Remove this filter: Inspector: Inspector Tester"]
    assert "Selected filters" in after.content.decode()


def test_no_tags_without_filters_or_with_a_bad_value(login, inspection, people):
    client = login(people.lead)
    url = reverse("casefiles:list", args=[inspection.reference])
    assert tags(client.get(url)) == {}
    assert "Selected filters" not in client.get(url).content.decode()
    # A value the form refuses applies no filter, so no tag claims one.
    assert tags(client.get(url, {"status": "nonsense"})) == {}


def test_a_dashboard_date_filter_is_one_tag_dropping_its_day_month_and_year(db, yos_framework):
    query = QueryDict(
        "kind=yos&fieldwork_from_0=1&fieldwork_from_1=4&fieldwork_from_2=2018&table=ratings"
    )
    form = DashboardFilterForm(query, all_frameworks=True)
    selected, clear = selected_filters(form, "/dashboards/referrals/", query)
    by_label = {s.label: s for s in selected}
    assert set(by_label) == {"Organisation type", "Fieldwork from"}
    assert by_label["Fieldwork from"].value == "1 April 2018"
    assert by_label["Fieldwork from"].remove_url == "/dashboards/referrals/?kind=yos&table=ratings"
    assert by_label["Organisation type"].remove_url == (
        "/dashboards/referrals/?fieldwork_from_0=1&fieldwork_from_1=4&fieldwork_from_2=2018"
        "&table=ratings"
    )
    # Clearing keeps what is not a filter (the table asked for).
    assert clear == "/dashboards/referrals/?table=ratings"


def test_the_referral_tracker_shows_its_filters_as_tags(login, people, inspection):
    client = login(people.manager)
    url = reverse("reports:dashboard_referrals")
    response = client.get(url, {"kind": "yos"})
    assert response.status_code == 200
    assert tags(response) == {"Remove this filter: Organisation type: Youth Offending Service": url}
