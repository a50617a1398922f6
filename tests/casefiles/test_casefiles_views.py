"""The case list, the case page, and the forms that add, change and remove a case and its file."""

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import quote

import pytest
from django.urls import reverse

from casefiles.models import (
    AgencyCheck,
    Case,
    ChildProtectionPlan,
    HomeVisit,
    Interview,
    LinkedChild,
    Meeting,
    Order,
    Referral,
    Requirement,
)
from casefiles.parts import PARTS
from casefiles.selectors import parts_held
from inspection.models import Organisation
from tests.conftest import make_case

PART_MODELS = {
    "orders": Order,
    "children": LinkedChild,
    "plans": ChildProtectionPlan,
    "referrals": Referral,
    "checks": AgencyCheck,
    "meetings": Meeting,
    "visits": HomeVisit,
    "interviews": Interview,
}
FILE_MODELS = [Case, Requirement, *PART_MODELS.values()]

# Pages are rendered without collecting static files first.
pytestmark = pytest.mark.filterwarnings("ignore:No directory at")


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    # Users are created with a password in every test; the slow production hasher is not needed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain HTTP; in production it would be redirected to HTTPS first.
    settings.SECURE_SSL_REDIRECT = False


# Helpers -------------------------------------------------------------------------------------


def dmy(name: str, value: date | None) -> dict[str, str]:
    """The three boxes of a GOV.UK date input."""
    if value is None:
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    return {
        f"{name}_0": str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }


def html(response) -> str:
    return response.content.decode()


def title(response) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", html(response), re.S).group(1)).strip()


def error_summary(response) -> list[str]:
    """The messages listed in the page's error summary, in order."""
    match = re.search(
        r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html(response), re.S
    )
    if not match:
        return []
    return [
        unescape(item).strip()
        for item in re.findall(r"<li><a [^>]*>(.*?)</a></li>", match.group(1), re.S)
    ]


def listed_cases(response) -> list[str]:
    """Case references in the case list's table, top to bottom."""
    match = re.search(r'<table class="govuk-table" id="cases">(.*?)</table>', html(response), re.S)
    if not match:
        return []
    return re.findall(r'href="/cases/[0-9a-f-]+/(?:\?back=[^"]*)?">([^<]+)</a>', match.group(1))


def timeline_entries(response) -> list[tuple[str, str]]:
    """(date, title) of each timeline entry, top to bottom."""
    block = html(response).split('id="timeline"', 1)[1]
    titles = re.findall(r'<h3 class="moj-timeline__title">(.*?)</h3>', block, re.S)
    dates = re.findall(r'<time datetime="([0-9-]+)">', block)
    return list(zip(dates, [unescape(t).strip() for t in titles], strict=True))


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in FILE_MODELS}


def fill_file(case: Case, count: int = 1) -> dict[str, object]:
    """`count` of each part of a case file, each linked to a child; returns the last of each."""
    parts: dict[str, object] = {}
    for number in range(count):
        base = date(2017, 1, 2) + timedelta(days=10 * number)
        child = LinkedChild.objects.create(
            case=case,
            name=f"Mia Morgan {number}",
            date_of_birth=date(2012, 3, 4),
            relationship="child",
        )
        order = Order.objects.create(case=case, order_type="community_order", start_date=base)
        Requirement.objects.create(order=order, requirement_type="unpaid_work")
        Requirement.objects.create(order=order, requirement_type="curfew")
        parts.update(
            orders=order,
            children=child,
            plans=ChildProtectionPlan.objects.create(
                case=case, child=child, category="neglect", start_date=base + timedelta(days=1)
            ),
            referrals=Referral.objects.create(
                case=case,
                child=child,
                referral_date=base + timedelta(days=2),
                method="phone",
                response_date=base + timedelta(days=5),
            ),
            checks=AgencyCheck.objects.create(
                case=case, agency="police", kind="check", requested_date=base + timedelta(days=3)
            ),
            meetings=Meeting.objects.create(
                case=case, kind="icpc", meeting_date=base + timedelta(days=4), invited=True
            ),
            visits=HomeVisit.objects.create(case=case, visit_date=base + timedelta(days=6)),
        )
    return parts


def case_data(organisation: Organisation, **changes) -> dict[str, str]:
    data = {
        "reference": "C-100",
        "organisation": str(organisation.pk),
        "sample_type": "out_of_court",
        "subject_kind": "child",
        "subject_name": "Amelia Clarke",
        "gender": "female",
        "ethnicity": "mixed",
        **dmy("date_of_birth", date(2003, 2, 1)),
        "risk_of_serious_harm": "high",
        "safety_and_wellbeing": "medium",
        "mappa_level": "none",
        "main_source_of_risk": "partner",
        "case_manager": "Dee Patel",
        "added_reason": "Raised by the service during fieldwork",
    }
    data.update(changes)
    return data


# Valid form data for each part, and what the saved row then holds.
PART_FORMS = {
    "orders": (
        {
            "order_type": "yro",
            **dmy("start_date", date(2017, 5, 2)),
            **dmy("end_date", date(2018, 5, 1)),
            "requirements": ["supervision", "activity"],
        },
        {"order_type": "yro", "start_date": date(2017, 5, 2), "end_date": date(2018, 5, 1)},
    ),
    "children": (
        {
            "name": "Leo Clarke",
            **dmy("date_of_birth", date(2013, 7, 8)),
            "address": "4 Mill Road",
            "relationship": "sibling",
            "lives_with_subject": "on",
            "offender_role": "protective_factor",
        },
        {
            "name": "Leo Clarke",
            "date_of_birth": date(2013, 7, 8),
            "relationship": "sibling",
            "lives_with_subject": True,
            "offender_role": "protective_factor",
        },
    ),
    "plans": (
        {
            "child": "",
            "category": "emotional",
            **dmy("start_date", date(2017, 6, 1)),
            **dmy("end_date", date(2017, 12, 1)),
            **dmy("initial_conference_date", date(2017, 6, 1)),
            "core_group_established": "on",
        },
        {
            "child": None,
            "category": "emotional",
            "start_date": date(2017, 6, 1),
            "end_date": date(2017, 12, 1),
            "core_group_established": True,
        },
    ),
    "referrals": (
        {
            "child": "",
            **dmy("referral_date", date(2017, 6, 10)),
            "method": "email",
            "included_child_details": "on",
            "described_risk": "on",
            **dmy("response_date", date(2017, 6, 13)),
            "response_timely": "yes",
            "response_satisfactory": "no",
            "followed_up": "on",
            "notes": "Chased by telephone",
        },
        {
            "referral_date": date(2017, 6, 10),
            "method": "email",
            "included_child_details": True,
            "described_risk": True,
            "stated_response_wanted": False,
            "response_date": date(2017, 6, 13),
            "response_timely": True,
            "response_satisfactory": False,
            "followed_up": True,
            "escalated": False,
            "notes": "Chased by telephone",
        },
    ),
    "checks": (
        {
            "agency": "csc",
            "kind": "notification",
            **dmy("requested_date", date(2017, 5, 3)),
            **dmy("response_date", None),
            "outcome": "Sent by secure email",
        },
        {
            "agency": "csc",
            "kind": "notification",
            "requested_date": date(2017, 5, 3),
            "response_date": None,
            "outcome": "Sent by secure email",
        },
    ),
    "meetings": (
        {
            "kind": "strategy",
            **dmy("meeting_date", date(2017, 5, 20)),
            "invited": "on",
            "invitation_timely": "no",
            "attended": "on",
        },
        {
            "kind": "strategy",
            "meeting_date": date(2017, 5, 20),
            "invited": True,
            "invitation_timely": False,
            "attended": True,
            "report_submitted": False,
        },
    ),
    "visits": (
        {
            **dmy("visit_date", date(2017, 5, 25)),
            "children_seen": "on",
            "purpose": "Meet the family",
        },
        {
            "visit_date": date(2017, 5, 25),
            "announced": False,
            "children_seen": True,
            "purpose": "Meet the family",
        },
    ),
}


def assert_saved(instance, expected: dict) -> None:
    instance.refresh_from_db()
    assert {name: getattr(instance, name) for name in expected} == expected


# The case list -------------------------------------------------------------------------------


@pytest.fixture
def second_organisation(area, inspection):
    organisation = Organisation.objects.create(
        slug="bd-pdu", name="Barking and Dagenham PDU", kind="pdu", area=area
    )
    inspection.organisations.add(organisation)
    return organisation


def list_url(inspection) -> str:
    return reverse("casefiles:list", args=[inspection.reference])


def test_case_list_shows_the_sample(inspection, people, login):
    make_case(inspection, reference="C-002", inspector=people.colleague, subject_name="Kai Osei")
    make_case(inspection, reference="C-001", inspector=people.inspector)
    response = login(people.inspector).get(list_url(inspection))
    assert response.status_code == 200
    assert listed_cases(response) == ["C-001", "C-002"]
    page = html(response)
    assert "2 cases" in page
    assert "Colleague Tester" in page
    # Only the lead adds a case, outside the sample draw.
    assert "Add a case" not in page
    assert "Add a case" in html(login(people.lead).get(list_url(inspection)))
    # A GET form carries no CSRF token into addresses.
    assert "csrfmiddlewaretoken" not in page.split('aria-label="Filter cases"', 1)[1]


@pytest.fixture
def filter_cases(inspection, organisation, second_organisation, people):
    make_case(inspection, reference="A-1", organisation=organisation, inspector=people.inspector)
    make_case(
        inspection,
        reference="A-2",
        sample_type="out_of_court",
        organisation=second_organisation,
        inspector=people.colleague,
        status=Case.Status.IN_PROGRESS,
    )
    make_case(
        inspection,
        reference="A-3",
        organisation=second_organisation,
        status=Case.Status.SUBMITTED,
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["A-1", "A-2", "A-3"]),
        ("sample_type=out_of_court", ["A-2"]),
        ("sample_type=court_disposal", ["A-1", "A-3"]),
        ("organisation=bd-pdu", ["A-2", "A-3"]),
        ("organisation=bd-yos", ["A-1"]),
        ("inspector=inspector", ["A-1"]),
        ("inspector=colleague", ["A-2"]),
        ("inspector=none", ["A-3"]),
        ("status=submitted", ["A-3"]),
        ("status=in_progress", ["A-2"]),
        ("sample_type=court_disposal&organisation=bd-pdu", ["A-3"]),
        ("status=agreed", []),
    ],
)
def test_case_list_filters(filter_cases, inspection, people, login, query, expected):
    response = login(people.inspector).get(f"{list_url(inspection)}?{query}")
    assert response.status_code == 200
    assert listed_cases(response) == expected
    if not expected:
        assert "No cases match these filters." in html(response)


def test_case_list_ignores_a_filter_value_it_does_not_know(filter_cases, inspection, people, login):
    response = login(people.inspector).get(f"{list_url(inspection)}?sample_type=bogus")
    assert response.status_code == 200
    assert listed_cases(response) == ["A-1", "A-2", "A-3"]
    assert "Select a valid option for sample" in html(response)


def filter_options(response, name: str) -> list[tuple[str, str, bool]]:
    """A filter's options: value, words and whether it is the one selected."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html(response), re.S)
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1))
    return [(value, unescape(words), bool(selected)) for value, selected, words in found]


def test_case_list_filters_offer_the_inspections_organisations_and_scorers(
    filter_cases, inspection, people, login
):
    # Someone with no name on record is offered by their username.
    people.colleague.first_name = people.colleague.last_name = ""
    people.colleague.save()
    response = login(people.inspector).get(f"{list_url(inspection)}?organisation=bd-pdu")
    assert filter_options(response, "organisation") == [
        ("", "All organisations", False),
        ("bd-pdu", str(Organisation.objects.get(slug="bd-pdu")), True),
        ("bd-yos", "Barking and Dagenham YOS", False),
    ]
    # Those who score cases (lead, inspectors, partner), not quality assurance.
    offered = filter_options(response, "inspector")
    assert offered[:2] == [("", "Anyone", True), ("none", "Not assigned", False)]
    assert sorted(offered[2:]) == sorted(
        (user.username, str(user), False)
        for user in (people.lead, people.inspector, people.colleague, people.partner)
    )
    assert ("colleague", "colleague", False) in offered
    assert filter_options(response, "status")[0] == ("", "Any status", True)


def test_case_list_filter_with_a_value_it_does_not_know_is_marked_in_error(
    inspection, people, login
):
    response = login(people.inspector).get(f"{list_url(inspection)}?status=<b>bogus</b>")
    page = html(response)
    assert '<div id="div_id_status" class="govuk-form-group govuk-form-group--error">' in page
    assert '<label for="id_status" class="govuk-label govuk-label--s">Status</label>' in page
    assert re.search(
        r'<span id="id_status_1_error" class="govuk-error-message">'
        r'<span class="govuk-visually-hidden">Error:</span> Select a valid option for status'
        r"</span>",
        page,
    )
    assert (
        '<select name="status" aria-describedby="id_status_1_error" '
        'class="govuk-select govuk-input--error" aria-invalid="true" id="id_status">'
    ) in page
    assert "<b>bogus" not in page
    # The other filters are not marked.
    assert '<select name="sample_type" class="govuk-select" id="id_sample_type">' in page
    assert not any(selected for _, _, selected in filter_options(response, "status"))


def test_case_list_pages_by_25_and_keeps_the_filters(inspection, people, login):
    for number in range(1, 31):
        make_case(inspection, reference=f"C-{number:03d}")
    make_case(inspection, reference="Z-001", sample_type="out_of_court")
    client = login(people.inspector)

    first = client.get(f"{list_url(inspection)}?sample_type=court_disposal")
    assert listed_cases(first) == [f"C-{n:03d}" for n in range(1, 26)]
    assert "30 cases, page 1 of 2" in html(first)
    assert 'href="?sample_type=court_disposal&amp;page=2" rel="next"' in html(first)

    second = client.get(f"{list_url(inspection)}?sample_type=court_disposal&page=2")
    assert second.status_code == 200
    assert listed_cases(second) == [f"C-{n:03d}" for n in range(26, 31)]
    assert "30 cases, page 2 of 2" in html(second)
    assert 'href="?sample_type=court_disposal&amp;page=1" rel="prev"' in html(second)
    assert "page=2&amp;page" not in html(second)


def test_case_list_page_out_of_range_shows_the_last_page(inspection, people, login):
    for number in range(1, 27):
        make_case(inspection, reference=f"C-{number:03d}")
    response = login(people.inspector).get(f"{list_url(inspection)}?page=99")
    assert listed_cases(response) == ["C-026"]


@pytest.mark.parametrize("cases", [3, 30])
def test_case_list_queries_do_not_grow_with_the_sample(
    inspection, people, login, django_assert_num_queries, cases
):
    for number in range(cases):
        make_case(
            inspection,
            reference=f"C-{number:03d}",
            inspector=people.inspector if number % 2 else people.colleague,
        )
    client = login(people.inspector)
    url = list_url(inspection)
    # 1 session, 2 user (with whether a safeguarding concern waits for them: none does, so
    # the banner reads nothing), 3 inspection through the user's access, 4 the user's role on
    # its team, 5 organisations and 6 team for the filters, 7 count of cases, 8 the page of
    # cases with their organisation and inspector. The session is not written: its expiry was
    # moved on when the person signed in, less than a minute ago.
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(listed_cases(response)) == min(cases, 25)


# The case page ---------------------------------------------------------------------------------


def test_case_page_shows_the_whole_file(case, people, login):
    parts = fill_file(case)
    response = login(people.inspector).get(reverse("casefiles:detail", args=[case.public_id]))
    assert response.status_code == 200
    page = html(response)
    for text in [
        "Case C-001",
        "Jayden Morgan (child)",
        "Sam Collier",
        "Inspector Tester",
        "Barking and Dagenham YOS",
        "Community order",
        "Curfew, Unpaid work",
        "Mia Morgan 0",
        "Neglect",
        "Telephone",
        "Police",
        "Initial child protection conference",
        "Home visit",
        "Change case details",
    ]:
        assert text in page, text
    for key, part in parts.items():
        assert reverse("casefiles:part_edit", args=[case.public_id, key, part.public_id]) in page
        assert reverse("casefiles:part_delete", args=[case.public_id, key, part.public_id]) in page
        assert reverse("casefiles:part_add", args=[case.public_id, key]) in page


def test_case_page_timeline_is_in_date_order(case, people, login):
    HomeVisit.objects.create(case=case, visit_date=date(2017, 3, 1), children_seen=True)
    Order.objects.create(case=case, order_type="community_order", start_date=date(2017, 1, 5))
    Referral.objects.create(case=case, referral_date=date(2017, 2, 10), method="form")
    ChildProtectionPlan.objects.create(case=case, category="neglect", start_date=date(2017, 1, 20))
    AgencyCheck.objects.create(
        case=case, agency="police", kind="check", requested_date=date(2017, 1, 10)
    )
    Meeting.objects.create(case=case, kind="icpc", meeting_date=date(2017, 2, 1), attended=True)

    response = login(people.inspector).get(reverse("casefiles:detail", args=[case.public_id]))
    assert timeline_entries(response) == [
        ("2017-01-05", "Community order started"),
        ("2017-01-10", "Check: Police"),
        ("2017-01-20", "Child protection plan (Neglect) began"),
        ("2017-02-01", "Initial child protection conference"),
        ("2017-02-10", "Referral to children's social care"),
        ("2017-03-01", "Home visit"),
    ]


def test_case_page_of_an_empty_file(case, people, login):
    response = login(people.inspector).get(reverse("casefiles:detail", args=[case.public_id]))
    assert response.status_code == 200
    assert "Nothing dated in the file yet." in html(response)
    assert html(response).count("None recorded.") == len(PART_MODELS)


def test_each_part_is_read_joining_only_what_it_is_shown_with():
    # select_related() with no names would join the case, its inspection and its organisation
    # onto every row of every part.
    joins = {part.slug: part.prefetch().queryset.query.select_related for part in PARTS}
    assert joins == {
        "orders": False,
        "children": False,
        "plans": {"child": {}},
        "referrals": {"child": {}},
        "checks": False,
        "meetings": False,
        "visits": False,
        "interviews": False,
    }


@pytest.mark.parametrize("count", [1, 5, 10])
def test_case_page_queries_do_not_grow_with_the_file(
    case, people, login, django_assert_num_queries, count
):
    fill_file(case, count)
    client = login(people.inspector)
    url = reverse("casefiles:detail", args=[case.public_id])
    # 1 session, 2 user (with whether a safeguarding concern waits for them: none does, so
    # the banner reads nothing), 3 the case with inspection, organisation and inspector
    # through the user's access, 4 the user's role on its team, 5 whether this person's read
    # of the file is already recorded in the last five minutes (it is not), 6 the record that
    # this person read the file, then the file of the case already read: 7 which parts hold
    # anything, 8 orders, 9 requirements, 10 linked children, 11 plans with the child each
    # names, 12 referrals with theirs, 13 checks, 14 meetings, 15 visits (no interviews:
    # there are none). The session is not written (its expiry was moved on at sign-in).
    with django_assert_num_queries(15):
        response = client.get(url)
    assert len(timeline_entries(response)) == 6 * count


def test_case_page_of_an_empty_file_reads_no_part(case, people, login, django_assert_num_queries):
    client = login(people.inspector)
    url = reverse("casefiles:detail", args=[case.public_id])
    # 1 session, 2 user (with whether a safeguarding concern waits for them: none does, so
    # the banner reads nothing), 3 the case through the user's access, 4 the user's role,
    # 5 and 6 the record of the read, 7 which parts hold anything (none).
    with django_assert_num_queries(7):
        response = client.get(url)
    assert html(response).count("None recorded.") == len(PART_MODELS)


def test_parts_held_names_the_parts_with_a_row(case, inspection):
    other = make_case(inspection, reference="C-002")
    assert parts_held(case) == set()
    HomeVisit.objects.create(case=case, visit_date=date(2017, 3, 1))
    Interview.objects.create(case=case, kind="case_manager", interview_date=date(2018, 4, 17))
    Meeting.objects.create(case=other, kind="icpc", meeting_date=date(2017, 2, 1))
    assert parts_held(case) == {"visits", "interviews"}
    assert parts_held(other) == {"meetings"}
    assert set(PART_MODELS) == {part.slug for part in PARTS}


# Adding and changing a case ------------------------------------------------------------------


def test_add_a_case(inspection, organisation, people, login):
    client = login(people.lead)
    url = reverse("casefiles:create", args=[inspection.reference])
    form = client.get(url)
    assert form.status_code == 200
    assert title(form).startswith("Add a case")

    response = client.post(url, case_data(organisation))
    case = Case.objects.get(inspection=inspection, reference="C-100")
    assert response.status_code == 302
    assert response["Location"] == reverse("casefiles:detail", args=[case.public_id])
    assert (case.subject_name, case.date_of_birth, case.organisation) == (
        "Amelia Clarke",
        date(2003, 2, 1),
        organisation,
    )
    assert case.inspector is None
    assert case.status == Case.Status.NOT_STARTED
    assert (case.added_outside_draw, case.added_reason) == (
        True,
        "Raised by the service during fieldwork",
    )
    assert "Case C-100 added outside the sample draw" in html(client.get(response["Location"]))


def test_change_a_case(case, organisation, people, login):
    client = login(people.inspector)
    url = reverse("casefiles:edit", args=[case.public_id])
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="Jayden Morgan"' in html(form)

    response = client.post(url, case_data(organisation, reference="C-001", subject_name="Jay M"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.reference, case.subject_name, case.sample_type) == (
        "C-001",
        "Jay M",
        "out_of_court",
    )
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            dmy("date_of_birth", date.today() + timedelta(days=1)),  # noqa: DTZ011
            "Date of birth must be today or in the past",
        ),
        (
            {"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2020"},
            "Date of birth must be a real date",
        ),
        ({"date_of_birth_1": "13"}, "Date of birth must be a real date"),
        ({"date_of_birth_0": "x"}, "Date of birth must be a real date"),
        ({"date_of_birth_2": ""}, "Date of birth must include a year"),
        (dmy("date_of_birth", None), "Enter the date of birth"),
        ({"subject_name": ""}, "Enter name of the person supervised"),
        ({"reference": ""}, "Enter case reference"),
        ({"gender": ""}, "Select gender"),
        ({"mappa_level": ""}, "Select MAPPA level"),
        ({"sample_type": "bogus"}, "Select a valid option for sample type"),
        ({"reference": "C-001"}, "Case reference is already used in this inspection"),
        (
            {"subject_name": "x" * 121},
            "Name of the person supervised must be 120 characters or fewer",
        ),
    ],
)
def test_add_a_case_with_a_mistake(case, inspection, organisation, people, login, changes, message):
    data = {**case_data(organisation), **changes}
    before = row_counts()
    response = login(people.lead).post(
        reverse("casefiles:create", args=[inspection.reference]), data
    )
    assert response.status_code == 200
    assert title(response).startswith("Error: Add a case")
    assert message in error_summary(response)
    assert row_counts() == before


def test_add_a_case_for_an_organisation_outside_the_inspection(inspection, area, people, login):
    elsewhere = Organisation.objects.create(
        slug="x-yot", name="Elsewhere YOT", kind="yot", area=area
    )
    response = login(people.lead).post(
        reverse("casefiles:create", args=[inspection.reference]), case_data(elsewhere)
    )
    assert response.status_code == 200
    assert error_summary(response) == ["Select a valid option for organisation"]
    assert not Case.objects.exists()


def test_change_a_case_with_a_mistake_changes_nothing(case, organisation, people, login):
    response = login(people.inspector).post(
        reverse("casefiles:edit", args=[case.public_id]),
        case_data(
            organisation,
            reference="C-001",
            subject_name="Changed",
            **dmy("date_of_birth", date(2999, 1, 1)),
        ),
    )
    assert response.status_code == 200
    assert title(response).startswith("Error: Change case C-001")
    assert error_summary(response) == ["Date of birth must be today or in the past"]
    case.refresh_from_db()
    assert case.subject_name == "Jayden Morgan"


# Adding, changing and removing parts of the file -------------------------------------------------


@pytest.mark.parametrize("part", list(PART_FORMS))
def test_add_a_part(case, people, login, part):
    data, expected = PART_FORMS[part]
    client = login(people.inspector)
    url = reverse("casefiles:part_add", args=[case.public_id, part])
    form = client.get(url)
    assert form.status_code == 200
    assert title(form).startswith(("Add a ", "Add an "))

    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("casefiles:detail", args=[case.public_id])
    saved = PART_MODELS[part].objects.get(case=case)
    assert_saved(saved, expected)
    assert "saved" in html(client.get(response["Location"]))


def test_an_order_keeps_its_requirements_in_step_with_the_form(case, people, login):
    order = fill_file(case)["orders"]
    client = login(people.inspector)
    url = reverse("casefiles:part_edit", args=[case.public_id, "orders", order.public_id])
    form = html(client.get(url))
    assert re.search(r'value="unpaid_work"[^>]*checked', form)
    assert re.search(r'value="curfew"[^>]*checked', form)

    data, _ = PART_FORMS["orders"]
    client.post(url, {**data, "requirements": ["curfew", "supervision"]})
    assert set(order.requirements.values_list("requirement_type", flat=True)) == {
        "curfew",
        "supervision",
    }
    client.post(url, {**data, "requirements": []})
    assert not order.requirements.exists()


@pytest.mark.parametrize("part", list(PART_FORMS))
def test_change_a_part(case, people, login, part):
    existing = fill_file(case)[part]
    data, expected = PART_FORMS[part]
    client = login(people.inspector)
    url = reverse("casefiles:part_edit", args=[case.public_id, part, existing.public_id])
    form = client.get(url)
    assert form.status_code == 200
    assert title(form).startswith("Change the ")

    before = row_counts()
    response = client.post(url, data)
    assert response.status_code == 302
    assert_saved(existing, expected)
    if part != "orders":  # an order's requirements follow the form
        assert row_counts() == before


@pytest.mark.parametrize("part", list(PART_FORMS))
def test_remove_a_part_after_confirming(case, people, login, part):
    existing = fill_file(case)[part]
    model = PART_MODELS[part]
    client = login(people.inspector)
    url = reverse("casefiles:part_delete", args=[case.public_id, part, existing.public_id])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Are you sure you want to remove this" in html(confirm)
    assert model.objects.filter(pk=existing.pk).exists()

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("casefiles:detail", args=[case.public_id])
    assert not model.objects.filter(pk=existing.pk).exists()
    assert Case.objects.filter(pk=case.pk).exists()
    assert "removed" in html(client.get(response["Location"]))


def test_removing_a_child_keeps_the_plans_and_referrals_about_them(case, people, login):
    parts = fill_file(case)
    login(people.inspector).post(
        reverse(
            "casefiles:part_delete", args=[case.public_id, "children", parts["children"].public_id]
        )
    )
    parts["plans"].refresh_from_db()
    parts["referrals"].refresh_from_db()
    assert parts["plans"].child is None
    assert parts["referrals"].child is None


@pytest.mark.parametrize(
    ("part", "changes", "message"),
    [
        (
            "referrals",
            dmy("response_date", date(2017, 6, 9)),
            "Response date must be on or after the referral date",
        ),
        (
            "plans",
            dmy("end_date", date(2017, 5, 31)),
            "End date must be on or after the start date",
        ),
        (
            "orders",
            dmy("end_date", date(2017, 5, 1)),
            "End date must be on or after the start date",
        ),
        (
            "checks",
            dmy("response_date", date(2017, 5, 2)),
            "Response date must be on or after the date the check was made",
        ),
        (
            "meetings",
            {"invited": ""},
            "Invitation timely can only be answered if invited",
        ),
        (
            "children",
            dmy("date_of_birth", date.today() + timedelta(days=1)),  # noqa: DTZ011
            "Date of birth must be today or in the past",
        ),
        (
            "referrals",
            {"referral_date_0": "31", "referral_date_1": "2", "referral_date_2": "2020"},
            "Referral date must be a real date",
        ),
        ("plans", dmy("start_date", None), "Enter the start date"),
        ("plans", {"end_date_2": ""}, "End date must include a year"),
        (
            "checks",
            {"response_date_0": "4", "response_date_1": "5"},
            "Response date must include a year",
        ),
        ("visits", dmy("visit_date", None), "Enter the visit date"),
        ("orders", {"order_type": ""}, "Select order type"),
        ("referrals", {"method": ""}, "Select method"),
        ("children", {"name": ""}, "Enter name"),
        ("checks", {"agency": "fbi"}, "Select a valid option for agency"),
        ("orders", {"requirements": ["juggling"]}, "Select a valid option for requirements"),
    ],
)
def test_add_a_part_with_a_mistake(case, people, login, part, changes, message):
    data, _ = PART_FORMS[part]
    before = row_counts()
    response = login(people.inspector).post(
        reverse("casefiles:part_add", args=[case.public_id, part]), {**data, **changes}
    )
    assert response.status_code == 200
    assert title(response).startswith(("Error: Add a ", "Error: Add an "))
    assert message in error_summary(response)
    assert row_counts() == before


def test_change_a_part_with_a_mistake_changes_nothing(case, people, login):
    referral = fill_file(case)["referrals"]
    data, _ = PART_FORMS["referrals"]
    response = login(people.inspector).post(
        reverse("casefiles:part_edit", args=[case.public_id, "referrals", referral.public_id]),
        {**data, **dmy("response_date", date(2017, 6, 1))},
    )
    assert error_summary(response) == ["Response date must be on or after the referral date"]
    assert title(response).startswith("Error: Change the referral")
    before = (referral.referral_date, referral.response_date, referral.method)
    referral.refresh_from_db()
    assert (referral.referral_date, referral.response_date, referral.method) == before


def test_a_plan_or_referral_names_only_children_of_this_case(case, inspection, people, login):
    other = make_case(inspection, reference="C-002")
    stranger = LinkedChild.objects.create(case=other, name="Stranger Child", relationship="child")
    mine = LinkedChild.objects.create(case=case, name="Own Child", relationship="child")
    client = login(people.inspector)
    form = html(client.get(reverse("casefiles:part_add", args=[case.public_id, "plans"])))
    assert "Own Child" in form
    assert "Stranger Child" not in form

    data, _ = PART_FORMS["referrals"]
    before = row_counts()
    response = client.post(
        reverse("casefiles:part_add", args=[case.public_id, "referrals"]),
        {**data, "child": str(stranger.pk)},
    )
    assert error_summary(response) == ["Select a valid option for child"]
    assert row_counts() == before
    client.post(
        reverse("casefiles:part_add", args=[case.public_id, "referrals"]),
        {**data, "child": str(mine.pk)},
    )
    assert Referral.objects.get(case=case).child == mine


# Who may do what -------------------------------------------------------------------------------


@pytest.fixture
def file(case):
    return fill_file(case)


def read_urls(case) -> list[str]:
    return [
        reverse("inspection:detail", args=[case.inspection.reference]),
        reverse("casefiles:list", args=[case.inspection.reference]),
        reverse("casefiles:detail", args=[case.public_id]),
    ]


def write_urls(case, parts) -> list[str]:
    urls = [
        reverse("casefiles:create", args=[case.inspection.reference]),
        reverse("casefiles:edit", args=[case.public_id]),
    ]
    for key, part in parts.items():
        urls += [
            reverse("casefiles:part_add", args=[case.public_id, key]),
            reverse("casefiles:part_edit", args=[case.public_id, key, part.public_id]),
            reverse("casefiles:part_delete", args=[case.public_id, key, part.public_id]),
        ]
    return urls


def test_every_page_needs_a_sign_in(client, case, file):
    for url in read_urls(case) + write_urls(case, file):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response["Location"] == f"/login/?next={quote(url)}", url


def test_an_outsider_finds_nothing(case, file, people, login):
    client = login(people.outsider)
    before = row_counts()
    for url in read_urls(case):
        assert client.get(url).status_code == 404, url
    for url in write_urls(case, file):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert row_counts() == before


@pytest.mark.parametrize("who", ["manager", "qa", "admin"])
def test_read_only_people_read_but_change_nothing(case, file, people, login, who):
    client = login(getattr(people, who))
    for url in read_urls(case):
        assert client.get(url).status_code == 200, url
    before = row_counts()
    for url in write_urls(case, file):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"reference": "C-999"}).status_code == 403, url
    assert row_counts() == before
    page = html(client.get(reverse("casefiles:detail", args=[case.public_id])))
    assert "Change case details" not in page
    assert "Remove" not in page
    assert "Add a case" not in html(client.get(read_urls(case)[1]))


@pytest.mark.parametrize("who", ["lead", "inspector", "colleague", "partner"])
def test_the_team_may_change_case_files(case, file, people, login, who):
    client = login(getattr(people, who))
    add, *change = write_urls(case, file)
    for url in read_urls(case) + change:
        assert client.get(url).status_code == 200, url
    # Adding a case is the lead's, with the reason it is outside the draw.
    assert client.get(add).status_code == (200 if who == "lead" else 403)


def test_an_agreed_case_is_locked(case, file, people, login):
    case.status = Case.Status.AGREED
    case.save()
    client = login(people.inspector)
    page = html(client.get(reverse("casefiles:detail", args=[case.public_id])))
    assert "Change case details" not in page
    assert "Remove" not in page
    before = row_counts()
    for url in write_urls(case, file)[1:]:
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    assert row_counts() == before


def test_a_part_of_one_case_is_not_found_through_another(case, inspection, file, people, login):
    other = make_case(inspection, reference="C-002", inspector=people.inspector)
    client = login(people.inspector)
    before = row_counts()
    for key, part in file.items():
        for name in ("casefiles:part_edit", "casefiles:part_delete"):
            url = reverse(name, args=[other.public_id, key, part.public_id])
            assert client.get(url).status_code == 404, url
            assert client.post(url).status_code == 404, url
    assert row_counts() == before


def test_a_part_under_the_wrong_name_is_not_found(case, file, people, login):
    client = login(people.inspector)
    order = file["orders"]
    assert (
        client.get(reverse("casefiles:part_add", args=[case.public_id, "bogus"])).status_code == 404
    )
    wrong_kind = reverse("casefiles:part_edit", args=[case.public_id, "plans", order.public_id])
    assert client.get(wrong_kind).status_code == 404
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_wrong_methods_are_refused(case, file, people, login):
    client = login(people.inspector)
    for url in read_urls(case):
        assert client.post(url).status_code == 405, url
        assert client.delete(url).status_code == 405, url
    for url in write_urls(case, file):
        assert client.put(url).status_code == 405, url
        assert client.delete(url).status_code == 405, url
