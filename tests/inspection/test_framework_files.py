"""Checks on the inspection framework data files in inspection/frameworks/.

Plain JSON and JSON Schema checks, and (last) the rating method checked when a file is loaded.
"""

import copy
import json
from pathlib import Path

import jsonschema
import pytest

FRAMEWORK_DIR = Path(__file__).resolve().parents[2] / "inspection" / "frameworks"
SCHEMA_PATH = FRAMEWORK_DIR / "schema.json"
CP_2014 = "child-protection-audit-2014.json"
YOS_2018 = "youth-offending-services-2018.json"
FRAMEWORK_FILES = [CP_2014, YOS_2018]

# Key questions of the 2018 case-judged standards, as worded in HMI Probation,
# An inspection of youth offending services in Barking and Dagenham (2018), Annex 2.
ANNEX_2_KEY_QUESTIONS = {
    "2.1.1": "Does assessment sufficiently analyse how to support the child or young person's "
    "desistance?",
    "2.1.2": "Does assessment sufficiently analyse how to keep the child or young person safe?",
    "2.1.3": "Does assessment sufficiently analyse how to keep other people safe?",
    "2.2.1": "Does planning focus sufficiently on supporting the child or young person's "
    "desistance?",
    "2.2.2": "Does planning focus sufficiently on keeping the child or young person safe?",
    "2.2.3": "Does planning focus sufficiently on keeping other people safe?",
    "2.3.1": "Does the implementation and delivery of services effectively support the child or "
    "young person's desistance?",
    "2.3.2": "Does the implementation and delivery of services effectively support the safety of "
    "the child or young person?",
    "2.3.3": "Does the implementation and delivery of services effectively support the safety of "
    "other people?",
    "2.4.1": "Does reviewing focus sufficiently on supporting the child or young person's "
    "desistance?",
    "2.4.2": "Does reviewing focus sufficiently on keeping the child or young person safe?",
    "2.4.3": "Does reviewing focus sufficiently on keeping other people safe?",
    "3.1.1": "Does assessment sufficiently analyse how to support the child or young person's "
    "desistance?",
    "3.1.2": "Does assessment sufficiently analyse how to keep the child or young person safe?",
    "3.1.3": "Does assessment sufficiently analyse how to keep other people safe?",
    "3.2.1": "Does planning focus sufficiently on supporting the child or young person's "
    "desistance?",
    "3.2.2": "Does planning focus sufficiently on keeping the child or young person safe?",
    "3.2.3": "Does planning focus sufficiently on keeping other people safe?",
    "3.3.1": "Does the implementation and delivery of services effectively support the child or "
    "young person's desistance?",
    "3.3.2": "Does the implementation and delivery of services effectively support the safety of "
    "the child or young person?",
    "3.3.3": "Does the implementation and delivery of services effectively support the safety of "
    "other people?",
    "3.4.1": "Are the YOT's recommendations sufficiently well-informed, analytical and "
    "personalised to the child or young person, supporting joint decision-making?",
    "3.4.2": "Does the YOT work effectively with the police in implementing the out-of-court "
    "disposal?",
}


def _load(name):
    with open(FRAMEWORK_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def validator():
    schema = _load("schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(params=FRAMEWORK_FILES)
def framework(request):
    return request.param, _load(request.param)


def _standards(fw):
    for domain in fw["domains"]:
        for standard in domain["standards"]:
            yield domain, standard


def _key_questions(fw):
    for _domain, standard in _standards(fw):
        for key_question in standard["key_questions"]:
            yield standard, key_question


def _prompts(fw):
    for _standard, key_question in _key_questions(fw):
        for prompt in key_question["prompts"]:
            yield key_question, prompt


def _all_codes(fw):
    codes = []
    for domain in fw["domains"]:
        codes.append(domain["code"])
        for standard in domain["standards"]:
            codes.append(standard["code"])
            for key_question in standard["key_questions"]:
                codes.append(key_question["code"])
                codes.extend(prompt["code"] for prompt in key_question["prompts"])
    return codes


def _errors(validator, doc):
    return list(validator.iter_errors(doc))


def _error_paths(errors):
    """Every element path the errors point at, including those inside if/then branches."""
    paths = []
    for error in errors:
        paths.append(list(error.absolute_path))
        for sub in error.context or ():
            paths.append(list(sub.absolute_path))
    return paths


# --- the framework files ---------------------------------------------------------------


def test_both_framework_files_are_present():
    present = sorted(p.name for p in FRAMEWORK_DIR.glob("*.json") if p.name != "schema.json")
    assert present == sorted(FRAMEWORK_FILES)


def test_framework_validates_against_schema(validator, framework):
    name, fw = framework
    errors = _errors(validator, fw)
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_file_name_is_slug_and_version(framework):
    name, fw = framework
    assert name == f"{fw['slug']}-{fw['version']}.json"


def test_codes_are_unique(framework):
    _name, fw = framework
    codes = _all_codes(fw)
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    assert duplicates == []


def test_codes_follow_the_dotted_scheme(framework):
    _name, fw = framework
    for domain in fw["domains"]:
        for s_index, standard in enumerate(domain["standards"], start=1):
            assert standard["code"] == f"{domain['code']}.{s_index}"
            for k_index, key_question in enumerate(standard["key_questions"], start=1):
                assert key_question["code"] == f"{standard['code']}.{k_index}"
                for p_index, prompt in enumerate(key_question["prompts"]):
                    letter = "abcdefghijklmnopqrstuvwxyz"[p_index]
                    assert prompt["code"] == f"{key_question['code']}.{letter}"


def test_every_key_question_and_prompt_has_a_source(framework):
    _name, fw = framework
    for _standard, key_question in _key_questions(fw):
        assert key_question["source"].strip(), key_question["code"]
    for _key_question, prompt in _prompts(fw):
        assert prompt["source"].strip(), prompt["code"]


def test_every_standard_has_a_source_and_statement(framework):
    _name, fw = framework
    for _domain, standard in _standards(fw):
        assert standard["source"].strip(), standard["code"]
        assert standard["statement"].strip(), standard["code"]


def test_case_judged_standards_have_key_questions(framework):
    _name, fw = framework
    case_standards = [s for _d, s in _standards(fw) if s["judged_by"] == "cases"]
    assert case_standards
    for standard in case_standards:
        assert len(standard["key_questions"]) >= 1, standard["code"]


def test_applies_to_values_are_the_frameworks_sample_types(framework):
    _name, fw = framework
    sample_types = set(fw["sample_types"])
    for standard, key_question in _key_questions(fw):
        applies = set(key_question["applies_to"])
        assert applies <= sample_types, key_question["code"]
        if standard["judged_by"] == "cases":
            assert applies, key_question["code"]
        else:
            assert applies == set(), key_question["code"]
    for key_question, prompt in _prompts(fw):
        if "applies_to" in prompt:
            assert set(prompt["applies_to"]) <= sample_types, prompt["code"]
            assert prompt["applies_to"], prompt["code"]
            assert set(prompt["applies_to"]) <= set(key_question["applies_to"]), prompt["code"]


def test_every_sample_type_is_used(framework):
    _name, fw = framework
    used = {t for _s, kq in _key_questions(fw) for t in kq["applies_to"]}
    assert used == set(fw["sample_types"])


def test_rating_method_is_ordered_and_complete(framework):
    _name, fw = framework
    ratings = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert [b["rating"] for b in fw["rating_bands"]] == ratings
    minimums = [b["min_percent"] for b in fw["rating_bands"]]
    assert minimums == sorted(minimums, reverse=True)
    assert minimums[-1] == 0
    assert [t["rating"] for t in fw["overall_thresholds"]] == ratings
    assert fw["overall_thresholds"][-1]["above_per_standard"] is None
    scores = [fw["rating_scores"][r] for r in ratings]
    assert scores == sorted(scores, reverse=True)


def test_both_frameworks_share_the_inspectorate_rating_method():
    cp, yos = _load(CP_2014), _load(YOS_2018)
    for key in ("rating_bands", "rating_scores", "overall_thresholds"):
        assert cp[key] == yos[key], key


# --- the 2018 framework --------------------------------------------------------------------


def _band(fw, percent):
    for band in fw["rating_bands"]:
        if percent >= band["min_percent"]:
            return band["rating"]
    raise AssertionError(f"no band for {percent}")


def _overall(fw, ratings):
    total = sum(fw["rating_scores"][r] for r in ratings)
    for row in fw["overall_thresholds"]:
        if row["above_per_standard"] is None or total > row["above_per_standard"] * len(ratings):
            return row["rating"]
    raise AssertionError("no overall rating")


def test_2018_case_key_questions_match_annex_2_wording():
    fw = _load(YOS_2018)
    actual = {
        kq["code"]: kq["text"]
        for standard, kq in _key_questions(fw)
        if standard["code"].split(".")[0] in {"2", "3"}
    }
    assert actual == ANNEX_2_KEY_QUESTIONS


def test_2018_structure():
    fw = _load(YOS_2018)
    assert fw["sample_types"] == ["court_disposal", "out_of_court"]
    by_code = {s["code"]: (d["code"], s) for d, s in _standards(fw)}
    assert sorted(by_code) == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2.1",
        "2.2",
        "2.3",
        "2.4",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
    ]
    assert by_code["2.2"][1]["title"] == "Planning"
    assert by_code["3.4"][1]["title"] == "Joint working"
    assert by_code["3.4"][1]["statement"] == (
        "Joint working with the police supports the delivery of high-quality, personalised and "
        "coordinated services."
    )
    expected_applies = {"1": [], "2": ["court_disposal"], "3": ["out_of_court"]}
    expected_judged = {"1": "organisation", "2": "cases", "3": "cases"}
    for domain_code, standard in by_code.values():
        assert standard["judged_by"] == expected_judged[domain_code], standard["code"]
        for kq in standard["key_questions"]:
            assert kq["applies_to"] == expected_applies[domain_code], kq["code"]
        if domain_code == "1":
            assert all(kq["prompts"] == [] for kq in standard["key_questions"])
            assert standard["case_facts"] == []
        else:
            assert all(kq["prompts"] for kq in standard["key_questions"]), standard["code"]
            assert standard["case_facts"], standard["code"]


def test_2018_prompts_cite_the_2018_report():
    fw = _load(YOS_2018)
    for _kq, prompt in _prompts(fw):
        assert prompt["source"].startswith("2018 Barking and Dagenham, "), prompt["code"]
        assert prompt["text"].endswith("?"), prompt["code"]


def test_2018_rating_method_reproduces_the_published_ratings():
    """Barking and Dagenham (2018): key question % yes -> standard rating -> overall rating."""
    fw = _load(YOS_2018)
    published = {
        "2.1": ([84, 63, 57], "Requires improvement"),
        "2.2": ([80, 48, 62], "Inadequate"),
        "2.3": ([62, 55, 65], "Requires improvement"),
        "2.4": ([62, 58, 56], "Requires improvement"),
        "3.1": ([58, 74, 68], "Requires improvement"),
        "3.2": ([89, 64, 71], "Requires improvement"),
        "3.3": ([89, 83, 63], "Requires improvement"),
        "3.4": ([76, 78], "Good"),
    }
    case_ratings = []
    for code, (percents, rating) in published.items():
        assert _band(fw, min(percents)) == rating, code
        case_ratings.append(rating)
    organisation_ratings = ["Good", "Requires improvement", "Requires improvement", "Good"]
    all_ratings = organisation_ratings + case_ratings
    assert sum(fw["rating_scores"][r] for r in all_ratings) == 14
    assert _overall(fw, all_ratings) == "Requires improvement"
    # The cut points for twelve standards: 0-6, 7-18, 19-30, 31-36.
    assert _overall(fw, ["Inadequate"] * 6 + ["Outstanding"] * 2) == "Requires improvement"
    assert _overall(fw, ["Requires improvement"] * 6 + ["Inadequate"] * 6) == "Inadequate"
    assert _overall(fw, ["Outstanding"] * 7 + ["Good"] * 5) == "Outstanding"
    assert _overall(fw, ["Outstanding"] * 6 + ["Good"] * 6) == "Good"


def test_2018_band_boundaries_are_inclusive():
    fw = _load(YOS_2018)
    assert _band(fw, 80) == "Outstanding"
    assert _band(fw, 79.99) == "Good"
    assert _band(fw, 65) == "Good"
    assert _band(fw, 64.9) == "Requires improvement"
    assert _band(fw, 50) == "Requires improvement"
    assert _band(fw, 49.9) == "Inadequate"
    assert _band(fw, 0) == "Inadequate"


# --- the 2014 framework --------------------------------------------------------------------


def test_2014_structure():
    fw = _load(CP_2014)
    assert fw["sample_types"] == ["new_order", "cp_plan", "referral"]
    assert [(d["code"], d["title"]) for d in fw["domains"]] == [
        ("1", "Case work"),
        ("2", "Leadership and management"),
    ]
    case_work, leadership = fw["domains"]
    assert [(s["code"], s["title"]) for s in case_work["standards"]] == [
        ("1.1", "Identification"),
        ("1.2", "Assessment"),
        ("1.3", "Planning"),
        ("1.4", "Action and joint work"),
        ("1.5", "Information sharing and referral"),
        ("1.6", "Management oversight"),
    ]
    assert all(s["judged_by"] == "cases" for s in case_work["standards"])
    assert [s["code"] for s in leadership["standards"]] == ["2.1"]
    assert leadership["standards"][0]["judged_by"] == "organisation"


def test_2014_question_counts():
    fw = _load(CP_2014)
    for _domain, standard in _standards(fw):
        assert 2 <= len(standard["key_questions"]) <= 4, standard["code"]
        for kq in standard["key_questions"]:
            assert 3 <= len(kq["prompts"]) <= 8, kq["code"]
            assert kq["text"].endswith("?"), kq["code"]
            for prompt in kq["prompts"]:
                assert prompt["text"].endswith("?"), prompt["code"]


def test_2014_sources_use_the_short_names():
    fw = _load(CP_2014)
    items = [kq for _s, kq in _key_questions(fw)] + [p for _kq, p in _prompts(fw)]
    for item in items:
        parts = [part.strip() for part in item["source"].split(";")]
        for part in parts:
            assert part.startswith(("2014 thematic, ", "2002 report, ")), item["code"]


def test_2014_applies_to_follows_the_samples():
    fw = _load(CP_2014)
    kqs = {kq["code"]: kq for _s, kq in _key_questions(fw)}
    # identification is tested on every sample
    for code in ("1.1.1", "1.1.2", "1.1.3"):
        assert set(kqs[code]["applies_to"]) == {"new_order", "cp_plan", "referral"}, code
    # conferences, core groups and alignment with the plan need a child protection plan
    assert kqs["1.3.2"]["applies_to"] == ["cp_plan"]
    assert kqs["1.4.2"]["applies_to"] == ["cp_plan"]
    # referral content and response: referrals, and plan cases where a referral was made
    for code in ("1.5.2", "1.5.3"):
        assert set(kqs[code]["applies_to"]) == {"referral", "cp_plan"}, code
    # every key question mentioning conferences or core groups is limited to plan cases
    for kq in kqs.values():
        if "conference" in kq["text"].lower() or "core group" in kq["text"].lower():
            assert kq["applies_to"] == ["cp_plan"], kq["code"]


def test_2014_assessment_covers_the_2002_table_3_aspects():
    fw = _load(CP_2014)
    prompts = [p for kq, p in _prompts(fw) if kq["code"].startswith("1.2.")]
    table_3 = [p["text"].lower() for p in prompts if "Table 3" in p["source"]]
    for aspect in (
        "who is at risk",
        "what they are at risk of",
        "from whom they are at risk",
        "protective factors",
        "increase or reduce the risk",
    ):
        assert any(aspect in text for text in table_3), aspect


def test_2014_referral_prompts_cover_paragraph_2_48():
    fw = _load(CP_2014)
    referral = {p["code"]: p for kq, p in _prompts(fw) if kq["code"] == "1.5.2"}
    texts = " ".join(p["text"].lower() for p in referral.values() if "2.48" in p["source"])
    assert "full details of the child" in texts
    assert "nature and level of the risk" in texts
    assert "what response was wanted" in texts


# --- the schema rejects broken files -----------------------------------------------------


@pytest.fixture
def valid_doc():
    return copy.deepcopy(_load(YOS_2018))


def _first_case_standard(doc):
    return next(s for _d, s in _standards(doc) if s["judged_by"] == "cases")


def test_schema_rejects_unknown_judged_by(validator, valid_doc):
    standard = _first_case_standard(valid_doc)
    standard["judged_by"] = "inspector"
    errors = _errors(validator, valid_doc)
    assert [e.validator for e in errors] == ["enum"]
    assert list(errors[0].absolute_path)[-1] == "judged_by"


def test_schema_rejects_missing_code(validator, valid_doc):
    del valid_doc["domains"][1]["standards"][0]["key_questions"][0]["code"]
    errors = _errors(validator, valid_doc)
    assert [e.validator for e in errors] == ["required"]
    assert "'code' is a required property" in errors[0].message
    assert list(errors[0].absolute_path) == ["domains", 1, "standards", 0, "key_questions", 0]


def test_schema_rejects_unknown_sample_type(validator, valid_doc):
    valid_doc["domains"][1]["standards"][0]["key_questions"][0]["applies_to"] = ["adult_licence"]
    errors = _errors(validator, valid_doc)
    assert errors
    assert any(e.validator == "enum" for e in errors)


def test_schema_rejects_unknown_case_fact(validator, valid_doc):
    valid_doc["domains"][1]["standards"][0]["case_facts"].append("interviews")
    errors = _errors(validator, valid_doc)
    assert errors
    assert any(path[-2:-1] == ["case_facts"] for path in _error_paths(errors))


@pytest.mark.parametrize(
    "where",
    ["top", "domain", "standard", "key_question", "prompt", "rating_band"],
)
def test_schema_rejects_unknown_keys(validator, valid_doc, where):
    standard = valid_doc["domains"][1]["standards"][0]
    key_question = standard["key_questions"][0]
    target = {
        "top": valid_doc,
        "domain": valid_doc["domains"][1],
        "standard": standard,
        "key_question": key_question,
        "prompt": key_question["prompts"][0],
        "rating_band": valid_doc["rating_bands"][0],
    }[where]
    target["notes"] = "not part of the format"
    errors = _errors(validator, valid_doc)
    assert [e.validator for e in errors] == ["additionalProperties"]


def test_schema_rejects_case_standard_without_key_questions(validator, valid_doc):
    valid_doc["domains"][1]["standards"][0]["key_questions"] = []
    errors = _errors(validator, valid_doc)
    assert [e.validator for e in errors] == ["minItems"]
    assert list(errors[0].absolute_path) == ["domains", 1, "standards", 0, "key_questions"]


def test_schema_rejects_organisation_question_with_sample_types(validator, valid_doc):
    valid_doc["domains"][0]["standards"][0]["key_questions"][0]["applies_to"] = ["court_disposal"]
    errors = _errors(validator, valid_doc)
    assert [e.validator for e in errors] == ["maxItems"]
    assert list(errors[0].absolute_path)[-1] == "applies_to"


def test_schema_rejects_badly_formed_codes_and_empty_sources(validator, valid_doc):
    broken = copy.deepcopy(valid_doc)
    broken["domains"][1]["standards"][0]["key_questions"][0]["prompts"][0]["code"] = "2.1.1-a"
    assert _errors(validator, broken)
    broken = copy.deepcopy(valid_doc)
    broken["domains"][1]["standards"][0]["key_questions"][0]["source"] = "   "
    assert _errors(validator, broken)


def test_schema_rejects_unknown_rating(validator, valid_doc):
    valid_doc["rating_bands"][0]["rating"] = "Excellent"
    assert _errors(validator, valid_doc)
    valid_doc = copy.deepcopy(_load(YOS_2018))
    del valid_doc["rating_scores"]["Inadequate"]
    assert _errors(validator, valid_doc)


# --- the rating method is checked when a framework is loaded --------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["rating_bands"].reverse(),
            "rating_bands must be ordered by min_percent, highest first",
        ),
        (
            lambda d: d["rating_bands"][-1].update(min_percent=10),
            "the last rating band must start at 0",
        ),
        (
            lambda d: d["rating_bands"][1].update(rating="Outstanding"),
            "a rating may appear only once in rating_bands",
        ),
        (
            lambda d: d["overall_thresholds"][-1].update(above_per_standard=0.1),
            "the last overall threshold must have above_per_standard null",
        ),
        (
            lambda d: d["overall_thresholds"][0].update(above_per_standard=1),
            "overall_thresholds must be ordered, highest first",
        ),
    ],
)
@pytest.mark.django_db
def test_loading_refuses_a_framework_whose_rating_method_leaves_gaps(tmp_path, change, message):
    from inspection.models import Framework
    from inspection.services import FrameworkError, framework_load

    doc = _load(YOS_2018)
    doc["version"] = "2099"
    change(doc)
    path = tmp_path / f"{doc['slug']}-2099.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(FrameworkError) as refused:
        framework_load(path=path)
    assert str(refused.value).startswith(f"{path.name}: the rating method is not valid: ")
    assert message in str(refused.value)
    assert not Framework.objects.filter(version="2099").exists()


@pytest.mark.django_db
def test_loading_accepts_both_framework_files_rating_methods():
    from inspection.services import framework_load

    for name in FRAMEWORK_FILES:
        framework, _outcome = framework_load(path=FRAMEWORK_DIR / name)
        assert framework.rating_bands == _load(name)["rating_bands"]
