"""Questions asked only of some kinds of organisation (the 2014 audit's "(Probation cases)" and
"(YOT cases)" prompts): shown, saved and counted only on cases of those kinds, driven by the
framework's data; and how a framework version in use takes the field."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspection.models import Organisation
from inspection.services import FrameworkError, framework_load
from judgements import services
from judgements.models import Answer
from judgements.rules import applicable_questions
from reports.ratings.tallies import answer_tallies
from tests.conftest import CP_FILE, make_case, make_inspection
from tests.judgements.test_walkthrough_views import html, step_url

PROBATION_ONLY = {"1.1.1.a"}
YOUTH_ONLY = {"1.1.2.f", "1.2.2.d", "1.2.3", "1.3.1.h"}


@pytest.fixture
def cp_inspection(cp_framework, organisation, area, people):
    probation = Organisation.objects.create(
        slug="bd-probation", name="London Probation Trust", kind="probation_trust", area=area
    )
    inspection = make_inspection(
        framework=cp_framework,
        organisations=[organisation, probation],
        people=people,
        reference="cp-2014",
    )
    return inspection, probation


@pytest.fixture
def cp_cases(cp_inspection, organisation, people):
    inspection, probation = cp_inspection
    common = {"sample_type": "new_order", "inspector": people.inspector}
    youth = make_case(inspection, reference="Y-1", organisation=organisation, **common)
    adult = make_case(
        inspection, reference="P-1", organisation=probation, subject_kind="adult", **common
    )
    return youth, adult


def codes(questions) -> set[str]:
    return {q.code for q in questions}


def test_the_2014_framework_names_the_kinds_of_organisation_as_data(cp_framework):
    kinds = {q.code: q.organisation_kinds for q in cp_framework.questions.all()}
    assert {c for c, k in kinds.items() if "probation_trust" in k and "yot" not in k} == (
        PROBATION_ONLY
    )
    youth = {c for c, k in kinds.items() if "yot" in k and "probation_trust" not in k}
    # 1.2.3 is a key question: its prompts are asked of youth cases only, as it is.
    assert YOUTH_ONLY <= youth
    assert all(code.startswith("1.2.3") for code in youth - YOUTH_ONLY)
    assert all(k == [] for c, k in kinds.items() if c not in youth | PROBATION_ONLY)


def test_each_case_answers_only_the_questions_for_its_kind_of_organisation(cp_cases):
    youth, adult = cp_cases
    youth_codes, adult_codes = (
        codes(applicable_questions(youth)),
        codes(applicable_questions(adult)),
    )
    assert PROBATION_ONLY <= adult_codes and not PROBATION_ONLY & youth_codes
    assert YOUTH_ONLY <= youth_codes and not YOUTH_ONLY & adult_codes
    # Not by the words: a question's text is not read to decide.
    assert all("(YOT cases)" not in q.text for q in applicable_questions(adult))


def test_the_step_page_shows_only_the_questions_for_the_case(login, cp_cases, people):
    youth, adult = cp_cases
    client = login(people.inspector)
    assert "(Probation cases)" in html(client.get(step_url(adult, "1.1")))
    assert "(YOT cases)" not in html(client.get(step_url(adult, "1.1")))
    assert "(Probation cases)" not in html(client.get(step_url(youth, "1.1")))
    assert "(YOT cases)" in html(client.get(step_url(youth, "1.1")))


def test_an_answer_to_a_question_not_asked_of_the_case_is_refused(login, cp_cases, people):
    youth, adult = cp_cases
    question = adult.inspection.framework.questions.get(code="1.1.1.a")
    with pytest.raises(ValidationError, match="1.1.1.a is not asked on cases of Youth"):
        services.answer_record(
            case=youth, question=question, value="no", note="x", actor=people.inspector
        )
    response = login(people.inspector).post(
        reverse("judgements:autosave", args=[youth.public_id, "1.1"]),
        {"question": f"q{question.pk}", "value": "yes", "note": "", "version": "0"},
    )
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_the_roll_up_counts_a_question_only_on_the_cases_it_is_asked_of(cp_cases, people):
    youth, adult = cp_cases
    for case in cp_cases:
        services.answers_record(
            case=case,
            answers=[
                services.AnswerInput(question=q, value="yes", note="Seen")
                for q in applicable_questions(case)
            ],
            actor=people.inspector,
        )
        services.case_submit(case=case, actor=people.inspector)
    tallies = answer_tallies(by=["organisation", "question_code"], inspections=youth.inspection)
    assert (youth.organisation_id, "1.2.3") in tallies
    assert (adult.organisation_id, "1.2.3") not in tallies
    assert tallies[(youth.organisation_id, "1.2.3")].yes == 1


# A version in use takes the field without a new version, when nothing else changed -----------


def without_kinds(tmp_path):
    data = json.loads(CP_FILE.read_text())
    for domain in data["domains"]:
        for standard in domain["standards"]:
            for kq in standard["key_questions"]:
                for item in [kq, *kq["prompts"]]:
                    item.pop("organisation_kinds", None)
    path = tmp_path / CP_FILE.name
    path.write_text(json.dumps(data, indent=2))
    return path


def test_a_version_in_use_gains_organisation_kinds_when_nothing_else_changed(
    tmp_path, cp_inspection
):
    inspection, _ = cp_inspection
    framework, outcome = framework_load(path=without_kinds(tmp_path))
    assert outcome == "organisation kinds updated"
    assert framework.pk == inspection.framework_id
    assert framework.questions.get(code="1.1.1.a").organisation_kinds == []

    framework, outcome = framework_load(path=CP_FILE)
    assert outcome == "organisation kinds updated"
    assert framework.questions.get(code="1.2.3.a").organisation_kinds == ["yot", "yos", "yjs"]
    assert framework_load(path=CP_FILE)[1] == "unchanged"


def test_organisation_kinds_that_would_drop_answers_given_need_a_new_version(
    tmp_path, cp_cases, people
):
    youth, adult = cp_cases
    framework_load(path=without_kinds(tmp_path))  # as the version was first published
    question = adult.inspection.framework.questions.get(code="1.1.2.f")
    services.answer_record(
        case=adult, question=question, value="yes", note="", actor=people.inspector
    )
    with pytest.raises(FrameworkError, match="1.1.2.f .* Give the changed framework a new version"):
        framework_load(path=CP_FILE)
    assert adult.inspection.framework.questions.get(code="1.1.2.f").organisation_kinds == []


def test_an_unknown_kind_of_organisation_fails_validation(tmp_path, db):
    data = json.loads(CP_FILE.read_text())
    data["domains"][0]["standards"][0]["key_questions"][0]["organisation_kinds"] = ["prison"]
    data["version"] = "2014-bad"
    path = tmp_path / "child-protection-audit-2014-bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(FrameworkError, match="organisation_kinds"):
        framework_load(path=path)


def test_the_answers_extract_lists_only_the_questions_asked_of_each_case(cp_cases):
    from reports.exchange.answers import answer_rows

    youth, adult = cp_cases
    listed: dict[str, set[str]] = {"Y-1": set(), "P-1": set()}
    for row in answer_rows(youth.inspection):
        # Each row: the case's classifications (inspection, case reference, ...), then the
        # standard and the question.
        case_reference = row[1]
        listed[case_reference].update(cell for cell in row if cell in PROBATION_ONLY | YOUTH_ONLY)
    assert listed["P-1"] == PROBATION_ONLY
    assert listed["Y-1"] == YOUTH_ONLY
