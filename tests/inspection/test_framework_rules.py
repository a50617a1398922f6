"""The rules a framework file states as data: how the schema and the loader check them, how a
loaded version keeps them (and writes them out again in the one file format), and how a
version in use keeps them unchanged."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from inspection.models import Framework, Standard
from inspection.rating_rules import RatingRules
from inspection.services import FrameworkError, framework_document, framework_load
from reports.ratings.selectors import framework_standards
from tests.conftest import CP_FILE, YOS_FILE, make_inspection
from tests.reports.ratings.test_rating_rules_options import TEST_FRAMEWORK, standards_of

SCHEMA = json.loads((YOS_FILE.parent / "schema.json").read_text())


def load(name_or_path) -> dict:
    return json.loads(Path(name_or_path).read_text())


def schema_errors(document: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, e.path))}: {e.message}"
        for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)
    ]


def write(tmp_path, document: dict) -> Path:
    path = tmp_path / f"{document['slug']}-{document['version']}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# --- the schema -------------------------------------------------------------------------------


def test_the_shipped_files_and_the_test_framework_validate():
    for path in (CP_FILE, YOS_FILE, TEST_FRAMEWORK):
        assert schema_errors(load(path)) == [], path.name


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["minimum_cases"].update(key_question=0), "minimum_cases/key_question"),
        (lambda d: d["minimum_cases"].update(standard="5"), "minimum_cases/standard"),
        (lambda d: d["minimum_cases"].update(cases=3), "minimum_cases"),
        (lambda d: d.update(small_organisation={}), "small_organisation"),
        (
            lambda d: d.update(small_organisation={"unrated_below_cases": 0}),
            "small_organisation/unrated_below_cases",
        ),
        (
            lambda d: d["domains"][3]["standards"][0].update(counts_toward_overall="no"),
            "domains/3/standards/0/counts_toward_overall",
        ),
        (
            lambda d: d["overall_thresholds"][0].update(above=30),
            "overall_thresholds/0",
        ),
        (lambda d: d["overall_thresholds"][0].pop("above_per_standard"), "overall_thresholds/0"),
        (lambda d: d["sample_types"].append("victims"), "sample_types/3"),
    ],
)
def test_the_schema_rejects_bad_rule_fields_naming_them(change, where):
    document = load(TEST_FRAMEWORK)
    change(document)
    errors = schema_errors(document)
    assert errors
    assert any(error.startswith(f"{where}: ") for error in errors), errors


def test_the_schema_takes_fixed_thresholds_and_a_victims_sample():
    document = load(TEST_FRAMEWORK)
    document["overall_thresholds"] = [
        {"rating": "Outstanding", "above": 30},
        {"rating": "Good", "above": 18},
        {"rating": "Requires improvement", "above": 6},
        {"rating": "Inadequate", "above": None},
    ]
    document["sample_types"].append("victim")
    document["domains"][3]["standards"][0]["key_questions"][1]["applies_to"] = ["victim"]
    document["small_organisation"] = {"unrated_below_cases": 10}
    assert schema_errors(document) == []


# --- the loader -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["domains"][1]["standards"][0]["key_questions"][0].update(
                applies_to=["out_of_court", "victim"]
            ),
            "domains/1/standards/0/key_questions/0/applies_to: question 2.1.1 applies to the "
            "'victim' sample, which sample_types does not list",
        ),
        (
            lambda d: [
                s.update(counts_toward_overall=False)
                for domain in d["domains"]
                for s in domain["standards"]
            ],
            "domains: no standard counts toward the overall rating (counts_toward_overall)",
        ),
    ],
)
def test_loading_refuses_rules_that_refer_to_what_the_framework_lacks(tmp_path, change, message):
    document = load(TEST_FRAMEWORK)
    change(document)
    path = write(tmp_path, document)
    with pytest.raises(FrameworkError) as refused:
        framework_load(path=path)
    assert message in str(refused.value)
    assert not Framework.objects.filter(slug=document["slug"]).exists()


@pytest.mark.django_db
def test_loading_refuses_a_prompt_asked_of_kinds_its_key_question_is_not(tmp_path):
    document = load(CP_FILE)
    document["version"] = "2099"
    kq = next(
        kq
        for domain in document["domains"]
        for s in domain["standards"]
        for kq in s["key_questions"]
        if kq.get("organisation_kinds") == ["yot", "yos", "yjs"]
    )
    kq["prompts"].append(
        {
            "code": f"{kq['code']}.z",
            "text": "Test?",
            "source": "Test",
            "organisation_kinds": ["crc"],
        }
    )
    with pytest.raises(FrameworkError, match=r"organisation_kinds: prompt .*\.z is asked of crc"):
        framework_load(path=write(tmp_path, document))


@pytest.mark.django_db
def test_loading_refuses_mixed_thresholds_naming_the_field(tmp_path):
    document = load(TEST_FRAMEWORK)
    document["overall_thresholds"][0] = {"rating": "Outstanding", "above": 30}
    with pytest.raises(FrameworkError) as refused:
        framework_load(path=write(tmp_path, document))
    assert "the rating method is not valid: overall_thresholds must all be per standard" in str(
        refused.value
    )


@pytest.mark.django_db
def test_the_test_framework_loads_with_its_rules_and_the_engine_reads_them(tmp_path):
    document = load(TEST_FRAMEWORK)
    document["minimum_cases"] = {"key_question": 2, "standard": 3, "overall": 4}
    document["small_organisation"] = {"unrated_below_cases": 10}
    framework, outcome = framework_load(path=write(tmp_path, document))
    assert outcome == "loaded"
    resettlement = Standard.objects.get(framework=framework, code="4.1")
    assert not resettlement.counts_toward_overall
    assert Standard.objects.filter(framework=framework, counts_toward_overall=True).count() == 12
    assert framework_standards(framework) == standards_of(document)
    rules = RatingRules.from_framework_dict(framework.rules_dict())
    assert rules == RatingRules.from_framework_dict(document)
    assert (
        rules.minimum_key_question_cases,
        rules.minimum_standard_cases,
        rules.minimum_overall_cases,
        rules.small_organisation_below,
    ) == (2, 3, 4, 10)


# --- one file format --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", [CP_FILE, YOS_FILE, TEST_FRAMEWORK], ids=lambda p: p.name)
def test_a_loaded_version_is_written_out_as_the_file_it_came_from(path):
    framework, _outcome = framework_load(path=path)
    document = framework_document(framework)
    assert document == load(path)
    assert list(document) == list(load(path))  # the same order of fields, too


@pytest.mark.django_db
def test_a_written_out_version_loads_again_as_the_same_version(tmp_path):
    framework, _outcome = framework_load(path=TEST_FRAMEWORK)
    again = copy.deepcopy(framework_document(framework))
    again["version"] = "2021.1"
    copy_of, outcome = framework_load(path=write(tmp_path, again))
    assert outcome == "loaded"
    assert framework_document(copy_of) == {**framework_document(framework), "version": "2021.1"}


# --- a version in use never changes its rules ---------------------------------------------


@pytest.fixture
def used(people, organisation):
    framework, _outcome = framework_load(path=TEST_FRAMEWORK)
    make_inspection(
        framework=framework, organisations=[organisation], people=people, reference="yjs-2021"
    )
    return framework


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["minimum_cases"].update(overall=5),
        lambda d: d.update(small_organisation={"unrated_below_cases": 8}),
        lambda d: d["domains"][3]["standards"][0].pop("counts_toward_overall"),
        lambda d: d["overall_thresholds"][1].update(above_per_standard=1.6),
    ],
)
def test_a_version_in_use_refuses_a_changed_rule(tmp_path, used, change):
    document = load(TEST_FRAMEWORK)
    change(document)
    with pytest.raises(FrameworkError, match="is used by inspections and has changed"):
        framework_load(path=write(tmp_path, document))
    used.refresh_from_db()
    assert used.rating_options == {
        "minimum_cases": {"key_question": 1, "standard": 1, "overall": 1},
        "small_organisation": None,
    }


@pytest.mark.django_db
def test_a_version_in_use_takes_a_file_that_only_writes_out_its_defaults(tmp_path, used):
    document = load(TEST_FRAMEWORK)
    del document["minimum_cases"], document["small_organisation"]
    framework, outcome = framework_load(path=write(tmp_path, document))
    assert (framework.pk, outcome) == (used.pk, "unchanged")
    assert framework.rating_options == {}
    assert RatingRules.from_framework_dict(
        framework.rules_dict()
    ) == RatingRules.from_framework_dict(load(TEST_FRAMEWORK))
