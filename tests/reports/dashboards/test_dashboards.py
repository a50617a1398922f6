"""Dashboards for managers: the national view, an area over time, drill-down, referrals, CSV.

Figures are checked against hand-counted answers and against the rating engine's own roll-up
of each inspection (reports.ratings.selectors.inspection_rating), so a dashboard never disagrees
with the inspection's ratings page. Query counts are pinned on a small and a larger dataset.
"""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.core.management import call_command
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casefiles.models import Case, Referral
from inspection.models import Area, Organisation, Question
from inspection.rating_rules import Tally
from judgements.models import Answer, OrganisationRating
from judgements.tallies import tallies_rebuild
from reports.dashboards.figures import Figure, compare
from reports.ratings.selectors import inspection_rating
from tests.conftest import make_case, make_inspection

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")

NATIONAL = "/dashboards/"


# Helpers ------------------------------------------------------------------------------------------


def page(response) -> str:
    """The page's text, as read: tags out, spaces collapsed."""
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))
    return re.sub(r" ([,.;:)])", r"\1", text)


def error_summary(response) -> list[str]:
    match = re.search(
        r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>',
        response.content.decode(),
        re.S,
    )
    if not match:
        return []
    return [
        unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)
    ]


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    # UTF-8 with a byte order mark, so that a spreadsheet keeps the accents.
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def key_questions(framework, sample_type: str = "court_disposal") -> list[Question]:
    return [
        q
        for q in Question.objects.filter(framework=framework, parent__isnull=True).order_by(
            "position"
        )
        if sample_type in q.applies_to
    ]


def score(case: Case, values: dict[str, str], *, by, status: str = "agreed") -> None:
    """Answer the case's key questions (codes -> yes / no / na) and mark it scored."""
    framework = case.inspection.framework
    questions = {q.code: q for q in Question.objects.filter(framework=framework)}
    now = timezone.now()
    Answer.objects.bulk_create(
        Answer(case=case, question=questions[code], value=value, answered_by=by, updated_at=now)
        for code, value in values.items()
    )
    Case.objects.filter(pk=case.pk).update(status=status)
    # Written around the services, as a bulk load is: count the tallies again.
    tallies_rebuild(inspection_ids=[case.inspection_id])


def score_all(case: Case, value, *, by, status: str = "agreed") -> None:
    """Answer every applicable key question with value(code) (or a fixed value)."""
    codes = [q.code for q in key_questions(case.inspection.framework, case.sample_type)]
    score(
        case,
        {code: value(code) if callable(value) else value for code in codes},
        by=by,
        status=status,
    )


def new_organisation(slug: str, *, region: str = "London", kind: str = "yos") -> Organisation:
    area = Area.objects.create(
        slug=f"{slug}-area", name=f"{slug.title()} area", police_force_area="Police", region=region
    )
    return Organisation.objects.create(slug=slug, name=f"{slug.title()} YOS", kind=kind, area=area)


def grid(response) -> dict[str, list[str]]:
    """Organisation name -> the ratings in its row, read from the page's grid."""
    body = response.content.decode()
    table = re.search(r'<table class="govuk-table app-dashboard-grid".*?</table>', body, re.S)
    assert table, "no ratings grid on the page"
    rows = {}
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table.group(0), re.S)[1:]:
        name = unescape(re.search(r'<a class="govuk-link" href="[^"]*">(.*?)</a>', row).group(1))
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows[name] = [
            unescape(m.group(1))
            if (m := re.search(r'app-rating--[\w-]+">(.*?)</span>', c))
            else "Not rated"
            for c in cells
        ]
    return rows


# A national picture: two organisations, one of them inspected twice -------------------------------


@pytest.fixture
def national(people, yos_framework, organisation):
    """Barking (London) inspected in 2016 and 2018; Reading (South Central) in 2017."""
    old = make_inspection(
        framework=yos_framework,
        organisations=[organisation],
        people=people,
        reference="yos-bd-2016",
        fieldwork_start=date(2016, 3, 1),
        fieldwork_end=date(2016, 3, 10),
    )
    new = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )  # April 2018
    reading = new_organisation("reading", region="South Central", kind="yot")
    other = make_inspection(
        framework=yos_framework,
        organisations=[reading],
        people=people,
        reference="yot-reading-2017",
        fieldwork_start=date(2017, 6, 1),
        fieldwork_end=date(2017, 6, 9),
    )
    # 2016: everything Yes.
    for n in range(3):
        score_all(make_case(old, reference=f"C-{n}"), "yes", by=people.inspector)
    # 2018: 12 court cases; 2.1.1 is Yes in 9 of 12 (75%, Good), 2.2.2 Yes in 5 of 12
    # (42%, Inadequate), the rest Yes. One out-of-court case. One case not submitted.
    for n in range(12):
        values = {
            "2.1.1": "yes" if n < 9 else "no",
            "2.2.2": "yes" if n < 5 else "no",
        }
        score_all(
            make_case(new, reference=f"C-{n:02d}"),
            lambda c, v=values: v.get(c, "yes"),
            by=people.inspector,
        )
    score_all(
        make_case(new, reference="C-OOC", sample_type="out_of_court"), "no", by=people.inspector
    )
    score_all(make_case(new, reference="C-DRAFT"), "no", by=people.inspector, status="in_progress")
    # Reading: 4 court cases, 3.x not sampled; 2.1.2 Yes in 1 of 4.
    for n in range(4):
        score_all(
            make_case(other, reference=f"R-{n}", organisation=reading),
            lambda c, n=n: "no" if c == "2.1.2" and n > 0 else "yes",
            by=people.inspector,
        )
    OrganisationRating.objects.create(
        inspection=new,
        organisation=organisation,
        standard=yos_framework.standards.get(code="1.1"),
        rating="Good",
        narrative="Strong leadership.",
        rated_by=people.lead,
        updated_at=timezone.now(),
    )
    return {"old": old, "new": new, "other": other, "reading": reading, "bd": organisation}


# Access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        NATIONAL,
        "/dashboards/questions/2.1.1/",
        "/dashboards/referrals/",
        "/dashboards/organisations/bd-yos/",
        "/dashboards/areas/barking-and-dagenham/",
        "/dashboards/inspections/yos-bd-2018/bd-yos/cases/?standard=2.1",
    ],
)
def test_every_dashboard_needs_a_sign_in_and_only_reads(client, login, people, national, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    manager = login(people.manager)
    assert manager.get(url).status_code == 200
    assert manager.head(url).status_code == 200
    for method in (manager.post, manager.put, manager.delete):
        assert method(url).status_code == 405


@pytest.mark.parametrize(
    "url", [NATIONAL, "/dashboards/questions/2.1.1/", "/dashboards/referrals/"]
)
def test_national_views_are_for_managers_and_administrators(client, login, people, national, url):
    assert login(people.admin).get(url).status_code == 200
    for person in (people.lead, people.inspector, people.outsider):
        response = login(person).get(url)
        assert response.status_code == 403


def test_someone_on_a_team_sees_only_their_inspections_without_national_figures(
    login, people, national
):
    response = login(people.inspector).get("/dashboards/organisations/reading/")
    assert response.status_code == 200  # on every team in this fixture
    text = page(response)
    assert "National figures are shown to managers" in text
    assert "Compared with national" not in text

    # An outsider is on no team: the area and its cases are "not found".
    outsider = login(people.outsider)
    assert outsider.get("/dashboards/organisations/bd-yos/").status_code == 404
    assert (
        outsider.get("/dashboards/inspections/yos-bd-2018/bd-yos/cases/?standard=2.1").status_code
        == 404
    )


def test_a_team_member_does_not_see_other_teams_inspections(login, people, national):
    from inspection.models import Membership

    Membership.objects.filter(inspection=national["old"], user=people.colleague).delete()
    response = login(people.colleague).get("/dashboards/organisations/bd-yos/")
    assert response.status_code == 200
    assert "yos-bd-2016" not in response.content.decode()
    assert "/inspections/yos-bd-2018/" in response.content.decode()


def test_managers_see_a_dashboards_link_and_others_do_not(login, people, national):
    assert 'href="/dashboards/"' in login(people.manager).get("/").content.decode()
    assert 'href="/dashboards/"' not in login(people.inspector).get("/").content.decode()


# The national view --------------------------------------------------------------------------------


def test_each_organisation_appears_once_at_its_latest_inspection(login, people, national):
    response = login(people.manager).get(NATIONAL)
    assert response.status_code == 200
    rows = grid(response)
    assert list(rows) == ["Barking and Dagenham YOS", "Reading YOS"]
    body = response.content.decode()
    assert "/inspections/yos-bd-2018/" in body
    assert "/inspections/yos-bd-2016/" not in body  # superseded by the 2018 inspection
    assert "/inspections/yot-reading-2017/" in body
    # 1.1 rated Good by the lead; 2.1 lowest 75%, so Good; 2.2 lowest 42%, so Inadequate;
    # 3.x from one out-of-court case answered No, so Inadequate; overall 2+0+0+... rated.
    bd = rows["Barking and Dagenham YOS"]
    assert bd[:6] == ["Good", "Not rated", "Not rated", "Not rated", "Good", "Inadequate"]
    assert bd[8:12] == ["Inadequate"] * 4
    assert rows["Reading YOS"][4] == "Inadequate"  # 2.1.2: 1 of 4
    assert rows["Reading YOS"][8:12] == ["Not rated"] * 4  # no out-of-court cases
    assert "2 organisations, each at its latest inspection" in page(response)


def test_dashboard_ratings_agree_with_the_rating_engine(login, people, yos_framework):
    """Random answers across three organisations: every cell equals the engine's rating."""
    rng = random.Random(5)
    inspections = []
    for index in range(3):
        organisation = new_organisation(f"org{index}")
        inspection = make_inspection(
            framework=yos_framework,
            organisations=[organisation],
            people=people,
            reference=f"insp-{index}",
        )
        inspections.append((inspection, organisation))
        for n in range(rng.randint(3, 14)):
            case = make_case(
                inspection,
                reference=f"C-{n}",
                sample_type=rng.choice(["court_disposal", "out_of_court"]),
            )
            score_all(case, lambda _c: rng.choice(["yes", "yes", "no", "na"]), by=people.lead)
    rows = grid(login(people.manager).get(NATIONAL))
    codes = list(yos_framework.standards.order_by("position").values_list("code", flat=True))
    for inspection, organisation in inspections:
        result = inspection_rating(inspection, organisation=organisation).result
        expected = [result.standard(code).rating or "Not rated" for code in codes]
        expected.append(result.rating or "Not rated")
        assert rows[organisation.name] == expected


def test_distribution_counts_ratings_per_standard(login, people, national):
    response = login(people.manager).get(NATIONAL + "?format=csv&table=distribution")
    rows = csv_rows(response)
    assert rows[0] == [
        "standard",
        "title",
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
        "Not rated",
    ]
    by_code = {row[0]: row[2:] for row in rows[1:]}
    assert by_code["1.1"] == ["0", "1", "0", "0", "1"]
    assert by_code["2.1"] == ["0", "1", "0", "1", "0"]
    assert by_code["3.1"] == ["0", "0", "0", "1", "1"]
    html = login(people.manager).get(NATIONAL).content.decode()
    assert 'id="distribution-chart-title"' in html and 'role="img"' in html


def test_weakest_key_questions_show_n_of_n_intervals_and_small_samples(login, people, national):
    response = login(people.manager).get(NATIONAL)
    weakest = re.search(
        r'<table class="govuk-table" id="weakest-table">.*?</table>',
        response.content.decode(),
        re.S,
    ).group(0)
    text = page(type("R", (), {"content": weakest.encode()})())
    # Ten shown, weakest first: the out-of-court questions, 0 of 1 (a small sample), at 0%.
    assert weakest.count("<tr") == 11
    assert text.index("3.1.1") < text.index("3.1.2") < text.index("3.4.1")
    assert "0 of 1 (0%) Small sample" in text
    low, high = Figure(Tally(0, 1)).interval
    assert (low, high) == (0, 79)
    assert "0% to 79%" in text
    assert "2.1.1" not in text  # 21 of 28 (75%) is not among the weakest ten


def test_national_key_questions_csv_has_every_figure(login, people, national):
    rows = csv_rows(login(people.manager).get(NATIONAL + "?format=csv&table=questions"))
    assert rows[0] == [
        "key question",
        "text",
        "yes",
        "applicable",
        "percent",
        "95% interval low",
        "95% interval high",
        "small sample",
    ]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["2.2.2"][2:] == ["9", "16", "56", *map(str, Figure(Tally(9, 7)).interval), "No"]
    assert by_code["3.1.1"][2:] == ["0", "1", "0", "0", "79", "Yes"]


def test_ratings_csv_lists_the_grid(login, people, national):
    rows = csv_rows(login(people.manager).get(NATIONAL + "?format=csv&table=ratings"))
    assert rows[0][:7] == [
        "organisation",
        "type",
        "area",
        "region",
        "inspection",
        "fieldwork start",
        "cases scored",
    ]
    assert rows[1][:7] == [
        "Barking and Dagenham YOS",
        "Youth Offending Service",
        "Barking and Dagenham",
        "London",
        "yos-bd-2018",
        "2018-04-16",
        "13",
    ]
    assert login(people.manager).get(NATIONAL + "?format=csv&table=nope").status_code == 404


def test_csv_cells_cannot_run_as_spreadsheet_formulas(login, people, national):
    Organisation.objects.filter(pk=national["reading"].pk).update(name="=HYPERLINK(1)")
    rows = csv_rows(login(people.manager).get(NATIONAL + "?format=csv&table=ratings"))
    assert ["'=HYPERLINK(1)"] == [row[0] for row in rows if "HYPERLINK" in row[0]]


# Filters ------------------------------------------------------------------------------------------


def test_filters_by_region_kind_and_period(login, people, national):
    manager = login(people.manager)
    assert list(grid(manager.get(NATIONAL + "?region=South+Central"))) == ["Reading YOS"]
    assert list(grid(manager.get(NATIONAL + "?kind=yos"))) == ["Barking and Dagenham YOS"]
    # Fieldwork up to the end of 2017: Barking and Dagenham's latest is then its 2016 visit.
    response = manager.get(NATIONAL + "?fieldwork_to_0=31&fieldwork_to_1=12&fieldwork_to_2=2017")
    body = response.content.decode()
    assert "/inspections/yos-bd-2016/" in body and "/inspections/yos-bd-2018/" not in body
    assert grid(response)["Barking and Dagenham YOS"][4] == "Outstanding"
    # From 2018 on: only Barking and Dagenham.
    response = manager.get(
        NATIONAL + "?fieldwork_from_0=1&fieldwork_from_1=1&fieldwork_from_2=2018"
    )
    assert list(grid(response)) == ["Barking and Dagenham YOS"]
    assert "with fieldwork from 1 January 2018" in page(response)


def test_framework_filter_shows_only_that_frameworks_inspections(
    login, people, national, cp_framework
):
    thematic = make_inspection(
        framework=cp_framework,
        organisations=[national["reading"]],
        people=people,
        reference="cp-2014",
        fieldwork_start=date(2014, 1, 6),
        fieldwork_end=date(2014, 1, 17),
    )
    response = login(people.manager).get(NATIONAL + "?framework=child-protection-audit-2014")
    assert list(grid(response)) == ["Reading YOS"]
    assert f"/inspections/{thematic.reference}/" in response.content.decode()
    assert "Child protection case audit (2014)" in page(response)
    # With no framework chosen, the framework of the latest fieldwork is shown, and selected.
    body = login(people.manager).get(NATIONAL).content.decode()
    assert re.search(r'<option value="youth-offending-services-2018"\s+selected', body)


@pytest.mark.parametrize(
    "query, message",
    [
        (
            "fieldwork_from_0=32&fieldwork_from_1=1&fieldwork_from_2=2019",
            "Fieldwork from must be a real date",
        ),
        (
            "fieldwork_to_0=1&fieldwork_to_1=&fieldwork_to_2=2019",
            "Fieldwork to must include a month",
        ),
        (
            "fieldwork_from_0=1&fieldwork_from_1=1&fieldwork_from_2=2020"
            "&fieldwork_to_0=1&fieldwork_to_1=1&fieldwork_to_2=2019",
            "Fieldwork to must be the same as or after fieldwork from",
        ),
        ("region=Atlantis", "Select a valid option for region"),
        ("kind=castle", "Select a valid option for organisation type"),
        ("framework=nonsense", "Select a valid option for framework"),
    ],
)
def test_bad_filter_values_are_refused_naming_the_field(login, people, national, query, message):
    for url in (NATIONAL, "/dashboards/referrals/", "/dashboards/questions/2.1.1/"):
        response = login(people.manager).get(f"{url}?{query}")
        assert response.status_code == 200
        assert message in error_summary(response)
        assert page(response).count("Correct the filters to see the figures") == 1
        assert "<title>Error:" in response.content.decode()


# Query counts -------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


NATIONAL_QUERIES = (
    # the session and the user (with whether a safeguarding concern waits for them: none
    # does, so the banner reads nothing); the filter form's frameworks and regions; the
    # default framework (that of the latest fieldwork); the framework's standards with their
    # key questions (one query); each organisation's latest inspection; the key question
    # tallies of those inspections (one row per cell); the lead inspectors' ratings; the
    # counted cases per inspection and organisation (a summary row each); the reconciled
    # double readings (the agreement table); the counted judgements and those in cases
    # agreed in quality assurance (two sums of summary rows); the open and overdue
    # safeguarding concerns (counts). The session is not written (its expiry was moved on at
    # sign-in, less than a minute before). With the cache off; with it on, 3 more for the
    # cache's keys: the dashboards' generation (the whole page's key), which inspection is
    # each organisation's latest with the figures' version of each (one query), and the
    # versions of every inspection the filters select (for the agreement table).
    14
)
NATIONAL_QUERIES_CACHE_ON = NATIONAL_QUERIES + 3


@pytest.mark.parametrize("size", [(2, 1, 2), (5, 3, 6)])
def test_national_query_count_does_not_grow_with_the_data(
    login, people, django_assert_num_queries, size
):
    organisations, inspections, cases = size
    call_command(
        "seed_benchmark",
        organisations=organisations,
        inspections=inspections,
        cases=cases,
        stdout=io.StringIO(),
    )
    manager = login(people.manager)
    with django_assert_num_queries(NATIONAL_QUERIES_CACHE_ON):
        response = manager.get(NATIONAL)
    assert len(grid(response)) == organisations


def test_every_dashboard_makes_as_many_queries_for_more_data(login, people):
    urls = [
        NATIONAL,
        "/dashboards/questions/2.1.1/",
        "/dashboards/referrals/",
        "/dashboards/organisations/bench-org-0001/",
        "/dashboards/areas/bench-area-0001/",
        "/dashboards/inspections/bench-org-0001-1/bench-org-0001/cases/?standard=2.2",
    ]
    call_command("seed_benchmark", organisations=2, inspections=1, cases=3, stdout=io.StringIO())
    manager = login(people.manager)
    small = [_queries(manager, url) for url in urls]
    call_command(
        "seed_benchmark",
        organisations=6,
        inspections=3,
        cases=8,
        replace=True,
        stdout=io.StringIO(),
    )
    manager = login(people.manager)
    assert [_queries(manager, url) for url in urls] == small


# One organisation or area over time ---------------------------------------------------------------


def test_area_view_shows_the_ratings_trend_oldest_first(login, people, national):
    response = login(people.manager).get("/dashboards/organisations/bd-yos/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("/inspections/yos-bd-2016/") < body.index("/inspections/yos-bd-2018/")
    text = page(response)
    assert "2 inspections on Youth offending services (2018), from March 2016 to April 2018" in text
    trend = csv_rows(
        login(people.manager).get("/dashboards/organisations/bd-yos/?format=csv&table=ratings")
    )
    assert [row[1] for row in trend[1:]] == ["yos-bd-2016", "yos-bd-2018"]
    assert trend[1][4:12] == ["Not rated"] * 4 + ["Outstanding"] * 4
    assert trend[2][4:10] == ["Good", "Not rated", "Not rated", "Not rated", "Good", "Inadequate"]
    assert 'id="trend-chart-title"' in body


def test_area_view_compares_each_result_with_the_national_figure(login, people, national):
    rows = csv_rows(
        login(people.manager).get("/dashboards/organisations/bd-yos/?format=csv&table=questions")
    )
    header = rows[0]
    by_key = {(r[1], r[3]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    result = by_key[("yos-bd-2018", "2.2.2")]
    assert (result["yes"], result["applicable"]) == ("5", "12")
    # The national figure is the national dashboard's: 5 of 12 here and 4 of 4 at Reading.
    assert (result["national yes"], result["national applicable"]) == ("9", "16")
    assert result["compared"] == "Similar to national"
    # The 2016 inspection is set against the same national figure; its 3 of 3 is above
    # 9 of 16 only if 56% lies below its interval (it does not: 3 cases prove little).
    old = by_key[("yos-bd-2016", "2.2.2")]
    assert (old["yes"], old["applicable"], old["national applicable"]) == ("3", "3", "16")
    assert old["compared"] == "Similar to national"


def test_comparison_needs_the_national_figure_outside_the_interval():
    assert compare(Figure(Tally(5, 15)), Figure(Tally(90, 10))).verdict == "Below national"
    assert compare(Figure(Tally(19, 1)), Figure(Tally(50, 50))).verdict == "Above national"
    similar = compare(Figure(Tally(6, 4)), Figure(Tally(50, 50)))
    assert similar.verdict == "Similar to national" and similar.difference_display == "+10 points"
    assert compare(Figure(Tally()), Figure(Tally(1, 1))) is None


def test_area_view_shows_a_result_below_the_national_figure(login, people, national):
    # Another organisation answers everything Yes in 40 cases: Barking and Dagenham's 5 of 12
    # on 2.2.2 is now below the national figure, whose value lies above its interval.
    other = new_organisation("bromley")
    inspection = make_inspection(
        framework=national["new"].framework,
        organisations=[other],
        people=people,
        reference="yos-bromley-2018",
        fieldwork_start=date(2018, 9, 3),
        fieldwork_end=date(2018, 9, 14),
    )
    for n in range(40):
        score_all(make_case(inspection, reference=f"B-{n}"), "yes", by=people.inspector)
    response = login(people.manager).get("/dashboards/organisations/bd-yos/")
    table = re.search(
        r'id="questions-yos-bd-2018-bd-yos">.*?</table>', response.content.decode(), re.S
    ).group(0)
    row = unescape(re.search(r"2\.2\.2 .*?</tr>", table, re.S).group(0))
    assert "5 of 12 (42%)" in row
    assert "49 of 56 (88%)" in row  # 5 of 12, 4 of 4 and 40 of 40
    assert "Below national" in row and "-46 points" in row
    assert "national dashboard" in page(response)


def test_an_area_view_covers_every_organisation_in_the_area(login, people, national):
    second = Organisation.objects.create(
        slug="bd-probation", name="BD Probation", kind="pdu", area=national["bd"].area
    )
    inspection = make_inspection(
        framework=national["new"].framework,
        organisations=[second],
        people=people,
        reference="pdu-bd-2019",
        fieldwork_start=date(2019, 2, 4),
        fieldwork_end=date(2019, 2, 15),
    )
    score_all(make_case(inspection, reference="P-1"), "yes", by=people.inspector)
    response = login(people.manager).get("/dashboards/areas/barking-and-dagenham/")
    text = page(response)
    assert "Organisations in this area: BD Probation, Barking and Dagenham YOS." in text
    body = response.content.decode()
    for reference in ("yos-bd-2016", "yos-bd-2018", "pdu-bd-2019"):
        assert f"/inspections/{reference}/" in body


def test_area_view_switches_framework_and_refuses_an_unknown_one(
    login, people, national, cp_framework
):
    make_inspection(
        framework=cp_framework,
        organisations=[national["bd"]],
        people=people,
        reference="cp-bd-2014",
        fieldwork_start=date(2014, 1, 6),
        fieldwork_end=date(2014, 1, 17),
    )
    manager = login(people.manager)
    response = manager.get(
        "/dashboards/organisations/bd-yos/?framework=child-protection-audit-2014"
    )
    assert "1 inspection on Child protection case audit (2014)" in page(response)
    response = manager.get("/dashboards/organisations/bd-yos/?framework=made-up-1")
    assert response.status_code == 200
    assert error_summary(response)[0].startswith("Framework: select one of the frameworks")


def test_an_organisation_never_inspected_says_so(login, people, national):
    new_organisation("quiet")
    response = login(people.manager).get("/dashboards/organisations/quiet/")
    assert response.status_code == 200
    assert "There are no inspections of Quiet YOS yet" in page(response)
    assert login(people.manager).get("/dashboards/organisations/nowhere/").status_code == 404


# Drill-down ---------------------------------------------------------------------------------------


def test_a_rating_cell_links_to_the_cases_behind_it(login, people, national):
    manager = login(people.manager)
    body = manager.get(NATIONAL).content.decode()
    url = "/dashboards/inspections/yos-bd-2018/bd-yos/cases/?standard=2.2"
    assert f'href="{url}"' in body
    response = manager.get(url)
    assert response.status_code == 200
    text = page(response)
    assert "Cases behind 2.2 Planning" in text
    assert "Why: lowest key question 2.2.2: 5 of 12 (42%)" in text
    assert "12 scored cases, those with a No first" in text
    assert "1 case in the sample is not counted yet" in text
    html = response.content.decode()
    assert 'href="/inspections/yos-bd-2018/"' in html
    assert 'href="/inspections/yos-bd-2018/ratings/standards/2.2/?organisation=bd-yos"' in html
    for case in Case.objects.filter(inspection=national["new"], sample_type="court_disposal"):
        if case.status == "agreed":
            assert f'href="/cases/{case.public_id}/?back=' in html
    draft = Case.objects.get(reference="C-DRAFT")
    assert f"/cases/{draft.public_id}/" not in html
    # Cases with a No come first: C-05 is the first No for 2.2.2.
    order = re.findall(r">(C-\d\d)</a>", html)
    assert order[:7] == ["C-05", "C-06", "C-07", "C-08", "C-09", "C-10", "C-11"]
    figures = csv_rows(manager.get(url + "&format=csv&table=figures"))
    assert figures[2][:5] == ["2.2.2", figures[2][1], "5", "12", "42"]
    rows = csv_rows(manager.get(url + "&format=csv&table=cases"))
    assert rows[0] == ["case", "sample", "status", "2.2.1", "2.2.2", "2.2.3"]
    assert rows[1] == ["C-05", "Court disposal", "Agreed", "Yes", "No", "Yes"]


def test_drill_down_by_key_question_and_for_an_organisation_standard(login, people, national):
    manager = login(people.manager)
    response = manager.get("/dashboards/inspections/yos-bd-2018/bd-yos/cases/?question=2.1.1")
    assert "Cases behind key question 2.1.1" in page(response)
    assert "9 of 12 (75%)" in page(response)
    response = manager.get("/dashboards/inspections/yos-bd-2018/bd-yos/cases/?standard=1.1")
    assert "rated by the lead inspector from interviews" in page(response)
    for bad in ("?standard=9.9", "?question=9.9.9", ""):
        url = "/dashboards/inspections/yos-bd-2018/bd-yos/cases/" + bad
        assert manager.get(url).status_code == 404
    assert (
        manager.get("/dashboards/inspections/yos-bd-2018/reading/cases/?standard=2.1").status_code
        == 404
    )


def test_a_key_question_across_organisations_lowest_first(login, people, national):
    manager = login(people.manager)
    response = manager.get("/dashboards/questions/2.1.2/")
    assert response.status_code == 200
    text = page(response)
    assert text.index("Reading YOS") < text.index("Barking and Dagenham YOS")
    reading = text[text.index("Reading YOS") : text.index("Barking and Dagenham YOS")]
    assert "1 of 4 (25%)" in reading and "Small sample" in reading
    assert "13 of 16 (81%)" in text  # 12 of 12 plus 1 of 4
    assert "/dashboards/inspections/yot-reading-2017/reading/cases/?question=2.1.2" in (
        response.content.decode()
    )
    rows = csv_rows(manager.get("/dashboards/questions/2.1.2/?format=csv&table=organisations"))
    assert rows[1][:4] == ["Reading YOS", "Reading area", "South Central", "yot-reading-2017"]
    assert manager.get("/dashboards/questions/1.1.1/").status_code == 404  # not from cases
    assert manager.get("/dashboards/questions/nope/").status_code == 404


# Referral tracker ---------------------------------------------------------------------------------


@pytest.fixture
def referrals(national, people):
    new = national["new"]  # fieldwork starts 16 April 2018
    scored = Case.objects.filter(inspection=new, status="agreed").order_by("reference")
    a, b, c, d = scored[:4]

    def refer(case, **extra):
        return Referral.objects.create(case=case, method="phone", **extra)

    waiting = refer(a, referral_date=date(2018, 1, 16))  # no response: 90 days to fieldwork
    late = refer(
        b,
        referral_date=date(2018, 2, 1),
        response_date=date(2018, 2, 21),
        response_timely=False,
        response_satisfactory=True,
    )  # late, not followed up: 20 days
    refer(
        c,
        referral_date=date(2018, 2, 1),
        response_date=date(2018, 2, 3),
        response_timely=True,
        response_satisfactory=False,
        followed_up=True,
    )  # unsatisfactory but followed up: fine
    refer(
        d,
        referral_date=date(2018, 2, 1),
        response_date=date(2018, 2, 2),
        response_timely=True,
        response_satisfactory=True,
    )  # fine
    refer(Case.objects.get(reference="C-DRAFT"), referral_date=date(2018, 1, 1))  # not scored
    # Written around the services, as a bulk load is: count the tallies again.
    tallies_rebuild(inspection_ids=[new.pk])
    return waiting, late


def test_referral_tracker_counts_and_waits(login, people, referrals):
    waiting, late = referrals
    response = login(people.manager).get("/dashboards/referrals/")
    assert response.status_code == 200
    text = page(response)
    assert "4 referrals in scored cases" in text
    assert "1 with no response recorded" in text
    assert "1 not followed up after a late or unsatisfactory response" in text
    rows = csv_rows(
        login(people.manager).get("/dashboards/referrals/?format=csv&table=organisations")
    )
    assert rows[1] == [
        "Barking and Dagenham YOS",
        "Barking and Dagenham",
        "London",
        "4",
        "1",
        "1",
        "55.0",
        "90",
    ]
    areas = csv_rows(login(people.manager).get("/dashboards/referrals/?format=csv&table=areas"))
    assert areas[1] == ["Barking and Dagenham", "London", "4", "1", "1", "55.0", "90"]


def test_referral_tracker_lists_each_referral_waiting_with_its_case(login, people, referrals):
    waiting, late = referrals
    manager = login(people.manager)
    response = manager.get("/dashboards/referrals/?organisation=bd-yos")
    html = response.content.decode()
    assert "Referrals waiting: Barking and Dagenham YOS" in page(response)
    assert html.index(f"/cases/{waiting.case.public_id}/") < html.index(
        f"/cases/{late.case.public_id}/"
    )
    assert "No response recorded" in page(response)
    assert "Response late, not followed up" in page(response)
    rows = csv_rows(manager.get("/dashboards/referrals/?format=csv&table=waiting"))
    assert [(r[0], r[10], r[11]) for r in rows[1:]] == [
        (waiting.case.reference, "90", "No response recorded"),
        (late.case.reference, "20", "Response late, not followed up"),
    ]
    # Filters narrow the tracker as they narrow the ratings.
    response = manager.get("/dashboards/referrals/?region=South+Central")
    assert "0 referrals in scored cases" in page(response)


def test_referral_tracker_pages_long_lists(login, people, national):
    case = Case.objects.filter(inspection=national["new"], status="agreed").first()
    Referral.objects.bulk_create(
        Referral(case=case, method="email", referral_date=date(2017, 1, 1) + timedelta(days=n))
        for n in range(60)
    )
    tallies_rebuild(inspection_ids=[case.inspection_id])
    response = login(people.manager).get("/dashboards/referrals/")
    assert "60 referrals, longest wait first; page 1 of 2" in page(response)
    response = login(people.manager).get("/dashboards/referrals/?page=2")
    assert response.status_code == 200 and "page 2 of 2" in page(response)


def test_with_no_inspections_the_national_view_says_so(login, people):
    response = login(people.manager).get(NATIONAL)
    assert response.status_code == 200
    assert "There are no inspections yet" in page(response)
    response = login(people.manager).get("/dashboards/referrals/")
    assert "0 referrals in scored cases" in page(response)


# The cache ------------------------------------------------------------------------------------


def _national_figure(response, code: str):
    view = response.context["view"]
    return next(row.figure for row in view.questions if row.key_question.code == code)


NATIONAL_QUERIES_CACHED = (
    # the session and the user; the generation of the cached pages. The whole page comes
    # from the cache, its layout too: no filter form, no figures, no concerns.
    3
)
NATIONAL_QUERIES_REDRAWN = (
    # the page drawn again after the generation moved on, from figures kept in the cache: as
    # when served from the cache, and the filter form's frameworks and regions, the default
    # framework, which inspection is each organisation's latest with its figures' version,
    # the versions of every inspection the filters select (the agreement table's key), and
    # the layout's open and overdue concerns (no safeguarding banner: the user, read with
    # whether a concern waits for them, has none waiting).
    NATIONAL_QUERIES_CACHED + 6
)


@pytest.mark.parametrize("backend", ["locmem", "file"])
def test_a_repeated_national_view_is_served_from_the_cache_until_the_answers_change(
    login, people, national, django_assert_num_queries, settings, tmp_path, backend
):
    if backend == "file":  # CACHE_BACKEND=file: the workers of one server share the entries
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    manager = login(people.manager)
    first = manager.get(NATIONAL)
    assert (
        _national_figure(first, "2.2.2").tally.yes,
        _national_figure(first, "2.2.2").applicable,
    ) == (9, 16)
    with django_assert_num_queries(NATIONAL_QUERIES_CACHED):
        again = manager.get(NATIONAL)
    assert grid(again) == grid(first)
    if backend == "file":
        assert list((tmp_path / "cache").iterdir())  # the entries are files another worker reads

    # The lead reopens an agreed case answered No to 2.2.2: it stops counting, the tallies
    # change in the same transaction, and the next request counts afresh.
    from judgements.services import case_reopen

    case = Case.objects.get(inspection=national["new"], reference="C-11")
    case_reopen(case=case, lead=people.lead, reason="Look at the plan again.")
    with django_assert_num_queries(NATIONAL_QUERIES_CACHE_ON):
        after = manager.get(NATIONAL)
    figure = _national_figure(after, "2.2.2")
    assert (figure.tally.yes, figure.applicable) == (9, 15)


def test_the_cache_keeps_filters_apart_and_can_be_turned_off(login, people, national, settings):
    manager = login(people.manager)
    everywhere = grid(manager.get(NATIONAL))
    london = grid(manager.get(NATIONAL + "?region=London"))
    assert set(everywhere) == {"Barking and Dagenham YOS", "Reading YOS"}
    assert set(london) == {"Barking and Dagenham YOS"}
    assert set(grid(manager.get(NATIONAL))) == set(everywhere)

    settings.DASHBOARD_CACHE_SECONDS = 0
    manager.get(NATIONAL)
    assert _queries(manager, NATIONAL) == NATIONAL_QUERIES  # every request counts afresh


def test_the_national_grid_is_paginated_and_its_download_is_whole(login, people):
    call_command("seed_benchmark", organisations=27, inspections=1, cases=1, stdout=io.StringIO())
    manager = login(people.manager)
    first = manager.get(NATIONAL + "?region=&page=1")
    assert len(grid(first)) == 25
    assert "Organisations 1 to 25 of 27, by name (page 1 of 2)" in page(first)
    assert 'href="?region=&amp;page=2"' in first.content.decode()
    second = manager.get(NATIONAL + "?region=&page=2")
    assert len(grid(second)) == 2
    assert not set(grid(first)) & set(grid(second))
    # The figures below the grid are national, whatever the page.
    assert first.context["view"].distribution == second.context["view"].distribution
    assert manager.get(NATIONAL + "?page=99").context["grid_page"].number == 2
    rows = csv_rows(manager.get(NATIONAL + "?format=csv&table=ratings&page=2"))
    assert len(rows) == 1 + 27


REFERRAL_QUERIES = (
    # the session and the user (with whether a safeguarding concern waits for them: none
    # does, so the banner reads nothing); the filter form's frameworks and regions; the
    # referral tallies (one row per inspection and organisation; organisations, areas and the
    # total are added up from them); one page of the list, read from the organisations and
    # inspections that can hold it: their lists of waiting referrals, then the page's
    # referrals themselves (its length is the tallies' count, not counted again). The session
    # is not saved: it was refreshed less than a minute ago.
    7
)


@pytest.mark.parametrize("narrow", ["", "?organisation=bd-yos", "?area=barking-and-dagenham"])
def test_referral_tracker_reads_its_counts_once_and_one_page_of_the_list(
    login, people, referrals, django_assert_num_queries, narrow
):
    manager = login(people.manager)
    with django_assert_num_queries(REFERRAL_QUERIES):
        response = manager.get("/dashboards/referrals/" + narrow)
    listed = response.context["page"]
    assert listed.paginator.count == len(listed.object_list) > 0


def test_a_managers_area_view_is_cached_and_a_team_members_is_not(
    login, people, national, django_assert_num_queries
):
    url = "/dashboards/organisations/bd-yos/"
    manager = login(people.manager)
    first = _queries(manager, url)
    again = _queries(manager, url)
    assert again < first  # the figures came from the cache
    # Someone on a team sees only their inspections: never from the managers' entry.
    inspector = login(people.inspector)
    assert _queries(inspector, url) > again
    assert not inspector.get(url).context["is_manager"]


def test_the_waiting_list_reads_only_the_organisations_that_can_hold_its_page(db):
    """Whatever the page, reading only the pairs waiting_scope names (from the referral
    tallies' lists) gives the same referrals in the same order as sorting every waiting
    referral in the country."""
    from reports.dashboards.filters import Filters
    from reports.dashboards.referrals import (
        WaitingList,
        referral_tracker,
        referrals_waiting,
        waiting_scope,
    )

    call_command("seed_benchmark", organisations=8, inspections=2, cases=6, stdout=io.StringIO())
    # Ties and a wide spread of waits: responses late by 0 to 40 days, not followed up.
    rng = random.Random(3)  # noqa: S311 - test data
    for referral in Referral.objects.filter(response_date__isnull=False):
        referral.response_date = referral.referral_date + timedelta(days=rng.randint(0, 40))
        referral.response_timely = False
        referral.followed_up = False
        referral.save()
    tallies_rebuild()
    filters = Filters()
    pairs: list = []
    referral_tracker(filters, pairs)
    everything = [r.pk for r in referrals_waiting(filters)]
    listed = WaitingList(pairs)
    assert len(listed) == len(everything) > 20 and len(pairs) > 4
    assert any(len(waiting_scope(pairs, n) or pairs) < len(pairs) for n in range(1, 4))
    for size in (1, 3, 7):
        for start in range(0, len(everything) + 1, size):
            shown = [r.pk for r in listed[start : start + size]]
            assert shown == everything[start : start + size], (start, size)
    first = listed[0]
    assert first.pk == everything[0] and first.waited.days >= 0


def test_a_change_to_an_older_inspection_leaves_the_national_page_cached(
    login, people, national, django_assert_num_queries
):
    """The national page shows each organisation's latest inspection: reopening a case of
    Barking's 2016 inspection changes no figure it shows, so it is still served from the
    cache, while the Barking page, which shows 2016, is built afresh and shows the change."""
    from judgements.services import case_reopen

    manager = login(people.manager)
    manager.get(NATIONAL)
    organisation_url = "/dashboards/organisations/bd-yos/"
    before = manager.get(organisation_url)
    (old_row,) = [r for r in before.context["view"].rows if r.inspection.reference == "yos-bd-2016"]
    assert old_row.cases_counted == 3

    case = Case.objects.get(inspection=national["old"], reference="C-0")
    case_reopen(case=case, lead=people.lead, reason="Look at the plan again.")
    # The page is drawn again (the dashboards' generation moved on), its figures from the
    # cache: only the agreement table, which covers every inspection the filters select, is
    # read again.
    with django_assert_num_queries(NATIONAL_QUERIES_REDRAWN + 1):
        manager.get(NATIONAL)
    after = manager.get(organisation_url)
    (old_row,) = [r for r in after.context["view"].rows if r.inspection.reference == "yos-bd-2016"]
    assert old_row.cases_counted == 2


def test_an_area_page_is_served_from_the_cache_until_its_figures_change(login, people, national):
    from judgements.services import case_reopen

    manager = login(people.manager)
    url = "/dashboards/areas/barking-and-dagenham/"
    built = _queries(manager, url)
    first = manager.get(url)
    # From the cache: the same page, without reading the framework, its structure, the
    # tallies, the latest inspections and their tallies for the national figure, the
    # ratings, the cases and the QA figures (2) again.
    assert _queries(manager, url) == built - 9
    assert page(manager.get(url)) == page(first)
    national_2_2_2 = next(
        q.national
        for q in first.context["view"].rows[-1].questions
        if q.key_question.code == "2.2.2"
    )
    assert (national_2_2_2.tally.yes, national_2_2_2.applicable) == (9, 16)

    # A case of Reading's inspection, in another area, changes the national figure beside
    # Barking's: the Barking page is built afresh.
    case = Case.objects.get(inspection=national["other"], reference="R-0")
    case_reopen(case=case, lead=people.lead, reason="Look again.")
    after = manager.get(url)
    national_2_2_2 = next(
        q.national
        for q in after.context["view"].rows[-1].questions
        if q.key_question.code == "2.2.2"
    )
    assert (national_2_2_2.tally.yes, national_2_2_2.applicable) == (8, 15)


@pytest.mark.parametrize(("unrated_below", "rated"), [(15, False), (14, True)])
def test_the_organisation_page_leaves_a_small_organisation_unrated_by_its_sample(
    login, people, national, unrated_below, rated
):
    """Barking's 2018 sample holds 14 cases (13 counted): under a framework that leaves an
    organisation with fewer than 15 cases in its sample unrated, it has no overall rating."""
    framework = national["new"].framework
    framework.rating_options = {
        **framework.rating_options,
        "small_organisation": {"unrated_below_cases": unrated_below},
    }
    framework.save()
    response = login(people.manager).get("/dashboards/organisations/bd-yos/")
    (row,) = [r for r in response.context["view"].rows if r.inspection.reference == "yos-bd-2018"]
    assert (row.cases_counted, row.cases_total) == (13, 14)
    assert (row.overall is not None) == rated


# The whole national page from the cache -------------------------------------------------------

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _without_token(response) -> str:
    return CSRF_FIELD.sub("", response.content.decode())


def test_a_cached_national_page_is_the_persons_own_with_a_token_of_its_own(people, national):
    from django.test import Client

    manager = Client(enforce_csrf_checks=True)
    manager.force_login(people.manager, backend="casefiles.concerns.backends.SignedInBackend")
    drawn = manager.get(NATIONAL)
    again = manager.get(NATIONAL)
    assert _without_token(again) == _without_token(drawn)
    token = CSRF_FIELD.search(again.content.decode()).group(1)
    assert token.startswith("csrf-") is False and len(token) == 64

    # Someone else asking for the same address gets a page drawn for them, never the first's.
    admin = Client()
    admin.force_login(people.admin, backend="casefiles.concerns.backends.SignedInBackend")
    theirs = admin.get(NATIONAL).content.decode()
    assert "Signed in as Admin Tester." in theirs
    assert "Signed in as Manager Tester." not in theirs
    assert "Signed in as Manager Tester." in again.content.decode()
    people.manager.last_name = "Renamed"
    people.manager.save()
    assert "Signed in as Manager Renamed." in manager.get(NATIONAL).content.decode()

    # The token in the page served from the cache is the request's own: signing out works.
    signed_out = manager.post("/logout/", {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302
    assert manager.get(NATIONAL).status_code == 302  # to the sign-in page


def test_a_cached_national_page_shows_a_new_concern_and_a_waiting_message_at_once(
    login, people, national
):
    from django.contrib import messages
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    from casefiles.concerns import services as concerns

    manager = login(people.manager)
    before = manager.get(NATIONAL).content.decode()
    assert "0 open, none overdue" in before
    concerns.concern_raise(
        case=Case.objects.get(inspection=national["new"], reference="C-11"),
        about=concerns.About(subject=True),
        urgency="immediate",
        found="No home visit since the police report of violence at the address.",
        why_urgent="The child lives with the alleged perpetrator.",
        actor=people.lead,
    )
    assert "1 open, none overdue" in manager.get(NATIONAL).content.decode()

    # A message waiting for the person is shown once, on the page drawn afresh.
    storage = CookieStorage(RequestFactory().get("/"))
    manager.cookies[CookieStorage.cookie_name] = storage._encode(
        [Message(messages.SUCCESS, "The answers workbook is ready.")]
    )
    assert "The answers workbook is ready." in manager.get(NATIONAL).content.decode()
    assert "The answers workbook is ready." not in manager.get(NATIONAL).content.decode()


def test_a_cached_national_page_shows_at_once_what_decides_its_rows_and_filters(
    login, people, national, yos_framework, django_assert_num_queries
):
    """Not only the figures: a new region among the filters and a newer inspection of an
    organisation (its latest from then on) show on the very next request, and then the page
    is served from the cache again."""
    manager = login(people.manager)
    manager.get(NATIONAL)
    with django_assert_num_queries(NATIONAL_QUERIES_CACHED):
        manager.get(NATIONAL)

    new_organisation("leeds", region="Yorkshire and the Humber")
    assert 'value="Yorkshire and the Humber"' in manager.get(NATIONAL).content.decode()

    before = grid(manager.get(NATIONAL))["Reading YOS"]
    newer = make_inspection(
        framework=yos_framework,
        organisations=[national["reading"]],
        people=people,
        reference="yot-reading-2019",
        fieldwork_start=date(2019, 6, 3),
        fieldwork_end=date(2019, 6, 14),
    )
    after = manager.get(NATIONAL)
    assert newer.pk in after.context["view"].inspection_ids
    assert national["other"].pk not in after.context["view"].inspection_ids
    assert grid(after)["Reading YOS"] != before
    with django_assert_num_queries(NATIONAL_QUERIES_CACHED):
        manager.get(NATIONAL)


def test_a_cached_national_page_shows_each_step_of_a_concern_and_a_new_day_at_once(
    login, people, national, monkeypatch, django_assert_num_queries
):
    """The layout of a page served from the cache is as fresh as the page: a lead who is
    also a manager sees the alert for a concern raised on their inspection, sees it go when
    they acknowledge it, and sees a response fall overdue the day after it was due."""
    from casefiles.concerns import services as concerns

    people.lead.is_manager = True
    people.lead.save()
    lead = login(people.lead)
    waiting = "needs your acknowledgement"
    assert waiting not in lead.get(NATIONAL).content.decode()
    with django_assert_num_queries(NATIONAL_QUERIES_CACHED):
        lead.get(NATIONAL)

    concern = concerns.concern_raise(
        case=Case.objects.get(inspection=national["new"], reference="C-11"),
        about=concerns.About(subject=True),
        urgency="immediate",
        found="No home visit since the police report of violence at the address.",
        why_urgent="The child lives with the alleged perpetrator.",
        actor=people.inspector,
    )
    raised = lead.get(NATIONAL).content.decode()
    assert f"1 safeguarding concern on {national['new'].title} {waiting}" in raised

    concern = concerns.concern_acknowledge(concern=concern, actor=people.lead)
    assert waiting not in lead.get(NATIONAL).content.decode()

    today = timezone.localdate()
    concerns.concern_refer(
        concern=concern,
        organisation="Barking and Dagenham children's services",
        person="Duty manager",
        referred_on=today,
        method="phone",
        response_due=today,
        actor=people.lead,
    )
    assert "1 open, none overdue" in lead.get(NATIONAL).content.decode()
    with django_assert_num_queries(NATIONAL_QUERIES_CACHED):
        lead.get(NATIONAL)

    monkeypatch.setattr(timezone, "localdate", lambda: today + timedelta(days=1))
    assert "1 overdue" in lead.get(NATIONAL).content.decode()
