"""Broken import files: each is refused with every problem and its JSON path, and nothing is
saved (every table is counted before and after)."""

import copy
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from reports.exchange.export import inspection_export
from reports.exchange.format import ImportRefused, exchange_json
from reports.exchange.importer import inspection_import
from tests.reports.exchange.test_exchange import build_inspection

FRAMEWORK = "Youth offending services (2018)"


@pytest.fixture
def good(people, yos_framework, organisation):
    """A file that would import: the inspection is exported, then removed from the database
    (its organisations and people stay, and match the file)."""
    inspection = build_inspection(people, yos_framework, organisation)
    data = inspection_export(inspection)
    inspection.delete()
    return data


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def refused(raw) -> list[str]:
    """Import the file, which must be refused; returns the problems, having checked that no
    table changed."""
    if isinstance(raw, dict):
        raw = exchange_json(raw)
    before = table_counts()
    with pytest.raises(ImportRefused) as caught:
        inspection_import(raw=raw)
    assert table_counts() == before
    problems = [str(p) for p in caught.value.problems]
    assert problems, "a refusal always says why"
    assert all(p.startswith("$") for p in problems), problems
    return problems


def test_the_good_file_imports(good):
    before = table_counts()
    inspection_import(raw=exchange_json(good))
    assert table_counts()["casefiles.Case"] == before["casefiles.Case"] + 3


# The broken files the brief names ----------------------------------------------------------


def test_a_string_where_a_date_should_be(good):
    good["inspection"]["fieldwork_start"] = "16/04/2018"
    good["cases"][0]["referrals"][0]["response_date"] = "soon"
    good["cases"][0]["orders"][0]["start_date"] = "2017-02-30"

    assert refused(good) == [
        "$.cases[0].orders[0].start_date: expected a date written YYYY-MM-DD, got '2017-02-30'",
        "$.cases[0].referrals[0].response_date: expected a date written YYYY-MM-DD, got 'soon'",
        "$.inspection.fieldwork_start: expected a date written YYYY-MM-DD, got '16/04/2018'",
    ]


def test_a_string_where_a_number_should_be(good):
    good["cases"][1]["answers"][3]["version"] = "2"
    good["organisation_ratings"][0]["version"] = 1.5

    assert refused(good) == [
        "$.cases[1].answers[3].version: expected a whole number, got '2'",
        "$.organisation_ratings[0].version: expected a whole number, got the number 1.5",
    ]


def test_other_wrong_types(good):
    good["cases"][0]["selected_for_qa"] = "yes"
    good["cases"][0]["inspector"] = 7
    good["cases"][2]["answers"] = {}
    good["cases"][1]["submitted_at"] = "2018-05-01 10:00"

    assert refused(good) == [
        "$.cases[0].inspector: expected text or null, got the number 7",
        "$.cases[0].selected_for_qa: expected true or false, got 'yes'",
        "$.cases[1].submitted_at: expected a date and time in ISO 8601 with a time zone, "
        "e.g. 2018-04-16T09:30:00Z, got '2018-05-01 10:00'",
        "$.cases[2].answers: expected a list, got an object",
    ]


def test_unknown_question_codes(good):
    good["cases"][0]["answers"][2]["question"] = "9.9.9"
    good["cases"][0]["moderation"][0]["returned_questions"][0]["question"] = "2.1.99"

    assert refused(good) == [
        f"$.cases[0].answers[2].question: unknown question code '9.9.9' for framework {FRAMEWORK}",
        "$.cases[0].moderation[0].returned_questions[0].question: unknown question code "
        f"'2.1.99' for framework {FRAMEWORK}",
    ]


def test_a_case_in_two_samples(good):
    twin = copy.deepcopy(good["cases"][2])
    twin["sample_type"] = "out_of_court"
    del twin["public_id"]
    good["cases"].append(twin)

    assert refused(good) == [
        "$.cases[3].reference: case 'C-003' is also at $.cases[2]: the file puts it in two "
        "samples ('court_disposal' and 'out_of_court'), but a case belongs to one sample"
    ]


def test_the_same_case_twice(good):
    good["cases"].append(copy.deepcopy(good["cases"][2]))

    problems = refused(good)

    assert "$.cases[3].reference: case 'C-003' is also at $.cases[2]" in problems
    assert any(p.startswith("$.cases[3].public_id: public id ") for p in problems)


def test_truncated_json(good):
    text = exchange_json(good)

    problems = refused(text[: len(text) // 2])

    assert len(problems) == 1
    assert problems[0].startswith("$: not valid JSON: ")
    assert problems[0].endswith("(is the file complete?)")


def test_truncated_json_through_the_command(good, tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(exchange_json(good)[:5000], encoding="utf-8")
    before = table_counts()

    with pytest.raises(CommandError) as caught:
        call_command("import_inspection", str(path))

    assert table_counts() == before
    assert str(caught.value).startswith("cut.json: Nothing was imported: 1 problem(s) found.\n$: ")


def test_a_missing_required_key(good):
    del good["inspection"]["reference"]
    del good["cases"][1]["status"]
    del good["cases"][0]["children"][0]["name"]
    del good["organisation_ratings"]

    assert refused(good) == [
        "$.organisation_ratings: this key is required but missing",
        "$.cases[0].children[0].name: this key is required but missing",
        "$.cases[1].status: this key is required but missing",
        "$.inspection.reference: this key is required but missing",
    ]


def test_an_unknown_framework_version(good):
    good["framework"]["version"] = "2099"

    problems = refused(good)

    assert problems == [
        "$.framework: framework Youth offending services (2099) is not loaded in this "
        "database: load that version first (python manage.py load_frameworks), then import "
        "again"
    ]


def test_an_answer_that_is_not_yes_no_or_na(good):
    good["cases"][0]["answers"][0]["value"] = "maybe"
    good["cases"][1]["answers"][1]["value"] = "Yes"

    assert refused(good) == [
        "$.cases[0].answers[0].value: 'maybe' is not one of 'yes', 'no', 'na'",
        "$.cases[1].answers[1].value: 'Yes' is not one of 'yes', 'no', 'na'",
    ]


def test_a_referral_response_before_the_referral(good):
    referral = good["cases"][0]["referrals"][0]
    referral["referral_date"], referral["response_date"] = "2017-09-10", "2017-09-01"

    assert refused(good) == [
        "$.cases[0].referrals[0].response_date: The response cannot come before the referral."
    ]


# More ways a file can be wrong -------------------------------------------------------------


def test_every_problem_is_reported_at_once(good):
    good["framework"]["version"] = "2099"
    good["inspection"]["fieldwork_end"] = "2018-01-01"
    good["cases"][0]["answers"][0]["value"] = "maybe"
    good["cases"][1]["organisation"] = "nowhere-yos"
    good["cases"][2]["inspector"] = "stranger"
    good["cases"][0]["orders"][0]["end_date"] = "2010-01-01"
    good["cases"][0]["checks"][0]["response_date"] = "2001-01-01"
    good["cases"][0]["plans"][0]["end_date"] = "2001-01-01"

    problems = refused(good)

    assert problems[0] == "$.cases[0].answers[0].value: 'maybe' is not one of 'yes', 'no', 'na'"
    for expected in [
        "$.framework: framework Youth offending services (2099) is not loaded",
        "$.inspection.fieldwork_end: The fieldwork cannot end before it starts.",
        "$.cases[1].organisation: 'nowhere-yos' is not one of the inspection's organisations",
        "$.cases[2].inspector: 'stranger' is not one of the people listed in $.people",
        "$.cases[0].orders[0].end_date: The order cannot end before it starts.",
        "$.cases[0].checks[0].response_date: The response cannot come before the check was made.",
        "$.cases[0].plans[0].end_date: The plan cannot end before it starts.",
    ]:
        assert any(p.startswith(expected) for p in problems), (expected, problems)


def test_the_reference_exists_already(good, people, yos_framework, organisation):
    good_again = copy.deepcopy(good)
    inspection_import(raw=exchange_json(good))
    for case in good_again["cases"]:
        del case["public_id"]

    problems = refused(good_again)

    assert problems[0] == (
        "$.inspection.reference: an inspection with reference 'yos-bd-2018' already exists in "
        "this database; an import never changes an existing inspection"
    )


def test_not_json_at_all(db):
    assert refused(b"\xff\xfe not text") == [
        "$: the file is not UTF-8 text ('utf-8' codec can't decode byte 0xff in position 0: "
        "invalid start byte)"
    ]
    assert refused("[]") == ["$: expected an object, got a list"]
    assert refused("") == [
        "$: not valid JSON: Expecting value at line 1 column 1 (is the file complete?)"
    ]


def test_another_format(good):
    good["format"] = "something-else"
    good["format_version"] = 2
    good["extra"] = True

    assert refused(good) == [
        "$: unexpected key 'extra': the format does not have it",
        "$.format: expected \"case-audit-inspection\", got 'something-else'",
        "$.format_version: expected 1, got the number 2",
    ]


def test_an_answer_without_the_note_it_needs(good):
    key_answer = good["cases"][1]["answers"][0]
    assert key_answer["question"] == "3.1.1"
    key_answer["note"] = ""
    prompt_no = next(
        (i, a)
        for i, a in enumerate(good["cases"][1]["answers"])
        if a["value"] == "no" and a["question"].count(".") == 3
    )
    prompt_no[1]["note"] = "   "

    assert refused(good) == [
        "$.cases[1].answers[0].note: key question 3.1.1 needs an evidence note",
        f"$.cases[1].answers[{prompt_no[0]}].note: {prompt_no[1]['question']} is answered "
        "No, so it needs an evidence note",
    ]


def test_an_organisation_level_question_answered_for_a_case(good):
    good["cases"][0]["answers"][0]["question"] = "1.1.1"

    assert refused(good) == [
        "$.cases[0].answers[0].question: 1.1.1 belongs to standard 1.1, which is rated at "
        "organisation level, not answered for each case"
    ]


def test_a_question_answered_twice(good):
    good["cases"][0]["answers"][1]["question"] = good["cases"][0]["answers"][0]["question"]

    assert refused(good) == [
        "$.cases[0].answers[1].question: 2.1.1 is answered twice (also at answers[0])"
    ]


def test_a_plan_for_a_child_not_in_the_case(good):
    plan = next(p for p in good["cases"][0]["plans"] if p["child"])
    index = good["cases"][0]["plans"].index(plan)
    plan["child"] = "00000000-0000-4000-8000-000000000000"

    assert refused(good) == [
        f"$.cases[0].plans[{index}].child: no linked child of this case has the public id "
        "'00000000-0000-4000-8000-000000000000' (see $.cases[0].children)"
    ]


def test_organisation_ratings_that_do_not_fit(good):
    good["organisation_ratings"][0]["standard"] = "2.1"
    good["organisation_ratings"][1]["standard"] = "7.7"
    good["organisation_ratings"][1]["rated_by"] = "nobody"
    good["organisation_ratings"][1]["rating"] = "Fine"

    assert refused(good) == [
        "$.organisation_ratings[1].rating: 'Fine' is not one of 'Outstanding', 'Good', "
        "'Requires improvement', 'Inadequate'",
        "$.organisation_ratings[0].standard: standard 2.1 is judged from cases, not rated at "
        "organisation level",
        "$.organisation_ratings[1].rated_by: 'nobody' is not one of the people listed in $.people",
        f"$.organisation_ratings[1].standard: unknown standard '7.7' for framework {FRAMEWORK}",
    ]


def test_an_organisation_described_differently(good):
    good["organisations"][0]["name"] = "Barking YOT"
    good["organisations"][1]["area"]["region"] = "London"

    assert refused(good) == [
        "$.organisations[0]: organisation 'bd-yos' already exists in this database as "
        "'Barking and Dagenham YOS' (yos) in area 'barking-and-dagenham'; the file must "
        "describe it the same way",
        "$.organisations[1].area: area 'reading' already exists in this database as 'Reading' "
        "(Thames Valley Police, South); the file must describe it the same way",
    ]


def test_a_team_that_does_not_fit(good):
    good["team"].append(dict(good["team"][0]))
    good["team"][1]["inspectorate"] = "ofsted"
    good["people"].append(dict(good["people"][0]))

    assert refused(good) == [
        "$.people[5].username: 'colleague' is listed twice",
        "$.team[1].inspectorate: Only partner inspectors come from another inspectorate.",
        "$.team[5].username: 'colleague' has two places on the team",
    ]


def test_values_too_long_for_the_database(good):
    good["cases"][1]["reference"] = "C" * 41
    good["cases"][0]["children"][0]["address"] = "x" * 251
    good["report"]["key_facts"][0]["value"] = "9" * 61

    assert refused(good) == [
        "$.cases[0].children[0].address: too long: at most 250 characters",
        "$.cases[1].reference: too long: at most 40 characters",
        "$.report.key_facts[0].value: too long: at most 60 characters",
    ]


def test_a_sample_the_framework_does_not_draw(good):
    good["cases"][2]["sample_type"] = "referral"

    assert refused(good) == [
        f"$.cases[2].sample_type: framework {FRAMEWORK} draws no 'referral' sample; its "
        "samples are 'court_disposal', 'out_of_court'"
    ]


def test_report_text_that_does_not_fit(good):
    report = good["report"]
    report["domain_findings"][0]["domain"] = "9"
    report["standard_texts"].append(dict(report["standard_texts"][0]))
    report["practice_examples"][0]["case"] = "C-999"
    report["practice_examples"][0]["standard"] = "9.9"
    report["pseudonyms"][1]["real_key"] = report["pseudonyms"][0]["real_key"]
    report["pseudonyms"][1]["part"] = report["pseudonyms"][0]["part"]
    report["updated_by"] = "ghost"
    del report["key_facts"][0]["label"]

    assert refused(good) == [
        "$.report.key_facts[0].label: this key is required but missing",
        "$.report.updated_by: 'ghost' is not one of the people listed in $.people",
        f"$.report.domain_findings[0].domain: unknown domain '9' for framework {FRAMEWORK}",
        "$.report.standard_texts[1].standard: standard 2.1 has text twice (also at "
        "standard_texts[0])",
        "$.report.practice_examples[0].case: 'C-999' is not the reference of a case in $.cases",
        f"$.report.practice_examples[0].standard: unknown standard '9.9' for framework {FRAMEWORK}",
        f"$.report.pseudonyms[1].real_key: '{report['pseudonyms'][0]['real_key']}' has two "
        "pseudonyms (also at pseudonyms[0])",
    ]


def test_a_pseudonym_standing_in_for_two_names(good):
    pseudonyms = good["report"]["pseudonyms"]
    first, second = [p for p in pseudonyms if p["part"] == "first"][:2]
    second["pseudonym"] = first["pseudonym"]
    index = pseudonyms.index(second)

    assert refused(good) == [
        f"$.report.pseudonyms[{index}].pseudonym: '{first['pseudonym']}' stands in for two "
        f"names (also at pseudonyms[{pseudonyms.index(first)}])"
    ]


def test_a_bad_public_id(good):
    good["cases"][0]["public_id"] = "C-001"

    problems = refused(good)

    assert problems == [
        "$.cases[0].public_id: 'C-001' is not in the right form: A public identifier: a UUID "
        "in lower case with hyphens."
    ]


def test_refusals_are_plain_json_paths(good):
    """Every path in a refusal can be followed in the file."""
    good["cases"][0]["answers"][2]["question"] = "9.9.9"
    problems = refused(good)
    path = problems[0].split(":")[0]
    node = json.loads(exchange_json(good))
    for step in path[2:].replace("[", ".").replace("]", "").split("."):
        node = node[int(step)] if step.isdigit() else node[step]
    assert node == "9.9.9"


# Any one value changed ---------------------------------------------------------------------


def _leaves(node, path=()):
    """Every place in the file a value can be changed, as a list of keys and indexes."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))


def _json_path(path) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_changed_value_is_imported_whole_or_refused_with_nothing_saved(good, data):
    places = [p for p in _leaves(good) if p]
    place = data.draw(st.sampled_from(places), label="place")
    value = data.draw(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(-3, 3),
            st.sampled_from(["", " ", "x", "2018-04-16", "yes", "9.9.9", "C-001"]),
            st.just([]),
            st.just({}),
        ),
        label="value",
    )
    note(f"{_json_path(place)} = {value!r}")
    changed = copy.deepcopy(good)
    node = changed
    for key in place[:-1]:
        node = node[key]
    node[place[-1]] = value

    before = table_counts()
    with transaction.atomic():
        try:
            inspection_import(raw=exchange_json(changed))
        except ImportRefused as refusal:
            assert table_counts() == before
            assert refusal.problems
            for problem in refusal.problems:
                assert problem.path.startswith("$"), problem
        # An import that went through is undone, so that every example starts alike.
        transaction.set_rollback(True)
