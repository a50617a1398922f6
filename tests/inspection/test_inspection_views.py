"""The list of inspections, the inspection page, signing in, sessions and the admin."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casefiles.models import Case
from inspection.middleware import EXPIRY_MOVED_AT
from inspection.models import Organisation
from tests.conftest import PASSWORD, make_case, make_inspection

# Pages are rendered without collecting static files first.
pytestmark = pytest.mark.filterwarnings("ignore:No directory at")


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    # Users are created with a password in every test; the slow production hasher is not needed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain HTTP; in production it would be redirected to HTTPS first.
    settings.SECURE_SSL_REDIRECT = False


def html(response) -> str:
    return response.content.decode()


def table_rows(response, table_id: str) -> list[list[str]]:
    """The body rows of a table, as lists of cell texts."""
    table = re.search(
        rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', html(response), re.S
    )
    body = table.group(1).split("<tbody", 1)[1]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def detail_url(inspection) -> str:
    return reverse("inspection:detail", args=[inspection.reference])


@pytest.fixture
def other_inspection(cp_framework, area, people):
    """A thematic inspection the manager can see, with a different team."""
    from types import SimpleNamespace

    from tests.conftest import make_user

    organisation = Organisation.objects.create(
        slug="reading-yot", name="Reading YOT", kind="yot", area=area
    )
    team = SimpleNamespace(
        lead=people.colleague,
        inspector=make_user("ivy"),
        colleague=make_user("cal"),
        qa=make_user("quinn"),
        partner=make_user("pat"),
    )
    return make_inspection(
        framework=cp_framework,
        organisations=[organisation],
        people=team,
        reference="cp-thematic-2014",
        title="Protecting children thematic",
        kind="thematic",
    )


# The list of inspections --------------------------------------------------------------------


def test_home_lists_the_inspections_of_my_teams(inspection, other_inspection, people, login):
    make_case(inspection, reference="C-001", inspector=people.inspector)
    make_case(inspection, reference="C-002", inspector=people.inspector, status=Case.Status.AGREED)
    response = login(people.inspector).get("/")
    assert response.status_code == 200
    page = html(response)
    assert "Youth offending services in Barking and Dagenham" in page
    assert "Protecting children thematic" not in page
    assert "Inspections you are working on" in page
    assert "You have 1 case to score." in page


def test_home_lists_every_inspection_for_a_manager(inspection, other_inspection, people, login):
    page = html(login(people.manager).get("/"))
    assert "All inspections" in page
    assert "Youth offending services in Barking and Dagenham" in page
    assert "Protecting children thematic" in page


def _many_inspections(inspection, people, organisation, count):
    for n in range(count):
        make_inspection(
            framework=inspection.framework,
            organisations=[organisation],
            people=people,
            reference=f"yos-more-{n:02d}",
            title=f"Further inspection {n:02d}",
            fieldwork_start=date(2010, 1, 1) + timedelta(days=n),
            fieldwork_end=date(2010, 1, 1) + timedelta(days=n + 7),
        )


def test_a_manager_reads_every_inspection_a_page_at_a_time(inspection, people, organisation, login):
    _many_inspections(inspection, people, organisation, 26)  # 27 in all
    make_case(inspection, reference="C-001", inspector=people.inspector)
    make_case(inspection, reference="C-002", inspector=people.inspector)
    manager = login(people.manager)
    first = html(manager.get("/"))
    rows = re.findall(r'href="/inspections/([^/"]+)/"', first)
    assert len(rows) == 25
    assert rows[0] == inspection.reference  # latest fieldwork first
    assert "1 to 25 of 27, latest fieldwork first" in first
    assert re.search(r'<td class="govuk-table__cell govuk-table__cell--numeric">2</td>', first)
    assert 'href="?page=2" rel="next"' in first
    second = html(manager.get("/?page=2"))
    assert re.findall(r'href="/inspections/([^/"]+)/"', second) == ["yos-more-01", "yos-more-00"]
    assert "26 to 27 of 27" in second
    # A page number that is not one shows the nearest page.
    assert "26 to 27 of 27" in html(manager.get("/?page=99"))
    assert "1 to 25 of 27" in html(manager.get("/?page=x%00"))


def test_the_list_of_inspections_reads_as_much_for_many_as_for_few(
    inspection, people, organisation, login
):
    manager = login(people.manager)
    manager.get("/")
    with CaptureQueriesContext(connection) as few:
        manager.get("/")
    _many_inspections(inspection, people, organisation, 40)
    with CaptureQueriesContext(connection) as many:
        manager.get("/")
    # The session, the user (with whether a safeguarding concern waits for them: none does, so
    # the banner reads nothing), the count of inspections, one page of them and their cases
    # counted for that page, and the two panels (interviews to hold, cases to score); the
    # inspections being set up are not read for a manager who does not set them up: 7 for 2
    # or 42.
    assert len(many) == len(few) == 7
    assert len(re.findall(r'href="/inspections/([^/"]+)/"', html(manager.get("/")))) == 25


def test_home_for_someone_on_no_team(inspection, people, login):
    response = login(people.outsider).get("/")
    assert response.status_code == 200
    assert "You are not on the team of any inspection yet." in html(response)
    assert inspection.title not in html(response)


def test_home_needs_a_sign_in_and_a_get(client, people, login):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"
    assert login(people.inspector).post("/").status_code == 405


# The inspection page ------------------------------------------------------------------------------


def test_inspection_page_shows_team_organisations_and_samples(
    inspection, organisation, area, people, login
):
    pdu = Organisation.objects.create(
        slug="bd-pdu", name="Barking and Dagenham PDU", kind="pdu", area=area
    )
    inspection.organisations.add(pdu)
    make_case(inspection, reference="C-001", organisation=organisation, inspector=people.inspector)
    make_case(inspection, reference="C-002", organisation=organisation, status="submitted")
    make_case(inspection, reference="C-003", organisation=organisation, sample_type="out_of_court")
    make_case(inspection, reference="C-004", organisation=pdu, inspector=people.colleague)

    response = login(people.inspector).get(detail_url(inspection))
    assert response.status_code == 200
    page = html(response)
    assert table_rows(response, "samples") == [
        ["Barking and Dagenham PDU", "Court disposal", "1"],
        ["Barking and Dagenham YOS", "Court disposal", "2"],
        ["Barking and Dagenham YOS", "Out-of-court disposal", "1"],
    ]
    assert "4 in the sample, 1 submitted, 2 not assigned" in page
    assert "Youth Offending Service" in page
    assert "Probation Delivery Unit" in page
    assert "Barking and Dagenham (London)" in page
    team = page.split('id="team"', 1)[1].split("</ul>", 1)[0]
    for text in [
        "Lead Tester",
        "Lead inspector",
        "Inspector Tester",
        "Colleague Tester",
        "Qa Tester",
        "Quality assurance",
        "Partner Tester",
        "Partner inspector, Ofsted",
    ]:
        assert text in team, text
    assert "Manager Tester" not in team
    assert "Outsider Tester" not in team


def test_inspection_page_before_any_case(inspection, people, login):
    response = login(people.lead).get(detail_url(inspection))
    assert "No cases have been added to the sample yet." in html(response)
    assert "0 in the sample, 0 submitted, 0 not assigned" in html(response)


@pytest.mark.parametrize("who", ["lead", "inspector", "qa", "partner", "manager", "admin"])
def test_inspection_page_is_read_by_the_team_and_managers(inspection, people, login, who):
    assert login(getattr(people, who)).get(detail_url(inspection)).status_code == 200


def test_inspection_page_is_not_found_by_an_outsider(inspection, people, login):
    client = login(people.outsider)
    assert client.get(detail_url(inspection)).status_code == 404
    # The same answer as for an inspection that does not exist.
    assert client.get("/inspections/no-such-inspection/").status_code == 404


def test_inspection_page_needs_a_sign_in_and_a_get(client, inspection, people, login):
    url = detail_url(inspection)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"
    assert login(people.inspector).post(url).status_code == 405


@pytest.mark.parametrize("cases", [2, 20])
def test_inspection_page_queries_do_not_grow_with_the_sample(
    inspection, people, login, django_assert_num_queries, cases
):
    for number in range(cases):
        make_case(inspection, reference=f"C-{number:03d}", sample_type="court_disposal")
    client = login(people.inspector)
    url = detail_url(inspection)
    # 1 session, 2 user (with whether a safeguarding concern waits for them: none does, so
    # the banner reads nothing), 3 inspection through the user's access, 4 the user's role on
    # its team, 5 cases by status and 6 cases per organisation and sample, 7 the open
    # safeguarding concerns (the panels casefiles adds), 8 organisations with their area, 9 the
    # stage history (its last moves), 10 team. The session is not written: its expiry was
    # moved on when the person signed in, less than a minute ago.
    with django_assert_num_queries(10):
        response = client.get(url)
    assert table_rows(response, "samples") == [
        ["Barking and Dagenham YOS", "Court disposal", str(cases)]
    ]


# Panels that the apps above add to these pages -----------------------------------------------


def test_the_apps_above_add_their_panels_to_the_inspection_pages():
    from inspection import hooks

    names = {slot: list(makers) for slot, makers in hooks._makers.items()}
    assert names == {
        # casefiles registers first (it is listed before judgements in INSTALLED_APPS).
        "home": ["casefiles.interviews", "judgements.cases_to_score"],
        "inspection_summary": ["casefiles.case_counts"],
        "inspection_main": ["casefiles.samples", "casefiles.concerns"],
    }


def test_a_panel_can_be_left_out_and_an_unknown_slot_is_refused(
    inspection, people, login, monkeypatch
):
    from inspection import hooks

    monkeypatch.setitem(hooks._makers, "inspection_main", dict(hooks._makers["inspection_main"]))
    hooks.register_panel("inspection_main", "test.nothing", lambda **kwargs: None)
    response = login(people.lead).get(detail_url(inspection))
    assert response.status_code == 200
    assert "No cases have been added to the sample yet." in html(response)
    with pytest.raises(ValueError, match="No panel slot 'sidebar'"):
        hooks.register_panel("sidebar", "test.nothing", lambda **kwargs: None)


# Signing in ------------------------------------------------------------------------------------


def test_sign_in_with_the_right_password(client, people):
    response = client.post("/login/", {"username": "inspector", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_sign_in_returns_to_the_page_asked_for(client, inspection):
    url = detail_url(inspection)
    response = client.post("/login/", {"username": "inspector", "password": PASSWORD, "next": url})
    assert response["Location"] == url


def test_sign_in_with_a_wrong_password(client, people):
    response = client.post("/login/", {"username": "inspector", "password": "not-it"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in html(response)
    assert "_auth_user_id" not in client.session


def test_failed_sign_ins_are_throttled(client, people):
    for _attempt in range(4):
        response = client.post("/login/", {"username": "inspector", "password": "not-it"})
        assert response.status_code == 200
        assert "Enter a correct username and password" in html(response)
    # The fifth failure locks the account at this address ...
    response = client.post("/login/", {"username": "inspector", "password": "not-it"})
    assert response.status_code == 429
    # ... so the sixth attempt is refused even with the right password.
    response = client.post("/login/", {"username": "inspector", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in html(response)
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_throttling_is_per_person_and_address(client, people):
    for _attempt in range(5):
        client.post("/login/", {"username": "inspector", "password": "not-it"})
    # Someone else at the same address can still sign in ...
    response = client.post("/login/", {"username": "colleague", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/logout/")
    # ... and so can the same person from another address.
    response = client.post(
        "/login/",
        {"username": "inspector", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, people):
    for _attempt in range(4):
        client.post("/login/", {"username": "inspector", "password": "not-it"})
    assert (
        client.post("/login/", {"username": "inspector", "password": PASSWORD}).status_code == 302
    )
    client.post("/logout/")
    for _attempt in range(4):
        client.post("/login/", {"username": "inspector", "password": "not-it"})
    assert (
        client.post("/login/", {"username": "inspector", "password": PASSWORD}).status_code == 302
    )


def test_the_sign_in_page_is_open_to_everyone(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "Sign in" in html(response)


# Sessions ---------------------------------------------------------------------------------------


def test_sessions_end_after_30_idle_minutes():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    # Saved only when changed; the expiry moves on at most once a minute.
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert django_settings.SESSION_REFRESH_SECONDS == 60
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def idle_for(client, seconds: int) -> None:
    """As if the person had made no request for this long: the expiry and its stamp age."""
    session = client.session
    session[EXPIRY_MOVED_AT] -= seconds
    session.save()
    Session.objects.update(expire_date=F("expire_date") - timedelta(seconds=seconds))


def session_writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if "django_session" in query["sql"] and not query["sql"].lstrip().startswith("SELECT")
    ]


def test_a_request_soon_after_another_writes_no_session(client, people):
    client.post("/login/", {"username": "inspector", "password": PASSWORD})
    assert client.get("/").status_code == 200
    idle_for(client, 50)  # within the minute
    expiry = Session.objects.get().expire_date

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    assert session_writes(captured.captured_queries) == []
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.get().expire_date == expiry


def test_a_request_after_a_minute_moves_the_session_expiry_on(client, people):
    client.post("/login/", {"username": "inspector", "password": PASSWORD})
    assert client.session.get_expiry_age() == 30 * 60
    idle_for(client, 10 * 60)
    idle_expiry = Session.objects.get().expire_date

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    assert len(session_writes(captured.captured_queries)) == 1  # the one UPDATE
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie.value == client.cookies[django_settings.SESSION_COOKIE_NAME].value
    # The cookie ends with the browser; the server ends the session after 30 idle minutes.
    assert cookie["max-age"] == ""
    assert cookie["httponly"] is True
    refreshed = Session.objects.get().expire_date
    assert refreshed - idle_expiry >= timedelta(minutes=9)
    # ...and the next minute's requests leave it there.
    client.get("/")
    assert Session.objects.get().expire_date == refreshed


def test_a_busy_person_stays_signed_in_past_the_idle_time(client, inspection, people):
    client.post("/login/", {"username": "inspector", "password": PASSWORD})
    # A request every 20 minutes for an hour: never 30 minutes idle.
    for _ in range(3):
        idle_for(client, 20 * 60)
        assert client.get(detail_url(inspection)).status_code == 200


def test_an_idle_session_has_to_sign_in_again(client, inspection, people):
    client.post("/login/", {"username": "inspector", "password": PASSWORD})
    assert client.get(detail_url(inspection)).status_code == 200
    idle_for(client, 31 * 60)
    response = client.get(detail_url(inspection))
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={detail_url(inspection)}"


# The admin --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["inspector", "lead", "manager"])
def test_the_admin_is_only_for_staff(people, login, who):
    response = login(getattr(people, who)).get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_the_admin_asks_anonymous_people_to_sign_in(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].endswith("?next=/admin/")


def test_staff_use_the_admin(people, login):
    response = login(people.admin).get("/admin/")
    assert response.status_code == 200
    assert "Site administration" in html(response)


@pytest.mark.parametrize(
    ("number", "shown", "ellipses"),
    [
        (1, ["1", "2", "3", "30"], 1),
        (5, ["1", "3", "4", "5", "6", "7", "30"], 2),
        (30, ["1", "28", "29", "30"], 1),
    ],
)
def test_the_pages_left_out_of_the_pagination_show_as_an_ellipsis(number, shown, ellipses):
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    page = Paginator(range(300), 10).get_page(number)
    drawn = render_to_string("includes/pagination.html", {"page": page})
    assert re.findall(r'aria-label="Page (\d+)"', drawn) == shown
    assert drawn.count("govuk-pagination__item--ellipses") == ellipses
