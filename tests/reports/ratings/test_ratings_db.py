"""Ratings from the database: seed 004 built case by case reproduces every published figure.

The dataset goes in the way an inspection's would: cases in the sample, answers and evidence
notes recorded through judgements.services, each case submitted, and the lead inspector's
four organisation-level ratings. Then the ratings are read back through the selector the
pages use, and through ``manage.py inspection_ratings --json``.
"""

import io
import json
from collections import defaultdict
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casefiles.models import Case, ChildProtectionPlan, Order
from inspection.models import Inspection, Membership, Organisation, Standard
from inspection.rating_rules import NOT_APPLICABLE, RATING_NAMES, Tally
from judgements.rules import applicable_questions, case_questions
from judgements.services import AnswerInput, answers_record, case_submit, organisation_rating_record
from reports.ratings.engine import AnswerFact
from reports.ratings.selectors import inspection_rating, no_answers
from reports.ratings.tables import thematic_tables
from tests.conftest import (
    YOS_FILE,
    make_area,
    make_case,
    make_inspection,
    make_organisation,
    make_people,
    module_data,
    stored_framework,
)
from tests.support.seed004 import (
    SEED004_COUNTS,
    SEED004_ORGANISATION_RATINGS,
    SEED004_OVERALL_RATING,
    SEED004_OVERALL_SCORE,
    SEED004_PERCENTS,
    SEED004_RATINGS,
    seed004_answers,
)

SAMPLE_TYPE = {"2": "court_disposal", "3": "out_of_court"}


# Building the dataset ------------------------------------------------------------------------


def evidence_note(reference: str, code: str, value: str) -> str:
    if value == "no":
        return f"{reference} {code}: not done well enough; see the case record."
    if value == NOT_APPLICABLE:
        return f"{reference} {code}: not relevant to this case."
    return f"{reference} {code}: done well."


def score_cases(
    inspection,
    people,
    answers,
    *,
    organisation_of=None,
    leave=None,
    gender_of=None,
):
    """Create a case per case id in ``answers`` (AnswerFacts), answer and submit it.

    Key questions take the given values, with an evidence note; prompts are answered Yes.
    ``organisation_of(case_id)`` picks the organisation; ``leave`` maps case ids to a status
    to stop at instead of submitting ("not_started" or "in_progress").
    """
    leave = leave or {}
    by_case: dict[str, dict[str, str]] = defaultdict(dict)
    for fact in answers:
        by_case[fact.case_id][fact.question_code] = fact.value
    questions = case_questions(inspection.framework)
    cases = []
    for reference, values in by_case.items():
        domain = next(iter(values))[0]
        case = make_case(
            inspection,
            reference=reference,
            organisation=organisation_of(reference) if organisation_of else None,
            inspector=people.inspector,
            sample_type=SAMPLE_TYPE[domain],
            gender=gender_of(reference) if gender_of else "male",
        )
        cases.append(case)
        if leave.get(reference) == Case.Status.NOT_STARTED:
            continue
        inputs = []
        for question in applicable_questions(case, questions):
            if question.parent_id is None:
                value = values[question.code]
                note = evidence_note(reference, question.code, value)
            else:
                value, note = "yes", ""
            inputs.append(AnswerInput(question=question, value=value, note=note))
        answers_record(case=case, answers=inputs, actor=people.inspector)
        if reference not in leave:
            case_submit(case=case, actor=people.inspector)
    return cases


def rate_organisation_standards(inspection, organisation, people, ratings=None):
    for code, rating in (ratings or SEED004_ORGANISATION_RATINGS).items():
        organisation_rating_record(
            inspection=inspection,
            organisation=organisation,
            standard=Standard.objects.get(framework=inspection.framework, code=code),
            rating=rating,
            narrative=f"Standard {code} is {rating.lower()}: from interviews and documents.",
            evidence="Staff survey, meetings with managers.",
            actor=people.lead,
        )


def build_seed004(inspection, people, **options):
    """The Barking and Dagenham sample: 31 court and 19 out-of-court cases, all submitted."""
    cases = score_cases(inspection, people, seed004_answers(), **options)
    rate_organisation_standards(inspection, inspection.organisations.first(), people)
    return cases


def seed004_subset(court: int, out_of_court: int):
    """Answers of the first ``court`` court cases and ``out_of_court`` out-of-court ones."""
    keep = {f"BD-C{i:02d}" for i in range(1, court + 1)}
    keep |= {f"BD-O{i:02d}" for i in range(1, out_of_court + 1)}
    return [fact for fact in seed004_answers() if fact.case_id in keep]


def ratings_json(reference: str, *args: str) -> dict:
    out = io.StringIO()
    call_command("inspection_ratings", reference, "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def json_key_questions(document: dict) -> dict[str, dict]:
    return {kq["code"]: kq for s in document["standards"] for kq in s["key_questions"]}


def _seed004_inspection():
    people = make_people()
    inspection = make_inspection(
        framework=stored_framework(YOS_FILE),
        organisations=[make_organisation(make_area())],
        people=people,
    )
    build_seed004(inspection, people)
    return inspection


@pytest.fixture(scope="module")
def shared_seed004(django_db_setup, django_db_blocker):
    yield from module_data(django_db_blocker, _seed004_inspection)


@pytest.fixture
def seed004(shared_seed004, db):
    """Seed 004 in the database, built once for the tests of this module that read it."""
    return shared_seed004


# Seed 004: every published figure --------------------------------------------------------------


def test_seed004_dataset_is_in_the_database_as_built(seed004):
    assert seed004.cases.count() == 50
    assert seed004.cases.filter(status=Case.Status.SUBMITTED).count() == 50
    assert seed004.cases.filter(sample_type="court_disposal").count() == 31
    assert seed004.cases.filter(sample_type="out_of_court").count() == 19


def test_seed004_selector_reproduces_every_published_percent_and_rating(seed004):
    summary = inspection_rating(seed004)
    result = summary.result

    percents = {
        kq.code: kq.tally.whole_percent
        for standard in result.standards
        if standard.judged_by == "cases"
        for kq in standard.key_questions
    }
    assert percents == SEED004_PERCENTS
    counts = {code: (t.yes, t.no, t.not_applicable) for code, t in _tallies(result).items()}
    assert counts == SEED004_COUNTS
    assert {s.code: s.rating for s in result.standards} == SEED004_RATINGS
    assert result.score == SEED004_OVERALL_SCORE == 14
    assert result.rating == SEED004_OVERALL_RATING == "Requires improvement"
    assert summary.cases_counted == summary.cases_in_sample == 50
    assert summary.left_out == ()


def test_seed004_explanations_name_the_lowest_key_question(seed004):
    result = inspection_rating(seed004).result
    assert result.standard("2.2").explanation == (
        "lowest key question 2.2.2: 15 of 31 (48%), so Inadequate"
    )
    assert result.standard("1.2").explanation == (
        "rated by the lead inspector from interviews and documents: Requires improvement"
    )
    assert result.explanation == "score 14 from 12 rated standards, so Requires improvement"
    assert result.key_question("2.2.2").no_case_ids[0].startswith("BD-C")
    assert len(result.key_question("2.2.2").no_case_ids) == 16


def test_seed004_command_json_reproduces_every_published_figure(seed004):
    document = ratings_json(seed004.reference)

    assert document["inspection"] == "yos-bd-2018"
    assert document["framework"] == {
        "name": seed004.framework.name,
        "version": seed004.framework.version,
    }
    assert document["cases_counted"] == 50
    assert document["overall"]["score"] == 14
    assert document["overall"]["rating"] == "Requires improvement"
    assert {s["code"]: s["rating"] for s in document["standards"]} == SEED004_RATINGS
    judged_by = {s["code"]: s["judged_by"] for s in document["standards"]}
    assert judged_by["1.1"] == "organisation" and judged_by["2.1"] == "cases"

    kqs = json_key_questions(document)
    for code, published in SEED004_PERCENTS.items():
        yes, no, na = SEED004_COUNTS[code]
        kq = kqs[code]
        assert (kq["yes"], kq["no"], kq["not_applicable"]) == (yes, no, na)
        assert kq["whole_percent"] == published, code
        # One decimal place, a JSON number, from the exact fraction (not a re-rounded figure).
        assert kq["percent"] == round(float(Fraction(100 * yes, yes + no)), 1), code
        assert isinstance(kq["percent"], float)
        assert kq["by_organisation"] == [
            {
                "organisation": "Barking and Dagenham YOS",
                "yes": yes,
                "no": no,
                "not_applicable": na,
                "percent": kq["percent"],
            }
        ]
    # Organisation-level key questions have no case answers: no percent.
    assert kqs["1.1.1"]["percent"] is None
    assert {s["rating"] for s in document["standards"]} <= set(RATING_NAMES)


def test_seed004_edge_percent_is_rated_on_the_exact_figure(seed004):
    """3.2.2 is 9 of 14 (64.3%), Requires improvement; 2.2.1 is exactly 80%, Outstanding."""
    result = inspection_rating(seed004).result
    assert result.key_question("3.2.2").band == "Requires improvement"
    assert result.key_question("2.2.1").band == "Outstanding"
    kqs = json_key_questions(ratings_json(seed004.reference))
    assert kqs["2.2.1"]["percent"] == 80.0
    assert kqs["3.2.2"]["percent"] == 64.3


def _tallies(result):
    return {
        kq.code: kq.tally
        for standard in result.standards
        if standard.judged_by == "cases"
        for kq in standard.key_questions
    }


# Cases that do not count ---------------------------------------------------------------------


def test_cases_not_submitted_are_left_out_and_reported_by_status(inspection, people):
    answers = seed004_answers()
    # Three more court cases, answered No throughout: they must not move any figure.
    extra = []
    for reference in ("BD-X01", "BD-X02", "BD-X03"):
        extra += [
            AnswerFact(reference, "Barking and Dagenham YOS", code, "no")
            for code in SEED004_COUNTS
            if code.startswith("2.")
        ]
    score_cases(
        inspection,
        people,
        answers + extra,
        leave={"BD-X01": "in_progress", "BD-X02": "in_progress", "BD-X03": "not_started"},
    )
    rate_organisation_standards(inspection, inspection.organisations.first(), people)

    summary = inspection_rating(inspection)
    assert summary.cases_in_sample == 53
    assert summary.cases_counted == 50
    assert [(row.status, row.cases) for row in summary.left_out] == [
        ("Not started", 1),
        ("In progress", 2),
    ]
    assert {c: t.whole_percent for c, t in _tallies(summary.result).items()} == SEED004_PERCENTS
    assert summary.result.rating == "Requires improvement"

    document = ratings_json(inspection.reference)
    assert document["cases_counted"] == 50
    assert document["cases_in_sample"] == 53
    assert document["cases_left_out"] == [
        {"status": "Not started", "cases": 1},
        {"status": "In progress", "cases": 2},
    ]


def test_a_returned_case_stops_counting(inspection, people):
    from judgements.services import case_return, qa_select

    score_cases(inspection, people, seed004_subset(court=3, out_of_court=0))
    case = inspection.cases.get(reference="BD-C01")
    qa_select(case=case, selected=True, actor=people.lead)
    assert inspection_rating(inspection).cases_counted == 3  # in quality assurance: counts
    key = case.answers.filter(question__parent__isnull=True).first().question
    case_return(case=case, moderator=people.qa, reasons={key: "Say more about the plan."})
    summary = inspection_rating(inspection)
    assert summary.cases_counted == 2
    assert [(row.status, row.cases) for row in summary.left_out] == [("Returned", 1)]


def test_a_question_with_every_case_not_applicable_has_no_percent(inspection, people):
    answers = [
        replace(fact, value="na") if fact.question_code == "2.1.3" else fact
        for fact in seed004_subset(court=4, out_of_court=0)
    ]
    score_cases(inspection, people, answers)

    result = inspection_rating(inspection).result
    kq = result.key_question("2.1.3")
    assert (kq.tally.yes, kq.tally.no, kq.tally.not_applicable) == (0, 0, 4)
    assert kq.tally.display == "no applicable cases"
    assert kq.explanation == "2.1.3: no applicable cases"
    assert "2.1.3 skipped: no applicable cases" in result.standard("2.1").explanation

    kqs = json_key_questions(ratings_json(inspection.reference))
    assert kqs["2.1.3"]["percent"] is None
    assert kqs["2.1.3"]["not_applicable"] == 4
    assert kqs["2.1.3"]["by_organisation"][0]["percent"] is None


def test_a_standard_with_no_cases_is_unrated_and_left_out_of_the_overall(inspection, people):
    score_cases(inspection, people, seed004_subset(court=31, out_of_court=0))
    rate_organisation_standards(inspection, inspection.organisations.first(), people)

    result = inspection_rating(inspection).result
    for code in ("3.1", "3.2", "3.3", "3.4"):
        standard = result.standard(code)
        assert standard.rating is None
        assert standard.explanation == "not rated: no key question has any applicable cases"
    assert result.unrated_standards == ("3.1", "3.2", "3.3", "3.4")
    assert result.standards_rated == 8

    document = ratings_json(inspection.reference)
    standards = {s["code"]: s for s in document["standards"]}
    assert standards["3.1"]["rating"] is None
    assert json_key_questions(document)["3.1.1"]["percent"] is None
    assert document["overall"]["unrated_standards"] == ["3.1", "3.2", "3.3", "3.4"]


def test_without_organisation_ratings_the_lead_standards_are_unrated(inspection, people):
    score_cases(inspection, people, seed004_subset(court=2, out_of_court=2))
    result = inspection_rating(inspection).result
    assert result.standard("1.1").rating is None
    assert result.standard("1.1").explanation == "not yet rated by the lead inspector"
    assert result.standards_rated == 8


def test_answer_tallies_count_the_same_answers_whatever_the_grouping(seed004):
    from reports.ratings.tallies import answer_tallies

    by_question = answer_tallies(by=("question_code",), inspections=seed004)
    assert {
        code: (t.yes, t.no, t.not_applicable)
        for (code,), t in by_question.items()
        if code in SEED004_COUNTS
    } == SEED004_COUNTS
    # Court disposals answer domain two and out-of-court disposals domain three; summed over
    # sample types (or organisations) every question has the same counts as above.
    by_sample = answer_tallies(by=("sample_type", "question_code"), inspections=seed004)
    assert {sample for sample, _code in by_sample} == {"court_disposal", "out_of_court"}
    assert all(code.startswith("2.") for sample, code in by_sample if sample == "court_disposal")
    summed: dict[str, Tally] = defaultdict(Tally)
    for (_sample, code), tally in by_sample.items():
        summed[code] += tally
    assert summed == {code: tally for (code,), tally in by_question.items()}
    by_organisation = answer_tallies(by=("organisation", "question"), inspections=seed004)
    assert sum(by_organisation.values(), Tally()) == sum(by_question.values(), Tally())

    # A case that stops counting (returned by quality assurance) leaves every tally at once.
    from judgements.services import case_return, qa_select

    team = {m.role: m.user for m in seed004.memberships.select_related("user")}
    case = seed004.cases.get(reference="BD-C01")
    qa_select(case=case, selected=True, actor=team[Membership.Role.LEAD])
    key = case.answers.filter(question__parent__isnull=True).first().question
    case_return(
        case=case,
        moderator=team[Membership.Role.QUALITY_ASSURANCE],
        reasons={key: "Say more about the plan."},
    )
    after = answer_tallies(by=("question_code",), inspections=seed004)
    assert after[("2.1.1",)].total == by_question[("2.1.1",)].total - 1

    with pytest.raises(ValueError, match="group answers by"):
        answer_tallies(by=("colour",), inspections=seed004)


# Drill-down to evidence -----------------------------------------------------------------------


def test_no_answers_lists_the_cases_and_notes_behind_each_key_question(seed004):
    found = no_answers(seed004, standard_code="2.2")
    result = inspection_rating(seed004).result
    for code in ("2.2.1", "2.2.2", "2.2.3"):
        references = [row.case_reference for row in found[code]]
        assert references == list(result.key_question(code).no_case_ids)
        assert all(row.note == evidence_note(row.case_reference, code, "no") for row in found[code])
    assert set(found) == {"2.2.1", "2.2.2", "2.2.3"}
    assert len(found["2.2.2"]) == 16


# Thematic: several organisations --------------------------------------------------------------


@pytest.fixture
def two_areas(yos_framework, people, area):
    from inspection.models import Area

    other = Area.objects.create(
        slug="reading", name="Reading", police_force_area="Thames Valley", region="South"
    )
    first = Organisation.objects.create(
        slug="bd-yos", name="Barking and Dagenham YOS", kind="yos", area=area
    )
    second = Organisation.objects.create(
        slug="reading-yot", name="Reading YOT", kind="yot", area=other
    )
    inspection = make_inspection(
        framework=yos_framework,
        organisations=[first, second],
        people=people,
        reference="thematic-2018",
        kind=Inspection.Kind.THEMATIC,
    )
    return inspection, first, second


def split_by_number(first, second):
    """Even-numbered cases to the second organisation, odd to the first."""
    return lambda reference: second if int(reference[-2:]) % 2 == 0 else first


def test_thematic_key_question_tables_count_per_organisation_in_the_database(two_areas, people):
    inspection, first, second = two_areas
    score_cases(
        inspection, people, seed004_answers(), organisation_of=split_by_number(first, second)
    )
    with CaptureQueriesContext(connection) as queries:
        tables = thematic_tables(inspection)
    assert tables.organisations == (first, second)
    assert tables.cases_read == (26, 24)  # 16 + 10 odd, 15 + 9 even

    engine = inspection_rating(inspection).result
    rows = {row.code: row for table in tables.standards for row in table.rows}
    assert [table.code for table in tables.standards] == [
        "2.1",
        "2.2",
        "2.3",
        "2.4",
        "3.1",
        "3.2",
        "3.3",
        "3.4",
    ]
    for code, (yes, no, na) in SEED004_COUNTS.items():
        row = rows[code]
        assert (row.overall.yes, row.overall.no, row.overall.not_applicable) == (yes, no, na)
        assert row.overall.whole_percent == SEED004_PERCENTS[code]
        kq = engine.key_question(code)
        assert row.by_organisation == (kq.tally_for(first.name), kq.tally_for(second.name))
        assert sum(row.by_organisation, Tally()) == row.overall
    # The organisation-level ratings of a thematic inspection are not summed across areas.
    assert engine.standard("1.1").rating is None
    assert len(queries) == 9, [q["sql"] for q in queries]


def test_thematic_query_count_does_not_grow_with_cases(two_areas, people):
    inspection, first, second = two_areas
    score_cases(
        inspection,
        people,
        seed004_subset(court=3, out_of_court=2),
        organisation_of=split_by_number(first, second),
    )
    with CaptureQueriesContext(connection) as small:
        thematic_tables(inspection)
    score_cases(
        inspection,
        people,
        [
            f
            for f in seed004_answers()
            if f.case_id not in {c.reference for c in inspection.cases.all()}
        ],
        organisation_of=split_by_number(first, second),
    )
    with CaptureQueriesContext(connection) as large:
        thematic_tables(inspection)
    assert inspection.cases.count() == 50
    assert len(small) == len(large) == 9


def test_case_profile_tables_as_seed_003_appendix_4(two_areas, people):
    inspection, first, second = two_areas
    female = {"BD-C01", "BD-C02", "BD-C03", "BD-O02"}
    cases = score_cases(
        inspection,
        people,
        seed004_subset(court=6, out_of_court=4),
        organisation_of=split_by_number(first, second),
        gender_of=lambda ref: "female" if ref in female else "male",
    )
    by_ref = {case.reference: case for case in cases}
    Case.objects.filter(reference__in=["BD-C01", "BD-C04"]).update(main_source_of_risk="subject")
    Case.objects.filter(reference="BD-C02").update(main_source_of_risk="partner")
    start = date(2018, 1, 10)
    Order.objects.create(case=by_ref["BD-C01"], order_type="referral_order", start_date=start)
    Order.objects.create(case=by_ref["BD-C01"], order_type="yro", start_date=start)
    Order.objects.create(case=by_ref["BD-C02"], order_type="yro", start_date=start)
    Order.objects.create(case=by_ref["BD-C03"], order_type="yro", start_date=start)
    ChildProtectionPlan.objects.create(case=by_ref["BD-C01"], category="neglect", start_date=start)
    ChildProtectionPlan.objects.create(case=by_ref["BD-C01"], category="neglect", start_date=start)
    ChildProtectionPlan.objects.create(case=by_ref["BD-C02"], category="sexual", start_date=start)
    # A case not submitted is not in the profile.
    make_case(inspection, reference="BD-C99", organisation=first, gender="female")

    with CaptureQueriesContext(connection) as queries:
        tables = thematic_tables(inspection)
    assert tables.cases_read == (5, 5)
    profiles = {p.slug: p for p in tables.profiles}

    def table(slug):
        return {
            row.label: ([s.display for s in row.by_organisation], row.overall.display)
            for row in profiles[slug].rows
        }

    # First: C01 C03 C05 O01 O03 (C01, C03 female); second: C02 C04 C06 O02 O04 (C02, O02).
    assert table("gender") == {
        "Female": (["2 (40%)", "2 (40%)"], "4 (40%)"),
        "Male": (["3 (60%)", "3 (60%)"], "6 (60%)"),
    }
    assert table("ethnicity") == {"White": (["5 (100%)", "5 (100%)"], "10 (100%)")}
    assert table("order-type") == {
        "Referral order": (["1 (20%)", "0 (0%)"], "1 (10%)"),
        "Youth rehabilitation order": (["2 (40%)", "1 (20%)"], "3 (30%)"),
        "No order recorded": (["3 (60%)", "4 (80%)"], "7 (70%)"),
    }
    assert table("plan-category") == {
        "Neglect": (["1 (20%)", "0 (0%)"], "1 (10%)"),
        "Sexual abuse": (["0 (0%)", "1 (20%)"], "1 (10%)"),
        "No child protection plan recorded": (["4 (80%)", "4 (80%)"], "8 (80%)"),
    }
    assert table("risk-source") == {
        "The person supervised": (["1 (20%)", "1 (20%)"], "2 (20%)"),
        "A partner or ex-partner": (["0 (0%)", "1 (20%)"], "1 (10%)"),
        "Not recorded": (["4 (80%)", "3 (60%)"], "7 (70%)"),
    }
    assert len(queries) == 9


# Query counts of the pages --------------------------------------------------------------------


def test_ratings_and_standard_pages_take_a_fixed_number_of_queries(
    inspection, people, login, django_assert_num_queries, settings
):
    # Scoring 45 cases in the middle takes a while: the session's expiry, moved on at sign-in,
    # is not due to move again within the test, however slow the machine, so no request of it
    # writes the session.
    settings.SESSION_REFRESH_SECONDS = 24 * 60 * 60
    score_cases(inspection, people, seed004_subset(court=3, out_of_court=2))
    rate_organisation_standards(inspection, inspection.organisations.first(), people)
    client = login(people.lead)
    ratings_url = reverse("reports:ratings", args=[inspection.reference])
    standard_url = reverse("reports:ratings_standard", args=[inspection.reference, "2.2"])

    # Ratings page: session, user (with whether a safeguarding concern waits for them: none
    # does, so the banner reads nothing), inspection (with framework), the role on the team;
    # cases by status, the answer tallies, the counted cases answered No, organisations,
    # standards with their key questions, organisation ratings; the counted judgements and
    # those in cases agreed in QA (two summary rows' sums: the key question tallies' Yes and
    # No, and the agreed judgements). The session is not written.
    with django_assert_num_queries(12):
        client.get(ratings_url)
    # Standard page: the same, but the standard's judgements agreed in QA counted from its
    # answers in one query, and the cases answered No with their notes.
    with django_assert_num_queries(12):
        client.get(standard_url)

    # 45 more cases: 50 in all, and not one query more.
    score_cases(
        inspection,
        people,
        [
            f
            for f in seed004_answers()
            if f.case_id not in {c.reference for c in inspection.cases.all()}
        ],
    )
    assert inspection.cases.count() == 50
    with django_assert_num_queries(12):
        response = client.get(ratings_url)
    assert "Requires improvement" in response.content.decode()
    with django_assert_num_queries(12):
        client.get(standard_url)
