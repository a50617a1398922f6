"""The pages of safeguarding concerns: raising one, the lead's banner, following it up."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casefiles.concerns import services
from casefiles.concerns.models import Concern
from casefiles.context_processors import concern_alerts
from casefiles.models import LinkedChild

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(case):
    return LinkedChild.objects.create(case=case, name="Mia Morgan", relationship="child")


def raise_one(case, actor, **more):
    return services.concern_raise(
        case=case,
        about=services.About(subject=True),
        urgency=more.get("urgency", "immediate"),
        found="Bruising seen at the last visit and not reported.",
        why_urgent="The child is at home with the person who hurt them.",
        actor=actor,
    )


def test_every_page_of_a_case_offers_to_raise_a_concern(login, case, people):
    client = login(people.inspector)
    raise_url = reverse("casefiles:concern_raise", args=[case.public_id])
    for name, kwargs in (
        ("casefiles:detail", [case.public_id]),
        ("judgements:case_summary", [case.public_id]),
        ("judgements:step", [case.public_id, "2.1"]),
        ("judgements:history", [case.public_id]),
    ):
        html = client.get(reverse(name, args=kwargs)).content.decode()
        assert f'href="{raise_url}"' in html, name
    manager = login(people.manager)
    html = manager.get(reverse("casefiles:detail", args=[case.public_id])).content.decode()
    assert raise_url not in html


def test_raising_a_concern_through_the_form(login, case, child, people):
    client = login(people.inspector)
    url = reverse("casefiles:concern_raise", args=[case.public_id])
    page = client.get(url).content.decode()
    assert "Mia Morgan" in page and "Jayden Morgan (the person supervised)" in page

    response = client.post(
        url,
        {
            "about": str(child.public_id),
            "found": "No visit since the police reported violence at home.",
            "why_urgent": "The child still lives there.",
            "urgency": "immediate",
        },
    )

    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casefiles:concern_detail", args=[concern.public_id])
    assert concern.child == child and concern.raised_by == people.inspector


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select who is the concern about"),
        ({"about": "subject", "why_urgent": "x", "urgency": "immediate"}, "Enter what was found"),
        ({"about": "subject", "found": "x", "urgency": "immediate"}, "Enter why it is urgent"),
        ({"about": "subject", "found": "x", "why_urgent": "y"}, "Select how urgent is it"),
        (
            {"about": "subject", "found": "x" * 5001, "why_urgent": "y", "urgency": "immediate"},
            "What was found must be 5000 characters or fewer",
        ),
        (
            {"about": "nobody", "found": "x", "why_urgent": "y", "urgency": "immediate"},
            "Select a valid option for who is the concern about",
        ),
        (
            {"about": "subject", "found": "a\x00b", "why_urgent": "y", "urgency": "immediate"},
            "What was found must not contain null characters",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(login, case, people, data, message):
    client = login(people.inspector)
    response = client.post(reverse("casefiles:concern_raise", args=[case.public_id]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert not Concern.objects.exists()


def test_the_lead_sees_a_banner_on_every_page_until_acknowledging(login, case, people):
    concern = raise_one(case, people.inspector)
    lead = login(people.lead)
    for url in (reverse("inspection:home"), reverse("casefiles:detail", args=[case.public_id])):
        html = lead.get(url).content.decode()
        assert 'id="concern-banner"' in html
        assert "1 safeguarding concern on" in html
        assert reverse("casefiles:concerns", args=[case.inspection.reference]) in html
    inspector = login(people.inspector)
    assert 'id="concern-banner"' not in inspector.get(reverse("inspection:home")).content.decode()

    lead = login(people.lead)
    response = lead.post(
        reverse("casefiles:concern_acknowledge", args=[concern.public_id]), {"version": "1"}
    )
    assert response.status_code == 302
    assert 'id="concern-banner"' not in lead.get(reverse("inspection:home")).content.decode()


def test_the_banner_costs_one_query_per_request_however_often_it_is_asked(rf, case, people):
    raise_one(case, people.inspector)
    raise_one(case, people.inspector)
    request = rf.get("/")
    request.user = people.lead
    with CaptureQueriesContext(connection) as queries:
        first = concern_alerts(request)
        again = concern_alerts(request)
    # the one query: unacknowledged concerns on inspections the person leads, by inspection
    assert len(queries) == 1
    assert first == again and first["concern_alerts"][0]["waiting"] == 2


def test_the_inspection_page_lists_open_concerns_and_marks_the_overdue(
    login, case, people, inspection
):
    concern = raise_one(case, people.inspector)
    services.concern_acknowledge(concern=concern, actor=people.lead)
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    Concern.objects.filter(pk=concern.pk).update(
        raised_at=timezone.now() - timezone.timedelta(days=3)
    )
    services.concern_refer(
        concern=concern,
        organisation="Children's social care",
        person="Duty manager",
        referred_on=yesterday,
        method="phone",
        response_due=yesterday,
        actor=people.lead,
    )
    url = reverse("inspection:detail", args=[inspection.reference])
    html = login(people.lead).get(url).content.decode()
    assert 'id="open-concerns"' in html and "Overdue" in html
    assert reverse("casefiles:concern_detail", args=[concern.public_id]) in html

    html = login(people.manager).get(url).content.decode()
    assert "1 open" in html and "1 overdue" in html
    assert reverse("casefiles:concern_detail", args=[concern.public_id]) not in html


def test_managers_dashboards_show_counts_only(login, case, people, area):
    raise_one(case, people.inspector)
    client = login(people.manager)
    html = client.get(reverse("reports:dashboard_area", args=[area.slug])).content.decode()
    assert 'id="concern-counts"' in html and "1 open" in html
    assert "Bruising" not in html and "Jayden" not in html


def test_who_reads_which_concern(login, case, people, inspection):
    from tests.conftest import make_case

    other_case = make_case(inspection, reference="C-002", inspector=people.colleague)
    mine = raise_one(case, people.inspector)
    theirs = raise_one(other_case, people.colleague)
    detail = lambda c: reverse("casefiles:concern_detail", args=[c.public_id])  # noqa: E731

    inspector = login(people.inspector)
    assert inspector.get(detail(mine)).status_code == 200
    assert inspector.get(detail(theirs)).status_code == 404
    listing = inspector.get(reverse("casefiles:concerns", args=[inspection.reference]))
    assert detail(mine) in listing.content.decode()
    assert detail(theirs) not in listing.content.decode()
    for who in (people.lead, people.qa):
        client = login(who)
        assert client.get(detail(theirs)).status_code == 200
    for who in (people.manager, people.admin, people.outsider):
        assert login(who).get(detail(mine)).status_code == 404
    assert (
        login(people.manager)
        .get(reverse("casefiles:concerns", args=[inspection.reference]))
        .status_code
        == 403
    )


def test_the_lead_records_the_referral_response_and_closure_through_the_pages(login, case, people):
    concern = raise_one(case, people.inspector)
    client = login(people.lead)
    client.post(reverse("casefiles:concern_acknowledge", args=[concern.public_id]), {"version": 1})
    today = timezone.localdate()
    response = client.post(
        reverse("casefiles:concern_referral", args=[concern.public_id]),
        {
            "organisation": "Barking and Dagenham children's social care",
            "person": "Pat Jones",
            "referred_on_0": today.day,
            "referred_on_1": today.month,
            "referred_on_2": today.year,
            "method": "phone",
            "reference": "",
            "version": 2,
        },
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Concern.Status.REFERRED and concern.response_due > today

    # A stale copy of the form (the referral was saved since it was opened) is refused.
    response = client.post(
        reverse("casefiles:concern_response", args=[concern.public_id]),
        {
            "received_on_0": today.day,
            "received_on_1": today.month,
            "received_on_2": today.year,
            "response": "Visited today.",
            "version": 2,
        },
    )
    assert (
        response.status_code == 200 and "changed since you opened it" in response.content.decode()
    )
    response = client.post(
        reverse("casefiles:concern_response", args=[concern.public_id]),
        {
            "received_on_0": today.day,
            "received_on_1": today.month,
            "received_on_2": today.year,
            "response": "Visited today.",
            "version": 3,
        },
    )
    assert response.status_code == 302
    response = client.post(reverse("casefiles:concern_close", args=[concern.public_id]), {})
    assert response.status_code == 200 and "Select outcome" in response.content.decode()
    response = client.post(
        reverse("casefiles:concern_close", args=[concern.public_id]),
        {"outcome": "service_acted", "note": "", "version": 4},
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == Concern.Status.CLOSED
    assert concern.changes.count() > 10


def test_the_inspector_cannot_follow_up(login, case, people):
    concern = raise_one(case, people.inspector)
    client = login(people.inspector)
    for name in ("concern_acknowledge", "concern_referral", "concern_close"):
        response = client.post(reverse(f"casefiles:{name}", args=[concern.public_id]), {})
        assert response.status_code == 403, name
    concern.refresh_from_db()
    assert concern.status == Concern.Status.RAISED


@pytest.mark.parametrize("count", [1, 6])
def test_the_list_of_concerns_makes_a_fixed_number_of_queries(
    login, case, people, inspection, child, django_assert_num_queries, count
):
    for number in range(count):
        services.concern_raise(
            case=case,
            about=services.About(child=child) if number % 2 else services.About(subject=True),
            urgency="immediate",
            found="Found",
            why_urgent="Urgent",
            actor=people.inspector,
        )
    client = login(people.lead)
    url = reverse("casefiles:concerns", args=[inspection.reference])
    # 1 session, 2 user (with whether a safeguarding concern waits for them: these do), 3 the
    # inspection through the user's access, 4 the user's role on its team, 5 the concerns
    # with their case, child and who raised them, 6 the lead's safeguarding banner. The
    # session is not written (its expiry was moved on at sign-in).
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count("/concerns/") >= count


def test_the_methodology_states_how_many_were_raised_and_closed(case, people, inspection):
    from django.template import Context, Template

    line = Template("{% load concerns %}{% methodology_concerns inspection %}")
    assert "raised no safeguarding concerns" in line.render(Context({"inspection": inspection}))
    raise_one(case, people.inspector)
    raise_one(case, people.inspector)
    text = line.render(Context({"inspection": inspection}))
    assert "Inspectors raised 2 safeguarding concerns" in text
    assert "0 of 2 were followed up to closure" in text
    assert "Bruising" not in text and case.reference not in text
