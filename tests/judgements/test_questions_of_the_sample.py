"""A case answers only the questions of its own sample (and kind of organisation): the
services, the walk-through, the import and a change of sample refuse the others, so the
roll-up counts only what belongs; the ratings JSON lists every organisation under each key
question."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from casefiles.forms import CaseForm
from casefiles.models import Case
from casefiles.services import CaseFileRefused, case_save
from inspection.models import Area, Inspection, Organisation, Question
from judgements import services
from judgements.models import Answer
from judgements.rules import applicable_questions, question_refusal
from reports.exchange.export import inspection_export
from tests.conftest import make_case, make_inspection
from tests.reports.exchange.test_exchange import build_inspection
from tests.reports.exchange.test_exchange_import_errors import refused


@pytest.fixture
def court_case(inspection, people):
    return make_case(inspection, inspector=people.inspector, sample_type="court_disposal")


def out_of_court_question(inspection):
    return Question.objects.get(framework=inspection.framework, code="3.1.1")


def test_the_rule_names_the_sample_and_where_the_question_is_asked(inspection):
    question = out_of_court_question(inspection)
    assert question_refusal(question, "court_disposal", "yos") == (
        "3.1.1 is not asked on court disposal cases (it is asked on out-of-court disposal "
        "cases): it cannot be answered"
    )
    assert question_refusal(question, "out_of_court", "yos") is None


def test_the_services_refuse_a_question_of_another_sample(court_case, people, inspection):
    question = out_of_court_question(inspection)
    with pytest.raises(ValidationError) as refused_:
        services.answer_record(
            case=court_case, question=question, value="no", note="x", actor=people.inspector
        )
    assert refused_.value.message_dict == {
        "3.1.1": [
            "3.1.1 is not asked on court disposal cases (it is asked on out-of-court disposal "
            "cases): it cannot be answered"
        ]
    }
    assert not Answer.objects.exists()
    assert Case.objects.get(pk=court_case.pk).status == Case.Status.NOT_STARTED


def test_the_walk_through_refuses_a_question_of_another_sample(
    login, court_case, people, inspection
):
    question = out_of_court_question(inspection)
    client = login(people.inspector)
    # The out-of-court step is not a step of a court case.
    step = client.get(reverse("judgements:step", args=[court_case.public_id, "3.1"]))
    assert step.status_code == 404
    response = client.post(
        reverse("judgements:autosave", args=[court_case.public_id, "3.1"]),
        {"question": f"q{question.pk}", "value": "yes", "note": "Seen", "version": "0"},
    )
    assert response.status_code == 404
    # Posted to a step of its own sample, the stray question is not saved either.
    response = client.post(
        reverse("judgements:autosave", args=[court_case.public_id, "2.1"]),
        {"question": f"q{question.pk}", "value": "yes", "note": "Seen", "version": "0"},
    )
    assert response.status_code == 400
    assert response.json() == {"message": "Not saved: unknown question."}
    assert not Answer.objects.exists()


def test_the_import_refuses_an_answer_to_a_question_of_another_sample(
    people, yos_framework, organisation
):
    inspection = build_inspection(people, yos_framework, organisation)
    data = inspection_export(inspection)
    inspection.delete()
    court = next(i for i, c in enumerate(data["cases"]) if c["sample_type"] == "court_disposal")
    data["cases"][court]["answers"][0]["question"] = "3.1.1"
    problems = refused(data)
    assert (
        f"$.cases[{court}].answers[0].question: 3.1.1 is not asked on court disposal cases "
        "(it is asked on out-of-court disposal cases): it cannot be answered"
    ) in problems


def test_a_case_with_answers_is_not_moved_to_a_sample_that_does_not_ask_them(
    court_case, people, inspection
):
    inputs = [
        services.AnswerInput(question=q, value="yes", note="Seen")
        for q in applicable_questions(court_case)
        if q.standard.code == "2.1"
    ]
    services.answers_record(case=court_case, answers=inputs, actor=people.inspector)
    case = Case.objects.get(pk=court_case.pk)
    data = {k: v for k, v in model_to_dict(case).items() if v is not None}
    born = data.pop("date_of_birth")
    data.update(
        sample_type="out_of_court",
        version=case.version,
        date_of_birth_0=born.day,
        date_of_birth_1=born.month,
        date_of_birth_2=born.year,
    )
    form = CaseForm(data, instance=case, inspection=inspection)
    assert form.is_valid(), form.errors
    with pytest.raises(CaseFileRefused) as refused_:
        case_save(form=form, actor=people.lead, seen_version=case.version)
    assert refused_.value.field == "sample_type"
    assert str(refused_.value).startswith(
        "Case C-001 has answers to questions not asked on out-of-court disposal cases (2.1.1, "
    )
    assert Case.objects.get(pk=case.pk).sample_type == "court_disposal"


def test_the_case_form_offers_only_the_frameworks_samples(inspection):
    form = CaseForm(inspection=inspection)
    values = [value for value, _label in form.fields["sample_type"].choices if value]
    assert values == ["court_disposal", "out_of_court"]


def test_the_ratings_json_lists_every_organisation_with_zeros(yos_framework, people, area):
    reading = Area.objects.create(
        slug="reading", name="Reading", police_force_area="Thames Valley", region="South"
    )
    answered = Organisation.objects.create(
        slug="bd-yos", name="Barking and Dagenham YOS", kind="yos", area=area
    )
    silent = Organisation.objects.create(
        slug="reading-yot", name="Reading YOT", kind="yot", area=reading
    )
    inspection = make_inspection(
        framework=yos_framework,
        organisations=[silent, answered],
        people=people,
        reference="thematic-2018",
        kind=Inspection.Kind.THEMATIC,
    )
    case = make_case(inspection, organisation=answered, inspector=people.inspector)
    services.answers_record(
        case=case,
        answers=[
            services.AnswerInput(question=q, value="yes", note="Seen")
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)

    out = io.StringIO()
    call_command("inspection_ratings", "thematic-2018", "--json", stdout=out)
    document = json.loads(out.getvalue())
    for standard in document["standards"]:
        for kq in standard["key_questions"]:
            assert [row["organisation"] for row in kq["by_organisation"]] == [
                "Barking and Dagenham YOS",
                "Reading YOT",
            ], kq["code"]
            assert kq["by_organisation"][1] == {
                "organisation": "Reading YOT",
                "yes": 0,
                "no": 0,
                "not_applicable": 0,
                "percent": None,
            }
    kq = next(k for s in document["standards"] for k in s["key_questions"] if k["code"] == "2.1.1")
    assert kq["by_organisation"][0]["yes"] == 1
    assert document["overall"]["rated_separately"] == []
