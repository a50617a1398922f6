"""Changes to case files: audited field by field, versioned, and the lead's once submitted."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from casefiles import services
from casefiles.forms import ChildForm
from casefiles.models import Case, CaseFileChange, LinkedChild
from reports.retention import case_data_counts

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")


def dmy(name: str, value: date) -> dict[str, str]:
    return {
        f"{name}_0": str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }


def child_data(**changes) -> dict[str, str]:
    return {
        "name": "Leo Clarke",
        **dmy("date_of_birth", date(2013, 7, 8)),
        "address": "4 Mill Road",
        "relationship": "sibling",
        "lives_with_subject": "on",
        "offender_role": "protective_factor",
        **changes,
    }


def case_data(case: Case, **changes) -> dict[str, str]:
    return {
        "reference": case.reference,
        "organisation": str(case.organisation_id),
        "sample_type": case.sample_type,
        "subject_kind": case.subject_kind,
        "subject_name": case.subject_name,
        "gender": case.gender,
        "ethnicity": case.ethnicity,
        **dmy("date_of_birth", case.date_of_birth),
        "risk_of_serious_harm": case.risk_of_serious_harm,
        "safety_and_wellbeing": case.safety_and_wellbeing,
        "mappa_level": case.mappa_level,
        "main_source_of_risk": case.main_source_of_risk,
        "case_manager": case.case_manager,
        **changes,
    }


def words(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def part_url(case, name="part_add", *args):
    return reverse(f"casefiles:{name}", args=[case.public_id, "children", *args])


def add_child(client, case, **changes) -> LinkedChild:
    response = client.post(part_url(case), child_data(**changes))
    assert response.status_code == 302, words(response)
    return LinkedChild.objects.get(case=case, name=changes.get("name", "Leo Clarke"))


def submit(case: Case, status=Case.Status.SUBMITTED) -> None:
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()


# The audit trail --------------------------------------------------------------------------


def test_adding_changing_and_removing_a_part_is_audited_field_by_field(login, people, case):
    client = login(people.inspector)
    child = add_child(client, case)
    added = CaseFileChange.objects.filter(part_public_id=child.public_id)
    assert {(c.field_name, c.old_value, c.new_value) for c in added} >= {
        ("name", "", "Leo Clarke"),
        ("date_of_birth", "", "2013-07-08"),
        ("address", "", "4 Mill Road"),
    }
    assert {c.action for c in added} == {"created"}
    assert {c.actor for c in added} == {people.inspector}

    response = client.post(
        part_url(case, "part_edit", child.public_id),
        child_data(name="Leon Clarke", version="1"),
    )
    assert response.status_code == 302
    (changed,) = CaseFileChange.objects.filter(action="changed")
    assert (changed.field, changed.old_value, changed.new_value) == (
        "Name",
        "Leo Clarke",
        "Leon Clarke",
    )
    assert changed.version == 2

    response = client.post(part_url(case, "part_delete", child.public_id), {"version": "2"})
    assert response.status_code == 302
    removed = CaseFileChange.objects.filter(action="deleted")
    assert ("name", "Leon Clarke", "") in {
        (c.field_name, c.old_value, c.new_value) for c in removed
    }
    assert not LinkedChild.objects.filter(pk=child.pk).exists()


def test_changing_the_case_details_is_audited(login, people, case):
    client = login(people.inspector)
    url = reverse("casefiles:edit", args=[case.public_id])
    response = client.post(url, case_data(case, subject_name="Jay Morgan", version="1"))
    assert response.status_code == 302
    (change,) = CaseFileChange.objects.filter(case=case)
    assert (change.part, change.field_name, change.old_value, change.new_value) == (
        "case",
        "subject_name",
        "Jayden Morgan",
        "Jay Morgan",
    )
    case.refresh_from_db()
    assert case.version == 2


def test_adding_a_case_is_audited(login, people, inspection, organisation):
    client = login(people.lead)
    data = case_data(
        Case(
            reference="C-200",
            organisation=organisation,
            sample_type="court_disposal",
            subject_kind="child",
            subject_name="Amelia Clarke",
            gender="female",
            ethnicity="mixed",
            date_of_birth=date(2003, 2, 1),
            risk_of_serious_harm="high",
            safety_and_wellbeing="medium",
            mappa_level="none",
            main_source_of_risk="partner",
            case_manager="Dee Patel",
        )
    )
    data["added_reason"] = "Raised by the service"
    response = client.post(reverse("casefiles:create", args=[inspection.reference]), data)
    assert response.status_code == 302
    case = Case.objects.get(reference="C-200")
    created = {c.field_name: c.new_value for c in case.file_changes.all()}
    assert created["subject_name"] == "Amelia Clarke"
    assert created["added_reason"] == "Raised by the service"
    assert created["reference"] == "C-200"


def test_the_audit_row_is_written_in_the_same_transaction(login, people, case):
    client = login(people.inspector)
    with (
        mock.patch.object(
            CaseFileChange.objects, "bulk_create", side_effect=RuntimeError("audit failed")
        ),
        pytest.raises(RuntimeError),
    ):
        client.post(part_url(case), child_data())
    assert not LinkedChild.objects.filter(case=case).exists()


def test_the_case_history_shows_the_file_changes(login, people, case):
    client = login(people.inspector)
    child = add_child(client, case)
    client.post(part_url(case, "part_edit", child.public_id), child_data(address="5 Mill Road"))
    page = words(client.get(reverse("judgements:history", args=[case.public_id])))
    assert "Case file Inspector Tester" in page
    assert "Linked child changed: Address Before: 4 Mill Road After: 5 Mill Road" in page
    assert "Inspector Tester" in page


def test_a_manager_reads_the_history_with_personal_values_withheld(login, people, case):
    add_child(login(people.inspector), case)
    page = words(login(people.manager).get(reverse("judgements:history", args=[case.public_id])))
    assert "Linked child added: Name" in page
    assert "Leo Clarke" not in page
    assert "4 Mill Road" not in page
    assert "Withheld" in page


def test_the_trail_goes_with_the_case_data_at_retention(login, people, case):
    add_child(login(people.inspector), case)
    counts = case_data_counts(case.inspection)
    assert counts["case_file_changes"] == CaseFileChange.objects.filter(case=case).count() > 0
    Case.objects.filter(pk=case.pk).delete()
    assert not CaseFileChange.objects.exists()


# Versions: a stale form is refused with what changed ----------------------------------------


def test_a_stale_part_form_is_refused_with_what_changed(login, people, case):
    client = login(people.inspector)
    child = add_child(client, case)
    url = part_url(case, "part_edit", child.public_id)
    # Two people open the form at version 1; the first saves.
    assert client.post(url, child_data(name="Leon Clarke", version="1")).status_code == 302
    response = client.post(url, child_data(address="9 Other Road", version="1"))
    assert response.status_code == 200
    page = words(response)
    assert "Your changes were not saved: this was changed since you opened it" in page
    assert 'Inspector Tester changed Name from "Leo Clarke" to "Leon Clarke"' in page
    assert 'name="version" value="2"' in response.content.decode()
    child.refresh_from_db()
    assert (child.name, child.address, child.version) == ("Leon Clarke", "4 Mill Road", 2)
    # Saved again from the form as now shown, it goes through.
    assert client.post(url, child_data(address="9 Other Road", version="2")).status_code == 302


def test_a_stale_case_form_is_refused(login, people, case):
    client = login(people.inspector)
    url = reverse("casefiles:edit", args=[case.public_id])
    assert (
        client.post(url, case_data(case, case_manager="Dee Patel", version="1")).status_code == 302
    )
    response = client.post(url, case_data(case, subject_name="Someone", version="1"))
    assert response.status_code == 200
    assert 'changed Case manager from "Sam Collier" to "Dee Patel"' in words(response)
    case.refresh_from_db()
    assert case.subject_name == "Jayden Morgan"


def test_a_stale_removal_is_refused(login, people, case):
    client = login(people.inspector)
    child = add_child(client, case)
    client.post(part_url(case, "part_edit", child.public_id), child_data(version="1", name="Al"))
    response = client.post(part_url(case, "part_delete", child.public_id), {"version": "1"})
    assert response.status_code == 200
    assert "was not removed: it was changed since you opened this page" in words(response)
    assert LinkedChild.objects.filter(pk=child.pk).exists()


def test_a_bad_version_is_a_clear_error(login, people, case):
    client = login(people.inspector)
    child = add_child(client, case)
    response = client.post(
        part_url(case, "part_edit", child.public_id), child_data(version="not-a-number")
    )
    assert response.status_code == 200
    assert "The version sent with the form is not valid" in words(response)
    assert CaseFileChange.objects.filter(action="changed").count() == 0


# Once submitted, the lead changes the file, with a reason -----------------------------------


@pytest.mark.parametrize("status", [Case.Status.SUBMITTED, Case.Status.IN_QA])
def test_a_team_member_cannot_change_a_submitted_case(login, people, case, status):
    child = add_child(login(people.inspector), case)
    submit(case, status)
    client = login(people.inspector)
    for url in (
        part_url(case),
        part_url(case, "part_edit", child.public_id),
        part_url(case, "part_delete", child.public_id),
        reverse("casefiles:edit", args=[case.public_id]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, child_data()).status_code == 403
    assert LinkedChild.objects.get(pk=child.pk).name == "Leo Clarke"


def test_the_services_refuse_a_team_member_too(people, case):
    child = LinkedChild.objects.create(case=case, name="Leo Clarke", relationship="sibling")
    submit(case)
    form = ChildForm(child_data(name="Other"), instance=child)
    assert form.is_valid()
    with pytest.raises(PermissionDenied):
        services.casefile_part_save(
            form=form, case=case, part="children", actor=people.inspector, reason="because"
        )
    with pytest.raises(PermissionDenied):
        services.casefile_part_delete(
            part=child, name="children", form=ChildForm(instance=child), actor=people.inspector
        )


def test_the_lead_changes_a_submitted_case_with_a_reason(login, people, case):
    child = add_child(login(people.inspector), case)
    submit(case)
    client = login(people.lead)
    url = part_url(case, "part_edit", child.public_id)
    form = client.get(url)
    assert "Reason for changing a submitted case" in words(form)

    response = client.post(url, child_data(name="Leon Clarke", version="1"))
    assert response.status_code == 200
    assert "Enter the reason for changing a submitted case" in words(response)
    assert LinkedChild.objects.get(pk=child.pk).name == "Leo Clarke"

    response = client.post(
        url, child_data(name="Leon Clarke", version="1", reason="The name was misspelt")
    )
    assert response.status_code == 302
    (change,) = CaseFileChange.objects.filter(action="changed")
    assert (change.actor, change.reason) == (people.lead, "The name was misspelt")
    history = words(client.get(reverse("judgements:history", args=[case.public_id])))
    assert "The name was misspelt" in history


def test_the_lead_removes_a_part_of_a_submitted_case_with_a_reason(login, people, case):
    child = add_child(login(people.inspector), case)
    submit(case)
    client = login(people.lead)
    url = part_url(case, "part_delete", child.public_id)
    response = client.post(url, {"version": "1"})
    assert response.status_code == 200
    assert "Enter the reason for changing the file of a submitted case" in words(response)
    assert LinkedChild.objects.filter(pk=child.pk).exists()
    response = client.post(url, {"version": "1", "reason": "Added to the wrong case"})
    assert response.status_code == 302
    assert not LinkedChild.objects.filter(pk=child.pk).exists()
    assert set(
        CaseFileChange.objects.filter(action="deleted").values_list("reason", flat=True)
    ) == {"Added to the wrong case"}


# Saves at the same moment ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_part_keep_one_and_refuse_the_rest(people, case):
    """On PostgreSQL, threads save one linked child at once, each from version 1."""
    import threading

    from django.db import connection

    child = LinkedChild.objects.create(case=case, name="Leo Clarke", relationship="sibling")
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite has one writer at a time)")
    threads_count = 6
    start = threading.Barrier(threads_count)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def person(number: int) -> None:
        try:
            own_case = Case.objects.get(pk=case.pk)
            own_child = LinkedChild.objects.get(pk=child.pk)
            form = ChildForm(child_data(name=f"Name {number}", version="1"), instance=own_child)
            assert form.is_valid(), form.errors
            start.wait(timeout=30)
            try:
                services.casefile_part_save(
                    form=form,
                    case=own_case,
                    part="children",
                    actor=people.inspector,
                    seen_version=form.seen_version,
                )
            except services.StaleCaseFile:
                with lock:
                    outcomes.append("refused")
            else:
                with lock:
                    outcomes.append(f"Name {number}")
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=person, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    saved = [o for o in outcomes if o != "refused"]
    assert len(saved) == 1
    assert outcomes.count("refused") == threads_count - 1
    child.refresh_from_db()
    assert (child.name, child.version) == (saved[0], 2)
    (change,) = CaseFileChange.objects.filter(field_name="name", action="changed")
    assert (change.old_value, change.new_value) == ("Leo Clarke", saved[0])
