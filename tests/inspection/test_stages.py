"""The stage machine: every move from every stage, who may make it, and what is recorded."""

import pytest
from django.core.exceptions import PermissionDenied

from inspection import readiness, stages
from inspection.models import Inspection, InspectionChange
from inspection.readiness import Missing
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
Stage = Inspection.Status


@pytest.fixture
def approver(db):
    return make_user("approver", approves_reports=True)


@pytest.fixture
def nothing_missing(monkeypatch):
    # Other apps' checks look at the report and cases; these tests are about the moves.
    monkeypatch.setattr(readiness, "_checks", {})


def _at(inspection, status, **extra):
    Inspection.objects.filter(pk=inspection.pk).update(status=status, **extra)
    inspection.refresh_from_db()
    return inspection


# Every allowed move: (stage before, move, stage after).
ALLOWED = [
    (Stage.PLANNING, "start-fieldwork", Stage.FIELDWORK),
    (Stage.FIELDWORK, "start-quality-assurance", Stage.MODERATION),
    (Stage.MODERATION, "return-to-fieldwork", Stage.FIELDWORK),
    (Stage.MODERATION, "start-report-drafting", Stage.REPORTING),
    (Stage.REPORTING, "return-to-quality-assurance", Stage.MODERATION),
    (Stage.REPORTING, "send-for-approval", Stage.APPROVAL),
    (Stage.APPROVAL, "return-for-changes", Stage.REPORTING),
]


@pytest.mark.parametrize(("before", "name", "after"), ALLOWED)
def test_the_lead_makes_each_move_and_it_is_recorded(inspection, people, before, name, after):
    _at(inspection, before)

    moved = stages.move(inspection=inspection, name=name, actor=people.lead, reason="Because")

    assert moved.status == after
    change = InspectionChange.objects.get(inspection=inspection)
    assert (change.actor, change.action, change.subject) == (
        people.lead,
        InspectionChange.Action.STAGE_MOVED,
        "Stage",
    )
    assert (change.old_value, change.new_value) == (Stage(before).label, Stage(after).label)


@pytest.mark.parametrize("before", Stage.values)
@pytest.mark.parametrize("name", [move.name for move in stages.MOVES])
def test_a_move_from_any_other_stage_is_refused_and_changes_nothing(
    inspection, people, approver, nothing_missing, before, name
):
    step = stages.MOVES_BY_NAME[name]
    if step.source == before:
        return  # the allowed moves are tested above
    _at(inspection, before)
    actor = approver if step.who == stages.APPROVER else people.lead

    with pytest.raises(stages.MoveRefused) as refused:
        stages.move(inspection=inspection, name=name, actor=actor, reason="Because")

    assert "stage" in refused.value.reasons[0]
    inspection.refresh_from_db()
    assert inspection.status == before
    assert not InspectionChange.objects.filter(inspection=inspection).exists()


@pytest.mark.parametrize("name", [m.name for m in stages.MOVES if m.who == stages.LEAD])
@pytest.mark.parametrize("who", ["inspector", "qa", "partner", "manager", "admin", "outsider"])
def test_only_the_lead_moves_the_stage(inspection, people, name, who):
    step = stages.MOVES_BY_NAME[name]
    _at(inspection, step.source)

    with pytest.raises(PermissionDenied):
        stages.move(inspection=inspection, name=name, actor=getattr(people, who), reason="x")

    inspection.refresh_from_db()
    assert inspection.status == step.source


@pytest.mark.parametrize("name", [m.name for m in stages.MOVES if m.needs_reason])
def test_a_move_back_needs_a_reason(inspection, people, name):
    step = stages.MOVES_BY_NAME[name]
    _at(inspection, step.source)

    with pytest.raises(stages.MoveRefused) as refused:
        stages.move(inspection=inspection, name=name, actor=people.lead, reason="   ")

    assert refused.value.reasons == ["Enter the reason"]
    inspection.refresh_from_db()
    assert inspection.status == step.source


def test_an_approver_off_the_team_approves_and_it_is_recorded(
    inspection, people, approver, nothing_missing
):
    _at(inspection, Stage.APPROVAL)

    approved = stages.move(inspection=inspection, name="approve", actor=approver)

    assert approved.status == Stage.APPROVAL
    assert approved.approved_by == approver
    assert approved.approved_at is not None
    change = InspectionChange.objects.get(inspection=inspection)
    assert (change.action, change.actor) == (InspectionChange.Action.APPROVED, approver)


def test_the_lead_never_approves_even_as_an_approver(inspection, people, nothing_missing):
    people.lead.approves_reports = True
    people.lead.save()
    _at(inspection, Stage.APPROVAL)

    with pytest.raises(PermissionDenied):
        stages.move(inspection=inspection, name="approve", actor=people.lead)

    inspection.refresh_from_db()
    assert not inspection.is_approved


@pytest.mark.parametrize("who", ["inspector", "qa", "manager", "admin"])
def test_no_one_without_the_approver_flag_approves(inspection, people, who, nothing_missing):
    _at(inspection, Stage.APPROVAL)

    with pytest.raises(PermissionDenied):
        stages.move(inspection=inspection, name="approve", actor=getattr(people, who))


def test_an_approver_on_the_team_but_not_lead_approves(inspection, people, nothing_missing):
    people.qa.approves_reports = True
    people.qa.save()
    _at(inspection, Stage.APPROVAL)

    assert stages.move(inspection=inspection, name="approve", actor=people.qa).is_approved


def test_approval_and_publication_are_refused_while_anything_is_missing(
    inspection, people, approver, monkeypatch
):
    monkeypatch.setattr(readiness, "_checks", {})
    readiness.register_check(
        "test", lambda i: [Missing("Write the foreword", "/foreword/"), Missing("Rate 2.1")]
    )
    _at(inspection, Stage.APPROVAL)

    with pytest.raises(stages.MoveRefused) as refused:
        stages.move(inspection=inspection, name="approve", actor=approver)

    assert [m.text for m in refused.value.missing] == ["Write the foreword", "Rate 2.1"]
    assert refused.value.reasons == ["2 things must be done first:"]
    _at(inspection, Stage.APPROVAL, approved_by=approver, approved_at=inspection.created_at)
    with pytest.raises(stages.MoveRefused):
        stages.move(inspection=inspection, name="publish", actor=people.lead)
    inspection.refresh_from_db()
    assert inspection.status == Stage.APPROVAL
    assert inspection.published_at is None
    assert not InspectionChange.objects.filter(inspection=inspection).exists()


def test_publication_needs_approval_first(inspection, people, nothing_missing):
    _at(inspection, Stage.APPROVAL)

    with pytest.raises(stages.MoveRefused) as refused:
        stages.move(inspection=inspection, name="publish", actor=people.lead)

    assert refused.value.reasons == ["The report has not been approved yet."]


def test_approving_twice_is_refused(inspection, approver, nothing_missing):
    _at(inspection, Stage.APPROVAL, approved_by=approver, approved_at=inspection.created_at)

    with pytest.raises(stages.MoveRefused) as refused:
        stages.move(inspection=inspection, name="approve", actor=approver)

    assert refused.value.reasons == ["The report has already been approved."]


def test_the_lead_publishes_an_approved_report(inspection, people, approver, nothing_missing):
    _at(inspection, Stage.APPROVAL)
    stages.move(inspection=inspection, name="approve", actor=approver)

    published = stages.move(inspection=inspection, name="publish", actor=people.lead)

    assert published.status == Stage.PUBLISHED
    assert published.published_at is not None
    assert published.approved_by == approver
    actions = set(InspectionChange.objects.values_list("action", flat=True))
    assert actions == {
        InspectionChange.Action.APPROVED,
        InspectionChange.Action.STAGE_MOVED,
        InspectionChange.Action.PUBLISHED,
    }


def test_returning_for_changes_withdraws_the_approval(
    inspection, people, approver, nothing_missing
):
    _at(inspection, Stage.APPROVAL)
    stages.move(inspection=inspection, name="approve", actor=approver)

    returned = stages.move(
        inspection=inspection, name="return-for-changes", actor=approver, reason="Typo in 2.1"
    )

    assert returned.status == Stage.REPORTING
    assert not returned.is_approved
    withdrawn = InspectionChange.objects.get(subject="Approval", new_value="Withdrawn")
    assert withdrawn.reason == "Typo in 2.1"


def test_the_moves_offered_are_those_the_person_may_make(inspection, people, approver):
    _at(inspection, Stage.APPROVAL)

    assert [m.name for m in stages.available(inspection, people.lead, "lead")] == [
        "return-for-changes"
    ]
    assert [m.name for m in stages.available(inspection, approver, None)] == [
        "return-for-changes",
        "approve",
    ]
    assert stages.available(inspection, people.inspector, "inspector") == []
    _at(inspection, Stage.APPROVAL, approved_by=approver, approved_at=inspection.created_at)
    assert [m.name for m in stages.available(inspection, people.lead, "lead")] == [
        "return-for-changes",
        "publish",
    ]


def test_an_unknown_move_is_refused(inspection, people):
    with pytest.raises(stages.MoveRefused):
        stages.move(inspection=inspection, name="skip-to-the-end", actor=people.lead)
