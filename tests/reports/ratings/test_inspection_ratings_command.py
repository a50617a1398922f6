"""``manage.py inspection_ratings REF [--json]``: the roll-up for people and for other programs.

Every published figure of seed 004 through --json is checked in tests/test_ratings_db.py;
here, the format itself (docs/ratings-json.md), the readable table and the errors.
"""

import io
import json
from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command

from inspection.models import Area, Inspection, Organisation
from inspection.rating_rules import RATING_NAMES
from tests.conftest import make_case, make_inspection
from tests.reports.ratings.test_ratings_db import (
    build_seed004,
    rate_organisation_standards,
    score_cases,
    seed004_subset,
    split_by_number,
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("inspection_ratings", *args, stdout=out)
    return out.getvalue()


def test_unknown_reference_is_an_error(db):
    with pytest.raises(CommandError, match="no inspection with the reference 'nowhere'"):
        run("nowhere", "--json")
    with pytest.raises(CommandError):
        run("nowhere")


def test_unknown_organisation_is_an_error(inspection):
    with pytest.raises(CommandError, match="not one of the organisations of yos-bd-2018"):
        run(inspection.reference, "--organisation", "reading-yot")


def test_json_has_every_documented_key(inspection, people):
    score_cases(inspection, people, seed004_subset(court=3, out_of_court=2))
    make_case(inspection, reference="BD-C40")  # not started: left out
    document = json.loads(run(inspection.reference, "--json"))

    assert {"inspection", "framework", "cases_counted", "standards", "overall"} <= set(document)
    assert document["inspection"] == "yos-bd-2018"
    assert set(document["framework"]) >= {"name", "version"}
    assert document["framework"]["version"] == inspection.framework.version
    assert document["cases_counted"] == 5
    assert document["cases_in_sample"] == 6
    assert document["cases_left_out"] == [{"status": "Not started", "cases": 1}]
    assert [s["code"] for s in document["standards"]][:5] == ["1.1", "1.2", "1.3", "1.4", "2.1"]
    for standard in document["standards"]:
        assert {"code", "title", "judged_by", "rating", "key_questions"} <= set(standard)
        assert standard["judged_by"] in {"cases", "organisation"}
        assert standard["rating"] is None or standard["rating"] in RATING_NAMES
        for kq in standard["key_questions"]:
            assert {
                "code",
                "text",
                "yes",
                "no",
                "not_applicable",
                "percent",
                "by_organisation",
            } <= set(kq)
            assert kq["code"].startswith(standard["code"] + ".")
            assert kq["percent"] is None or isinstance(kq["percent"], float)
            if kq["percent"] is not None:
                assert kq["percent"] == round(kq["percent"], 1)
            for row in kq["by_organisation"]:
                assert set(row) == {"organisation", "yes", "no", "not_applicable", "percent"}
    assert set(document["overall"]) >= {"score", "rating"}
    assert isinstance(document["overall"]["score"], int)
    # Nothing rated by the lead yet: the 1.x standards are unrated and left out of the overall.
    assert document["overall"]["unrated_standards"] == ["1.1", "1.2", "1.3", "1.4"]


def test_json_percent_is_rounded_half_up_to_one_decimal(inspection, people):
    """2 of 3 is 66.666...%: 66.7; the whole-number figure 67."""
    answers = [
        fact for fact in seed004_subset(court=3, out_of_court=0) if fact.question_code != "2.1.1"
    ]
    template = next(f for f in seed004_subset(court=1, out_of_court=0))
    answers += [
        replace(template, case_id=case_id, question_code="2.1.1", value=value)
        for case_id, value in (("BD-C01", "yes"), ("BD-C02", "yes"), ("BD-C03", "no"))
    ]
    score_cases(inspection, people, answers)
    document = json.loads(run(inspection.reference, "--json"))
    kq = next(k for s in document["standards"] for k in s["key_questions"] if k["code"] == "2.1.1")
    assert (kq["yes"], kq["no"], kq["percent"], kq["whole_percent"]) == (2, 1, 66.7, 67)
    assert kq["display"] == "2 of 3 (67%)"
    assert kq["cases_answered_no"] == ["BD-C03"]


def test_an_inspection_with_no_cases_has_no_ratings_yet(inspection):
    document = json.loads(run(inspection.reference, "--json"))
    assert document["cases_counted"] == 0
    assert document["overall"] == {
        "score": 0,
        "rating": None,
        "standards_rated": 0,
        "unrated_standards": [s["code"] for s in document["standards"]],
        "rated_separately": [],
        "explanation": "not rated: no counted cases",
    }
    assert all(kq["percent"] is None for s in document["standards"] for kq in s["key_questions"])


def test_readable_table(inspection, people):
    build_seed004(inspection, people)
    lines = run(inspection.reference).splitlines()
    assert lines[0] == "Youth offending services in Barking and Dagenham (yos-bd-2018)"
    assert "Cases counted: 50 of 50" in lines
    assert "2.2 Planning: Inadequate" in lines
    assert "  lowest key question 2.2.2: 15 of 31 (48%), so Inadequate" in lines
    assert "  2.2.2     15   16    0  15 of 31 (48%)" in lines
    assert "1.1 Governance and leadership: Good" in lines
    assert lines[-1] == (
        "Overall: Requires improvement (score 14 from 12 rated standards, so Requires improvement)"
    )


def test_one_organisation_of_a_thematic_inspection(yos_framework, people, area):
    reading = Area.objects.create(
        slug="reading", name="Reading", police_force_area="Thames Valley", region="South"
    )
    first = Organisation.objects.create(
        slug="bd-yos", name="Barking and Dagenham YOS", kind="yos", area=area
    )
    second = Organisation.objects.create(
        slug="reading-yot", name="Reading YOT", kind="yot", area=reading
    )
    inspection = make_inspection(
        framework=yos_framework,
        organisations=[first, second],
        people=people,
        reference="thematic-2018",
        kind=Inspection.Kind.THEMATIC,
    )
    score_cases(
        inspection,
        people,
        seed004_subset(court=6, out_of_court=4),
        organisation_of=split_by_number(first, second),
    )
    rate_organisation_standards(inspection, second, people)

    everyone = json.loads(run("thematic-2018", "--json"))
    assert everyone["cases_counted"] == 10
    assert everyone["organisations"] == ["Barking and Dagenham YOS", "Reading YOT"]
    kq = next(k for s in everyone["standards"] for k in s["key_questions"] if k["code"] == "2.2.2")
    assert [row["organisation"] for row in kq["by_organisation"]] == everyone["organisations"]
    assert sum(row["yes"] for row in kq["by_organisation"]) == kq["yes"]
    # Lead inspectors' ratings of one organisation are not applied to the whole thematic.
    assert {s["code"]: s["rating"] for s in everyone["standards"]}["1.1"] is None

    one = json.loads(run("thematic-2018", "--json", "--organisation", "reading-yot"))
    assert one["organisation"] == "Reading YOT"
    assert one["cases_counted"] == 5
    assert {s["code"]: s["rating"] for s in one["standards"]}["1.1"] == "Good"
    assert "Organisation: Reading YOT" in run("thematic-2018", "--organisation", "reading-yot")
