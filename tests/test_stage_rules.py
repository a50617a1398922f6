"""What each stage of an inspection allows, enforced by the services that write.

Scoring, case-file changes, quality assurance, the sample, assignments and organisation
ratings all stop once an inspection is sent for approval (to change anything, the report is
returned for changes) and for good once it is published; case data is deleted only after
publication (reports.retention, tested there).
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.urls import reverse

from casefiles.forms import CaseForm
from casefiles.sampling.services import SamplingError, sampling_windows_update
from casefiles.services import CaseFileRefused, case_save
from inspection.models import Inspection, Standard
from inspection.permissions import STAGE_ALLOWS, stage_allows
from judgements import services
from judgements.rules import applicable_questions, may_score_case
from tests.conftest import make_case

pytestmark = pytest.mark.django_db
Stage = Inspection.Status
FROZEN = [Stage.APPROVAL, Stage.PUBLISHED]
OPEN = [Stage.PLANNING, Stage.FIELDWORK, Stage.MODERATION, Stage.REPORTING]


def _at(inspection, status):
    Inspection.objects.filter(pk=inspection.pk).update(status=status)
    inspection.refresh_from_db()


def _answer(case, actor):
    question = applicable_questions(case)[0]
    return services.answers_record(
        case=case,
        answers=[services.AnswerInput(question=question, value="yes", note="Seen on file")],
        actor=actor,
    )


def test_the_table_of_what_each_stage_allows():
    for action in ("score", "case_file", "moderate", "sample", "allocate", "rate_organisations"):
        assert [s for s in Stage.values if stage_allows(s, action)] == OPEN, action
    assert [s for s in Stage.values if stage_allows(s, "purge")] == [Stage.PUBLISHED]
    assert [s for s in Stage.values if stage_allows(s, "set_up")] == [Stage.PLANNING]
    assert not stage_allows(Stage.PUBLISHED, "team")
    assert set(STAGE_ALLOWS) >= {"write_report", "team"}


@pytest.mark.parametrize("status", OPEN)
def test_scoring_is_allowed_until_approval(inspection, case, people, status):
    _at(inspection, status)
    assert _answer(case, people.inspector)


@pytest.mark.parametrize("status", FROZEN)
def test_scoring_is_refused_in_approval_and_after_publication(inspection, case, people, status):
    _at(inspection, status)
    case.refresh_from_db()

    with pytest.raises(PermissionDenied, match="Scoring is not allowed"):
        _answer(case, people.inspector)

    assert not case.answers.exists()
    assert not may_score_case(case, "inspector", people.inspector)


@pytest.mark.parametrize("status", FROZEN)
def test_case_file_changes_are_refused(inspection, case, people, status):
    _at(inspection, status)
    case = type(case).objects.get(pk=case.pk)
    data = {k: v for k, v in model_to_dict(case).items() if v is not None}
    born = data.pop("date_of_birth")
    data.update(
        case_manager="Someone Else",
        date_of_birth_0=born.day,
        date_of_birth_1=born.month,
        date_of_birth_2=born.year,
    )
    form = CaseForm(data, instance=case, inspection=inspection)
    assert form.is_valid(), form.errors

    with pytest.raises(CaseFileRefused, match="Changing case files is not allowed"):
        case_save(form=form, actor=people.lead, seen_version=case.version)

    case.refresh_from_db()
    assert case.case_manager == "Sam Collier"
    assert not case.file_changes.exists()


@pytest.mark.parametrize("status", FROZEN)
def test_the_sample_cannot_change(inspection, people, status):
    _at(inspection, status)

    with pytest.raises(SamplingError, match="Changing the sample is not allowed"):
        sampling_windows_update(inspection=inspection, windows={}, by=people.lead)


@pytest.mark.parametrize("status", FROZEN)
def test_cases_cannot_be_assigned_or_selected_for_quality_assurance(
    inspection, case, people, status
):
    _at(inspection, status)

    with pytest.raises(PermissionDenied, match="Assigning cases is not allowed"):
        services.case_assign(case=case, inspector=people.colleague, actor=people.lead)
    with pytest.raises(PermissionDenied, match="Assigning cases is not allowed"):
        services.qa_select(case=case, selected=True, actor=people.lead)

    case.refresh_from_db()
    assert (case.inspector, case.selected_for_qa) == (people.inspector, False)


@pytest.mark.parametrize("status", FROZEN)
def test_quality_assurance_stops(inspection, people, status):
    case = make_case(inspection, reference="C-9", inspector=people.inspector)
    services.answers_record(
        case=case,
        answers=[
            services.AnswerInput(question=q, value="yes", note="Seen")
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)
    _at(inspection, status)

    with pytest.raises(PermissionDenied, match="Quality assurance is not allowed"):
        services.case_agree(case=case, moderator=people.qa)

    case.refresh_from_db()
    assert case.status == case.Status.SUBMITTED


@pytest.mark.parametrize("status", FROZEN)
def test_organisation_ratings_cannot_change(inspection, organisation, people, status):
    _at(inspection, status)
    standard = Standard.objects.get(framework=inspection.framework, code="1.1")

    with pytest.raises(PermissionDenied, match="Rating standards is not allowed"):
        services.organisation_rating_record(
            inspection=inspection,
            organisation=organisation,
            standard=standard,
            rating="good",
            narrative="Strong leadership.",
            evidence="Interviews",
            actor=people.lead,
        )


def test_the_pages_refuse_what_the_stage_stops(inspection, people, login):
    _at(inspection, Stage.PUBLISHED)
    client = login(people.lead)

    assert client.get(reverse("casefiles:create", args=[inspection.reference])).status_code == 403
    assert (
        client.get(reverse("casefiles:sample_upload", args=[inspection.reference])).status_code
        == 403
    )


@pytest.mark.parametrize("status", FROZEN)
def test_the_report_text_cannot_change(inspection, people, status):
    from django.core.exceptions import ValidationError

    from reports.writing import services as report_services

    item = report_services.recommendation_save(
        inspection=inspection, addressed_to="The YOS", text="Do better.", actor=people.lead
    )
    _at(inspection, status)

    with pytest.raises(ValidationError, match="Writing the report is not allowed"):
        report_services.report_foreword_save(
            inspection=inspection, foreword="New words.", actor=people.lead
        )
    with pytest.raises(ValidationError, match="Writing the report is not allowed"):
        report_services.report_item_remove(item=item, actor=people.lead)

    assert type(item).objects.filter(pk=item.pk).exists()
