"""From the framework file to the ratings JSON: a 13-standard framework (the test-only file
shaped like the 2021 youth framework) loaded, cases of its three samples scored through the
services, and the roll-up following the file's rules."""

import pytest

from inspection.models import Standard
from inspection.services import framework_load
from judgements.rules import applicable_questions
from judgements.services import (
    AnswerInput,
    answers_record,
    case_submit,
    organisation_rating_record,
)
from tests.conftest import make_case, make_inspection
from tests.reports.ratings.test_rating_rules_options import TEST_FRAMEWORK
from tests.reports.ratings.test_ratings_db import ratings_json


@pytest.fixture
def yjs(people, organisation):
    framework, _outcome = framework_load(path=TEST_FRAMEWORK)
    return make_inspection(
        framework=framework, organisations=[organisation], people=people, reference="yjs-2021"
    )


def score(inspection, people, reference, sample_type, value="yes"):
    case = make_case(
        inspection, reference=reference, inspector=people.inspector, sample_type=sample_type
    )
    answers_record(
        case=case,
        answers=[
            AnswerInput(question=q, value=value, note=f"{reference} {q.code}: seen.")
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    case_submit(case=case, actor=people.inspector)
    return case


def test_a_standard_rated_separately_stays_out_of_the_overall_rating(yjs, people, organisation):
    court = score(yjs, people, "C-1", "court_disposal")
    resettlement = score(yjs, people, "R-1", "resettlement")
    # Each case answered its own sample's questions only.
    assert {
        a.question.standard.code for a in resettlement.answers.select_related("question__standard")
    } == {"4.1"}
    assert {
        a.question.standard.code for a in court.answers.select_related("question__standard")
    } == {
        "2.1",
        "2.2",
        "2.3",
        "2.4",
    }
    for code in ("1.1", "1.2", "1.3", "1.4"):
        organisation_rating_record(
            inspection=yjs,
            organisation=organisation,
            standard=Standard.objects.get(framework=yjs.framework, code=code),
            rating="Good",
            narrative=f"Standard {code} is Good.",
            evidence="Meetings.",
            actor=people.lead,
        )

    document = ratings_json("yjs-2021")
    standards = {s["code"]: s for s in document["standards"]}
    assert len(standards) == 13
    assert standards["4.1"]["counts_toward_overall"] is False
    assert standards["4.1"]["rating"] == "Outstanding"
    assert all(s["counts_toward_overall"] for code, s in standards.items() if code != "4.1")
    assert document["overall"] == {
        "score": 20,  # 4 x Good from the lead, 4 x Outstanding from the court case
        "rating": "Good",  # 20 is not above 2.5 x 8; counting 4.1 it would be 23 > 22.5
        "standards_rated": 8,
        "unrated_standards": ["3.1", "3.2", "3.3", "3.4"],
        "rated_separately": ["4.1"],
        "explanation": (
            "score 20 from 8 rated standards, so Good (left out, not rated: 3.1, 3.2, 3.3, "
            "3.4); rated separately, not in the score: 4.1 is Outstanding"
        ),
    }
