"""Setting an inspection up, building its team and moving its stage, through the pages."""

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from inspection import readiness
from inspection.models import Area, Inspection, InspectionChange, Membership, Organisation
from inspection.readiness import Missing
from tests.conftest import make_case, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:No directory at")]
Stage = Inspection.Status


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def error_summary(response) -> list[str]:
    body = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', body, re.S)
    assert summary, "no error summary"
    return [
        unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", summary.group(0), re.S)
    ]


@pytest.fixture
def inspection_manager(db):
    return make_user("setter", sets_up_inspections=True)


def _form(organisation, framework, lead_user, **changes) -> dict:
    data = {
        "title": "Youth justice in Barking",
        "reference": "yjs-barking-2026",
        "kind": "service",
        "organisations": [organisation.pk],
        "framework": framework.pk,
        "fieldwork_start_0": "13",
        "fieldwork_start_1": "4",
        "fieldwork_start_2": "2026",
        "fieldwork_end_0": "24",
        "fieldwork_end_1": "4",
        "fieldwork_end_2": "2026",
        "partner_inspectorates": ["ofsted"],
        "lead": lead_user.pk if lead_user else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --------------------------------------------------------------------------- creating


def test_an_inspection_manager_creates_an_inspection_and_names_its_lead(
    login, inspection_manager, organisation, yos_framework, people
):
    client = login(inspection_manager)
    assert "Create an inspection" in text(client.get(reverse("inspection:home")))

    response = client.post(
        reverse("inspection:create"), _form(organisation, yos_framework, people.lead)
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("inspection:created", args=["yjs-barking-2026"])
    inspection = Inspection.objects.get(reference="yjs-barking-2026")
    assert (inspection.title, inspection.kind, inspection.status) == (
        "Youth justice in Barking",
        "service",
        Stage.PLANNING,
    )
    assert (inspection.fieldwork_start, inspection.fieldwork_end) == (
        date(2026, 4, 13),
        date(2026, 4, 24),
    )
    assert inspection.partner_inspectorates == ["ofsted"]
    assert list(inspection.organisations.all()) == [organisation]
    assert list(inspection.memberships.values_list("user__username", "role")) == [("lead", "lead")]
    history = {
        c.subject: c.new_value
        for c in InspectionChange.objects.filter(inspection=inspection, actor=inspection_manager)
    }
    assert history["Title"] == "Youth justice in Barking"
    assert history["Team: Lead Tester"] == "Lead inspector"
    page = text(client.get(response["Location"]))
    assert "Inspection set up" in page and "Ofsted" in page and "Lead Tester" in page


def test_the_newest_framework_is_offered_first(login, inspection_manager, yos_framework):
    from inspection.setup.forms import newest_framework

    response = login(inspection_manager).get(reverse("inspection:create"))

    selected = re.search(
        r'<option value="(\d+)" selected>', response.content.decode().split('name="framework"')[1]
    )
    assert int(selected.group(1)) == newest_framework().pk


@pytest.mark.parametrize("who", ["lead", "inspector", "manager", "outsider"])
def test_only_inspection_managers_and_administrators_create(login, people, who):
    client = login(getattr(people, who))
    assert client.get(reverse("inspection:create")).status_code == 403
    assert "Create an inspection" not in text(client.get(reverse("inspection:home")))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reference": "Bad reference!"}, "Reference must be lower-case letters"),
        ({"reference": "new"}, "Reference cannot be 'new': choose another"),
        ({"reference": "yos-bd-2018"}, "An inspection with this reference already exists"),
        ({"reference": "YOS-BD-2018"}, "An inspection with this reference already exists"),
        ({"reference": "x" * 81}, "Reference must be 80 characters or fewer"),
        ({"title": ""}, "Enter title"),
        ({"title": "a\x00b"}, "Title must not contain null characters"),
        ({"kind": "secret"}, "Select a valid option for kind of inspection"),
        ({"fieldwork_end_0": "1"}, "Fieldwork end must be on or after the fieldwork start"),
        ({"fieldwork_start_1": "13"}, "Fieldwork start must be a real date"),
        ({"organisations": []}, "Select an organisation inspected, or add one below"),
        ({"lead": ""}, "Select lead inspector"),
        ({"organisations": ["99999999999999999999999"]}, "Select valid organisations inspected"),
        ({"organisations": ["x\x00"]}, "Select valid organisations inspected"),
        ({"partner_inspectorates": ["hmip"]}, "Select valid partner inspectorates"),
    ],
)
def test_bad_input_is_named_in_the_error_summary_and_nothing_is_saved(
    login, inspection_manager, inspection, organisation, yos_framework, people, changes, message
):
    before = Inspection.objects.count(), InspectionChange.objects.count()

    response = login(inspection_manager).post(
        reverse("inspection:create"), _form(organisation, yos_framework, people.lead, **changes)
    )

    assert response.status_code == 200
    assert any(message in item for item in error_summary(response)), error_summary(response)
    assert (Inspection.objects.count(), InspectionChange.objects.count()) == before


def test_a_new_organisation_is_added_with_a_new_area(
    login, inspection_manager, organisation, yos_framework, people
):
    response = login(inspection_manager).post(
        reverse("inspection:create"),
        _form(
            organisation,
            yos_framework,
            people.lead,
            organisations=[],
            new_organisation_name="Havering YJS",
            new_organisation_kind="yjs",
            new_area_name="Havering",
            new_area_police_force="Metropolitan Police",
            new_area_region="London",
        ),
    )

    assert response.status_code == 302
    inspection = Inspection.objects.get(reference="yjs-barking-2026")
    added = inspection.organisations.get()
    assert (added.name, added.kind, added.area.name, added.area.region) == (
        "Havering YJS",
        "yjs",
        "Havering",
        "London",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"new_organisation_kind": "yjs"}, "Enter the name of the organisation to add"),
        ({"new_organisation_name": "Havering YJS"}, "Select the kind of the new organisation"),
        (
            {"new_organisation_name": "Havering YJS", "new_organisation_kind": "yjs"},
            "Select the area of the new organisation, or add an area below",
        ),
        (
            {
                "new_organisation_name": "Havering YJS",
                "new_organisation_kind": "yjs",
                "new_area_name": "Havering",
            },
            "Enter the police force area",
        ),
        (
            {"new_organisation_name": "barking and dagenham yos", "new_organisation_kind": "yos"},
            "Barking and Dagenham YOS is already listed",
        ),
    ],
)
def test_an_incomplete_new_organisation_is_refused(
    login, inspection_manager, organisation, yos_framework, people, changes, message
):
    organisations = Organisation.objects.count(), Area.objects.count()

    response = login(inspection_manager).post(
        reverse("inspection:create"), _form(organisation, yos_framework, people.lead, **changes)
    )

    assert response.status_code == 200
    assert any(message in item for item in error_summary(response)), error_summary(response)
    assert (Organisation.objects.count(), Area.objects.count()) == organisations
    assert not Inspection.objects.filter(reference="yjs-barking-2026").exists()


# --------------------------------------------------------------------------- changing


def test_the_lead_changes_the_set_up_before_fieldwork_and_each_change_is_recorded(
    login, inspection, organisation, yos_framework, people
):
    response = login(people.lead).post(
        reverse("inspection:edit", args=[inspection.reference]),
        _form(
            organisation,
            yos_framework,
            None,
            reference=inspection.reference,
            title="A better title",
            partner_inspectorates=[],
        ),
    )

    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.title == "A better title"
    changes = {
        c.subject: (c.old_value, c.new_value)
        for c in InspectionChange.objects.filter(inspection=inspection)
    }
    assert changes["Title"] == (
        "Youth offending services in Barking and Dagenham",
        "A better title",
    )
    assert changes["Fieldwork start"] == ("16 April 2018", "13 April 2026")
    assert "Partner inspectorates" not in changes  # None before, none after
    assert "Reference" not in changes


def test_after_fieldwork_starts_the_set_up_page_says_why_it_cannot_change(
    login, inspection, organisation, yos_framework, people
):
    Inspection.objects.filter(pk=inspection.pk).update(status=Stage.FIELDWORK)
    client = login(people.lead)
    url = reverse("inspection:edit", args=[inspection.reference])

    page = text(client.get(url))
    response = client.post(
        url, _form(organisation, yos_framework, None, reference=inspection.reference, title="X")
    )

    assert "The set-up can no longer be changed" in page
    assert "fieldwork stage" in page
    assert response.status_code == 200
    inspection.refresh_from_db()
    assert inspection.title != "X"
    assert not InspectionChange.objects.exists()


def test_the_framework_cannot_change_once_there_are_cases(
    login, inspection, organisation, cp_framework, people
):
    make_case(inspection)

    response = login(people.lead).post(
        reverse("inspection:edit", args=[inspection.reference]),
        _form(organisation, cp_framework, None, reference=inspection.reference),
    )

    assert response.status_code == 200
    assert "The framework cannot be changed once the inspection has cases" in error_summary(
        response
    )
    inspection.refresh_from_db()
    assert inspection.framework.slug != cp_framework.slug


# --------------------------------------------------------------------------- the team


def test_the_lead_adds_a_partner_with_their_inspectorate(login, inspection, people):
    newcomer = make_user("newcomer")
    client = login(people.lead)
    url = reverse("inspection:team_add", args=[inspection.reference])

    refused = client.post(url, {"user": newcomer.pk, "role": "partner"})
    added = client.post(url, {"user": newcomer.pk, "role": "partner", "inspectorate": "cqc"})

    assert "Select the partner inspector's inspectorate" in error_summary(refused)
    assert added.status_code == 302
    membership = Membership.objects.get(inspection=inspection, user=newcomer)
    assert (membership.role, membership.inspectorate) == ("partner", "cqc")
    change = InspectionChange.objects.get(inspection=inspection)
    assert (change.actor, change.action, change.subject, change.new_value) == (
        people.lead,
        InspectionChange.Action.MEMBER_ADDED,
        "Team: Newcomer Tester",
        "Partner inspector (Care Quality Commission)",
    )
    team = text(client.get(reverse("inspection:team", args=[inspection.reference])))
    assert "Member added: Team: Newcomer Tester" in team


def test_an_inspector_is_from_hmi_probation_whatever_the_form_says(login, inspection, people):
    newcomer = make_user("newcomer")

    login(people.lead).post(
        reverse("inspection:team_add", args=[inspection.reference]),
        {"user": newcomer.pk, "role": "inspector", "inspectorate": "cqc"},
    )

    assert Membership.objects.get(user=newcomer).inspectorate == "hmip"


def test_someone_already_on_the_team_is_not_offered(login, inspection, people):
    response = login(people.lead).post(
        reverse("inspection:team_add", args=[inspection.reference]),
        {"user": people.qa.pk, "role": "inspector"},
    )

    assert response.status_code == 200
    assert "Select a valid option for person" in error_summary(response)


def test_removing_someone_with_cases_says_to_reassign_them_first(login, inspection, people):
    make_case(inspection, reference="C-1", inspector=people.inspector)
    make_case(inspection, reference="C-2", inspector=people.inspector)
    make_case(inspection, reference="C-3", inspector=people.inspector)
    membership = Membership.objects.get(inspection=inspection, user=people.inspector)
    client = login(people.lead)
    url = reverse("inspection:team_remove", args=[membership.public_id])

    page = text(client.get(url))
    client.post(url)

    assert "Reassign their 3 cases first" in page
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not InspectionChange.objects.exists()


def test_the_last_lead_cannot_be_removed(login, inspection, people):
    membership = Membership.objects.get(inspection=inspection, user=people.lead)
    client = login(people.lead)

    client.post(reverse("inspection:team_remove", args=[membership.public_id]))

    assert Membership.objects.filter(pk=membership.pk).exists()
    assert "is the only lead inspector" in text(
        client.get(reverse("inspection:team_remove", args=[membership.public_id]))
    )


def test_the_lead_removes_a_member_after_confirming_and_it_is_recorded(login, inspection, people):
    membership = Membership.objects.get(inspection=inspection, user=people.colleague)
    client = login(people.lead)
    url = reverse("inspection:team_remove", args=[membership.public_id])

    assert "Are you sure you want to remove Colleague Tester" in text(client.get(url))
    response = client.post(url)

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    change = InspectionChange.objects.get(inspection=inspection)
    assert (change.action, change.old_value, change.new_value) == (
        InspectionChange.Action.MEMBER_REMOVED,
        "Inspector",
        "",
    )


def test_the_team_page_queries_do_not_grow_with_the_team_or_history(
    login, inspection, people, django_assert_num_queries
):
    for n in range(5):
        user = make_user(f"extra{n}")
        login(people.lead).post(
            reverse("inspection:team_add", args=[inspection.reference]),
            {"user": user.pk, "role": "inspector"},
        )
    client = login(people.inspector)
    # 1 session, 2 user (with whether a safeguarding concern waits for them: none does, so
    # the banner reads nothing), 3 inspection through the user's access, 4 the user's role on
    # its team, 5 members with their users, 6 cases assigned per member, 7 the history with
    # its actors.
    with django_assert_num_queries(7):
        response = client.get(reverse("inspection:team", args=[inspection.reference]))
    assert response.status_code == 200
    assert text(response).count("Member added") == 5


# --------------------------------------------------------------------------- stages


def test_the_lead_moves_the_stage_through_a_confirmation_page(login, inspection, people):
    client = login(people.lead)
    detail = text(client.get(reverse("inspection:detail", args=[inspection.reference])))
    url = reverse("inspection:stage_move", args=[inspection.reference, "start-fieldwork"])

    confirmation = text(client.get(url))
    response = client.post(url)

    assert "Start fieldwork" in detail
    assert "can no longer be changed" in confirmation
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == Stage.FIELDWORK


def test_a_move_back_without_a_reason_is_refused_with_the_error_named(login, inspection, people):
    Inspection.objects.filter(pk=inspection.pk).update(status=Stage.REPORTING)
    url = reverse(
        "inspection:stage_move", args=[inspection.reference, "return-to-quality-assurance"]
    )

    response = login(people.lead).post(url, {"reason": ""})

    assert error_summary(response) == ["Enter reason"]
    inspection.refresh_from_db()
    assert inspection.status == Stage.REPORTING


def test_approval_is_refused_with_what_is_missing_listed(login, inspection, people, monkeypatch):
    monkeypatch.setattr(readiness, "_checks", {})
    readiness.register_check("test", lambda i: [Missing("Write the foreword", "/foreword/")])
    approver = make_user("approver", approves_reports=True)
    Inspection.objects.filter(pk=inspection.pk).update(status=Stage.APPROVAL)
    url = reverse("inspection:stage_move", args=[inspection.reference, "approve"])
    client = login(approver)

    page = client.get(url)
    response = client.post(url)

    assert "The report cannot be approved yet" in text(page)
    assert '<a href="/foreword/">Write the foreword</a>' in page.content.decode()
    assert "Write the foreword" in text(response)
    inspection.refresh_from_db()
    assert not inspection.is_approved


def test_a_stale_move_says_the_inspection_has_moved_on(login, inspection, people):
    url = reverse("inspection:stage_move", args=[inspection.reference, "start-fieldwork"])
    client = login(people.lead)
    client.post(url)

    again = client.post(url)

    assert again.status_code == 200
    assert "it has changed since the page was opened" in text(again)
    assert InspectionChange.objects.count() == 1


def test_an_unknown_move_is_not_found(login, inspection, people):
    url = reverse("inspection:stage_move", args=[inspection.reference, "skip"])
    assert login(people.lead).get(url).status_code == 404


def test_a_save_over_someone_elses_change_is_refused(
    login, inspection, organisation, yos_framework, people, inspection_manager
):
    url = reverse("inspection:edit", args=[inspection.reference])
    page = login(people.lead).get(url).content.decode()
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', page).group(1)
    # The inspection manager changes the title meanwhile.
    Inspection.objects.filter(pk=inspection.pk).update(title="Their title")

    response = login(people.lead).post(
        url,
        _form(
            organisation,
            yos_framework,
            None,
            reference=inspection.reference,
            title="My title",
            seen=seen,
        ),
    )

    assert response.status_code == 200
    assert (
        "Someone else changed the set-up after you opened this page" in error_summary(response)[0]
    )
    assert 'value="Their title"' in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.title == "Their title"
    assert not InspectionChange.objects.exists()
