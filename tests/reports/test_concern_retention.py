"""Safeguarding concerns outlive the purge of a published inspection's case data, reduced to
what the record needs (docs/operations.md)."""

import pytest
from django.utils import timezone

from casefiles.concerns import services
from casefiles.concerns.models import Concern, ConcernChange
from casefiles.concerns.selectors import concern_counts
from casefiles.models import LinkedChild
from inspection.models import Inspection
from reports.retention import case_data_purge
from tests.conftest import make_case

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:No directory at")]


def test_a_purge_keeps_the_concern_without_its_personal_details(inspection, people):
    case = make_case(inspection, inspector=people.inspector)
    child = LinkedChild.objects.create(case=case, name="Maisie Begum", relationship="sibling")
    concern = services.concern_raise(
        case=case,
        about=services.About(child=child),
        urgency="immediate",
        found="Maisie Begum was left alone for days; nobody referred it.",
        why_urgent="She is eight.",
        actor=people.inspector,
    )
    today = timezone.localdate()
    services.concern_acknowledge(concern=concern, actor=people.lead)
    services.concern_refer(
        concern=concern,
        organisation="Barking and Dagenham children's social care",
        person="Pat Jones",
        referred_on=today,
        method="phone",
        reference="MASH-77",
        actor=people.lead,
    )
    services.concern_response_record(
        concern=concern,
        received_on=today,
        response="Maisie placed with her aunt.",
        actor=people.lead,
    )
    services.concern_close(
        concern=concern, outcome="referred_on", note="Begum family known to CSC.", actor=people.lead
    )
    other = make_case(inspection, reference="C-OTHER")
    untouched_elsewhere = ConcernChange.objects.count()
    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.PUBLISHED)
    inspection.refresh_from_db()

    case_data_purge(inspection=inspection, actor=people.lead)

    kept = Concern.objects.get(pk=concern.pk)
    # Kept: what the record needs.
    assert kept.inspection == inspection and kept.organisation == case.organisation
    assert kept.urgency == "immediate" and kept.status == "closed"
    assert kept.outcome == "referred_on"
    assert kept.referred_to_organisation == "Barking and Dagenham children's social care"
    assert kept.referred_on == today and kept.referral_method == "phone"
    assert kept.response_due and kept.response_received_on == today
    assert kept.raised_by == people.inspector and kept.closed_by == people.lead
    assert kept.details_removed_at is not None
    # Gone: the case, the child and every free text that could name them.
    assert kept.case is None and kept.child is None and not kept.about_subject
    for name in ("found", "why_urgent", "referred_to_person", "referral_reference", "response"):
        assert getattr(kept, name) == "", name
    assert kept.closure_note == ""
    assert kept.about() == "Removed with the case data"
    trail = ConcernChange.objects.filter(concern=kept)
    assert trail.count() == untouched_elsewhere + 1  # the removal itself is in the history
    assert trail.filter(step="details_removed", actor=people.lead).exists()
    for row in trail.values_list("old_value", "new_value"):
        for value in row:
            for personal in ("Maisie", "Begum", "Pat Jones", "MASH-77", "aunt", "eight"):
                assert personal not in value
    # The history still says who took each step and when.
    assert set(trail.values_list("step", flat=True)) == {
        "raised",
        "acknowledged",
        "referred",
        "responded",
        "closed",
        "details_removed",
    }
    assert concern_counts(inspection) == {"raised": 1, "closed": 1}
    assert not type(other).objects.filter(pk=other.pk).exists()
