"""The whole-inspection exchange file: export, import, the round trip, and the commands.

``build_inspection`` makes an inspection with every kind of data the file carries; the import
error tests and the answers extract tests use it too.
"""

import io
import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casefiles import choices
from casefiles.models import (
    AgencyCheck,
    Case,
    ChildProtectionPlan,
    HomeVisit,
    Interview,
    LinkedChild,
    Meeting,
    Order,
    Referral,
    Requirement,
)
from inspection.models import (
    Area,
    Domain,
    Inspection,
    Inspectorate,
    Membership,
    Organisation,
    Question,
    Standard,
    User,
)
from judgements import services
from judgements.models import (
    Answer,
    AnswerValue,
    AuditEvent,
    ModerationDecision,
    OrganisationRating,
    ReturnedQuestion,
)
from judgements.rules import case_questions
from reports.exchange import export as export_module
from reports.exchange.export import inspection_export, inspection_export_write
from reports.exchange.format import (
    FORMAT,
    SCHEMA_PATH,
    ImportRefused,
    exchange_json,
    exchange_schema,
)
from reports.exchange.importer import inspection_import
from reports.models import (
    DomainFindings,
    KeyFact,
    PracticeExample,
    Pseudonym,
    Recommendation,
    Report,
    ReportEdit,
    StandardText,
)
from tests.conftest import make_case, make_inspection

REPO = Path(__file__).resolve().parents[3]


# The builder -------------------------------------------------------------------------------


def answer_all(case, actor, *, notes=None):
    """Answer every question that applies to the case, cycling Yes, No, Not applicable."""
    notes = notes or {}
    values = ["yes", "no", "na"]
    questions = [
        q for q in case_questions(case.inspection.framework) if q.applies(case.sample_type)
    ]
    services.answers_record(
        case=case,
        answers=[
            services.AnswerInput(
                question=q,
                value=values[i % 3],
                note=notes.get(q.code, f"Evidence for {q.code}: the plan named the risks."),
            )
            for i, q in enumerate(questions)
        ],
        actor=actor,
    )
    return questions


def add_case_file(case):
    """One or more of every part a case file holds."""
    order = Order.objects.create(
        case=case, order_type="yro", start_date=date(2017, 8, 1), end_date=date(2018, 8, 1)
    )
    Requirement.objects.create(order=order, requirement_type="supervision")
    Requirement.objects.create(order=order, requirement_type="unpaid_work", detail="40 hours")
    Order.objects.create(case=case, order_type="referral_order", start_date=date(2017, 6, 1))
    sister = LinkedChild.objects.create(
        case=case,
        name="Amara Morgan",
        date_of_birth=date(2012, 3, 4),
        address="1 Ripple Road, Barking",
        relationship="sibling",
        lives_with_subject=True,
        offender_role="reason_for_plan",
    )
    LinkedChild.objects.create(case=case, name="Zoë Ní Bhriain", relationship="none")
    ChildProtectionPlan.objects.create(
        case=case,
        child=sister,
        category="emotional",
        start_date=date(2017, 9, 1),
        initial_conference_date=date(2017, 8, 20),
        core_group_established=True,
    )
    ChildProtectionPlan.objects.create(
        case=case, category="neglect", start_date=date(2016, 1, 5), end_date=date(2016, 12, 1)
    )
    Referral.objects.create(
        case=case,
        child=sister,
        referral_date=date(2017, 9, 10),
        method="form",
        included_child_details=True,
        described_risk=True,
        response_date=date(2017, 9, 12),
        response_timely=True,
        response_satisfactory=False,
        followed_up=True,
        notes="Chased by telephone; “no further action” letter received.",
    )
    AgencyCheck.objects.create(
        case=case,
        agency="csc",
        kind="check",
        requested_date=date(2017, 8, 2),
        response_date=date(2017, 8, 3),
        outcome="Known to children's social care",
    )
    AgencyCheck.objects.create(
        case=case, agency="police", kind="notification", requested_date=date(2017, 8, 2)
    )
    Meeting.objects.create(
        case=case, kind="core_group", meeting_date=date(2017, 10, 1), invitation_timely=True
    )
    Meeting.objects.create(
        case=case, kind="strategy", meeting_date=date(2017, 9, 11), invited=False, attended=False
    )
    HomeVisit.objects.create(
        case=case, visit_date=date(2017, 10, 5), children_seen=True, purpose="Check on Amara"
    )
    Interview.objects.create(
        case=case,
        interviewee="Sam Collier",
        role="Case manager",
        interview_date=date(2018, 4, 17),
        time="10:30",
        mode="remote",
        held=True,
        notes="Talked through the safety plan for Amara",
    )
    Interview.objects.create(
        case=case,
        kind="other",
        interviewee="Dee Okafor",
        role="Social worker",
        interview_date=date(2018, 4, 18),
        held=False,
        not_held_reason="On leave during fieldwork",
    )


def build_inspection(people, framework, organisation, *, reference="yos-bd-2018"):
    """An inspection in report writing with two organisations, a team, three cases (one
    agreed after a return, one submitted, one not started), every part of a case file,
    answers, moderation decisions and organisation-level ratings."""
    reading = Area.objects.create(
        slug="reading", name="Reading", police_force_area="Thames Valley Police", region="South"
    )
    second = Organisation.objects.create(
        slug="reading-yos", name="Reading YOS", kind="yos", area=reading
    )
    inspection = make_inspection(
        framework=framework,
        organisations=[organisation, second],
        people=people,
        reference=reference,
        status=Inspection.Status.REPORTING,
    )
    court = make_case(
        inspection,
        reference="C-001",
        inspector=people.inspector,
        mappa_level="2",
        main_source_of_risk="partner",
    )
    add_case_file(court)
    services.qa_select(case=court, selected=True, actor=people.lead)
    questions = answer_all(court, people.inspector)
    court = services.case_submit(case=court, actor=people.inspector)
    services.case_return(
        case=court, moderator=people.qa, reasons={questions[0]: "Say which plan you read."}
    )
    services.answer_record(
        case=court,
        question=questions[0],
        value="yes",
        note="The vulnerability management plan of 3 August named Amara.",
        actor=people.inspector,
    )
    court = services.case_submit(case=court, actor=people.inspector)
    services.case_agree(case=court, moderator=people.qa)

    out_of_court = make_case(
        inspection,
        reference="C-002",
        organisation=second,
        inspector=people.colleague,
        sample_type="out_of_court",
        subject_name="Ewa Kowalska",
        gender="female",
        ethnicity="other",
        risk_of_serious_harm="low",
        safety_and_wellbeing="medium",
    )
    answer_all(out_of_court, people.colleague)
    services.case_submit(case=out_of_court, actor=people.colleague)

    make_case(
        inspection,
        reference="C-003",
        subject_name="Tyler Brooks",
        date_of_birth=None,
        safety_and_wellbeing="",
    )

    for org, code, rating in [(organisation, "1.1", "Good"), (second, "1.2", "Inadequate")]:
        services.organisation_rating_record(
            inspection=inspection,
            organisation=org,
            standard=Standard.objects.get(framework=framework, code=code),
            rating=rating,
            narrative=f"The narrative for {code}.",
            evidence="Interviews with the management board." if code == "1.1" else "",
            actor=people.lead,
        )
    write_report(inspection, people, court)
    return inspection


def write_report(inspection, people, case):
    """Some of every kind of report text, and the pseudonyms of the case files' names."""
    from reports.writing import services as report_services
    from reports.writing.people import pseudonymiser_for

    framework = inspection.framework
    report_services.report_foreword_save(
        inspection=inspection, foreword="This inspection looked at …", actor=people.lead
    )
    report_services.domain_findings_save(
        inspection=inspection,
        domain=Domain.objects.get(framework=framework, code="2"),
        key_findings="Assessments were thorough.\nPlans rarely named the risks.",
        actor=people.lead,
    )
    standard = Standard.objects.get(framework=framework, code="2.1")
    report_services.standard_text_save(
        inspection=inspection,
        standard=standard,
        narrative="Assessment was good.",
        strengths="Case managers knew the children well.",
        areas_for_improvement="",
        actor=people.lead,
    )
    for body in ("The YOS management board", "The Director of Children's Services"):
        report_services.recommendation_save(
            inspection=inspection, addressed_to=body, text=f"{body} should act.", actor=people.lead
        )
    report_services.key_fact_save(
        inspection=inspection,
        label="Children supervised",
        value="113",
        comparison="",
        source="YOS caseload, April 2018",
        actor=people.lead,
    )
    report_services.practice_example_save(
        inspection=inspection,
        case=case,
        standard=standard,
        title="Good practice example",
        quote="Jayden's case manager visited at home.",
        actor=people.lead,
    )
    pseudonymiser_for(inspection)


def delete_everything(inspection):
    """Remove the inspection and everything of its own, as if importing into an empty
    database (the framework stays loaded)."""
    organisations = list(inspection.organisations.all())
    inspection.delete()
    for org in organisations:
        area = org.area
        org.delete()
        if not area.organisations.exists():
            area.delete()
    User.objects.filter(is_superuser=False, is_manager=False).exclude(username="outsider").delete()


@pytest.fixture
def built(people, yos_framework, organisation):
    return build_inspection(people, yos_framework, organisation)


# The round trip ----------------------------------------------------------------------------


def test_round_trip_gives_the_same_file_byte_for_byte(built, tmp_path):
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    call_command("export_inspection", built.reference, str(first))
    delete_everything(built)
    assert not Case.objects.exists()
    assert not Organisation.objects.exists()

    call_command("import_inspection", str(first))
    call_command("export_inspection", built.reference, str(second))

    assert first.read_bytes() == second.read_bytes()
    # The import wrote answers in bulk and counted their tallies in the same transaction.
    from judgements.models import AnswerTally
    from judgements.tallies import tallies_differences

    assert AnswerTally.objects.exists()
    assert tallies_differences() == []


def test_the_file_carries_every_kind_of_data(built):
    data = inspection_export(built)

    assert data["format"] == FORMAT
    assert data["inspection"] == {
        "reference": "yos-bd-2018",
        "title": "Youth offending services in Barking and Dagenham",
        "kind": "service",
        "status": "reporting",
        "fieldwork_start": "2018-04-16",
        "fieldwork_end": "2018-04-27",
    }
    assert data["framework"] == {
        "slug": "youth-offending-services",
        "name": "Youth offending services",
        "version": "2018",
    }
    assert [o["slug"] for o in data["organisations"]] == ["bd-yos", "reading-yos"]
    assert data["organisations"][1]["area"]["police_force_area"] == "Thames Valley Police"
    assert [(m["username"], m["role"], m["inspectorate"]) for m in data["team"]] == [
        ("colleague", "inspector", "hmip"),
        ("inspector", "inspector", "hmip"),
        ("lead", "lead", "hmip"),
        ("partner", "partner", "ofsted"),
        ("qa", "qa", "hmip"),
    ]
    assert [c["reference"] for c in data["cases"]] == ["C-001", "C-002", "C-003"]
    court = data["cases"][0]
    assert court["status"] == "agreed" and court["mappa_level"] == "2"
    assert {k: len(court[k]) for k in ("orders", "children", "plans", "referrals")} == {
        "orders": 2,
        "children": 2,
        "plans": 2,
        "referrals": 1,
    }
    assert [o["order_type"] for o in court["orders"]] == ["referral_order", "yro"]
    assert court["orders"][1]["requirements"] == [
        {"requirement_type": "supervision", "detail": ""},
        {"requirement_type": "unpaid_work", "detail": "40 hours"},
    ]
    amara = court["children"][0]
    assert amara["name"] == "Amara Morgan"
    assert court["plans"][1]["child"] == amara["public_id"]
    assert court["plans"][0]["child"] is None
    assert court["referrals"][0]["child"] == amara["public_id"]
    assert court["referrals"][0]["response_satisfactory"] is False
    assert court["meetings"][0]["invitation_timely"] is None
    checks = {c["agency"]: c for c in court["checks"]}
    assert checks["police"]["response_date"] is None
    assert checks["csc"]["response_date"] == "2017-08-03"
    assert court["visits"][0]["purpose"] == "Check on Amara"
    first_answer = court["answers"][0]
    assert first_answer["question"] == "2.1.1"
    assert first_answer["version"] == 2
    assert first_answer["answered_by"] == "inspector"
    assert first_answer["updated_at"].endswith("Z")
    assert [d["decision"] for d in court["moderation"]] == ["returned", "agreed"]
    assert court["moderation"][0]["returned_questions"] == [
        {"question": "2.1.1", "reason": "Say which plan you read.", "resolved": True}
    ]
    assert data["cases"][2]["date_of_birth"] is None
    assert data["cases"][2]["inspector"] is None
    assert [
        (r["organisation"], r["standard"], r["rating"]) for r in data["organisation_ratings"]
    ] == [
        ("bd-yos", "1.1", "Good"),
        ("reading-yos", "1.2", "Inadequate"),
    ]
    report = data["report"]
    assert report["foreword"] == "This inspection looked at …"
    assert report["updated_by"] == "lead"
    assert report["domain_findings"] == [
        {"domain": "2", "key_findings": "Assessments were thorough.\nPlans rarely named the risks."}
    ]
    assert [s["standard"] for s in report["standard_texts"]] == ["2.1"]
    assert [(r["position"], r["addressed_to"]) for r in report["recommendations"]] == [
        (1, "The YOS management board"),
        (2, "The Director of Children's Services"),
    ]
    assert report["key_facts"][0]["value"] == "113"
    example = report["practice_examples"][0]
    assert (example["case"], example["standard"]) == ("C-001", "2.1")
    real_names = {(p["part"], p["real_key"]) for p in report["pseudonyms"]}
    assert ("first", "jayden") in real_names and ("last", "kowalska") in real_names
    # Everyone named is listed once, and nobody else.
    assert [p["username"] for p in data["people"]] == [
        "colleague",
        "inspector",
        "lead",
        "partner",
        "qa",
    ]


def test_no_database_key_appears_in_the_file(built):
    text = exchange_json(inspection_export(built))
    assert '"id"' not in text
    assert '"pk"' not in text
    assert '"case_id"' not in text


def test_export_reads_a_fixed_number_of_queries(built, django_assert_num_queries):
    inspection = Inspection.objects.get(pk=built.pk)
    # 1 the framework, 2 organisations with areas, 3 team with users, 4 cases with organisation
    # and inspector, 5 orders, 6 requirements, 7-13 children, plans, referrals, checks,
    # meetings, visits and interviews, 14 answers with question and person, 15 decisions with
    # moderator, 16 returned questions with question, 17 organisation ratings, 18 the report,
    # 19 pseudonyms, 20-24 domain findings, standard texts, recommendations, key facts and
    # practice examples; the same for any size
    with django_assert_num_queries(24):
        inspection_export(inspection)


def test_the_file_is_stable_text(built):
    text = exchange_json(inspection_export(built))
    assert text.endswith("}\n")
    assert text == exchange_json(json.loads(text))
    assert "Zoë Ní Bhriain" in text  # characters kept as they are, not escaped


@pytest.mark.parametrize("chunk", [1, 2, 200])
def test_the_file_written_case_by_case_is_the_same_text(built, monkeypatch, chunk):
    """The background export and the command write the file a few cases at a time; the
    text is exactly the one written from the whole inspection at once."""
    monkeypatch.setattr(export_module, "CASE_CHUNK", chunk)
    expected = exchange_json(inspection_export(built))
    out = io.StringIO()
    seen = []
    inspection_export_write(built, out, progress=lambda done, total: seen.append((done, total)))
    assert out.getvalue() == expected
    cases = Case.objects.filter(inspection=built).count()
    assert cases >= 2 and seen == [(n, cases) for n in range(1, cases + 1)]


def test_an_empty_inspection_written_case_by_case_is_the_same_text(
    people, yos_framework, organisation
):
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people, reference="e-2018"
    )
    out = io.StringIO()
    inspection_export_write(inspection, out)
    assert out.getvalue() == exchange_json(inspection_export(inspection))
    assert '"cases": [],' in out.getvalue()


# What an import makes ----------------------------------------------------------------------


def test_import_restores_every_row(built):
    data = inspection_export(built)
    counts = {
        model: model.objects.count()
        for model in (
            Case,
            Order,
            Requirement,
            LinkedChild,
            ChildProtectionPlan,
            Referral,
            AgencyCheck,
            Meeting,
            HomeVisit,
            Interview,
            Answer,
            ModerationDecision,
            ReturnedQuestion,
            OrganisationRating,
            Membership,
            Report,
            DomainFindings,
            StandardText,
            Recommendation,
            KeyFact,
            PracticeExample,
            Pseudonym,
        )
    }
    delete_everything(built)

    inspection = inspection_import(raw=exchange_json(data))

    assert {model: model.objects.count() for model in counts} == counts
    assert inspection.framework.version == "2018"
    assert set(inspection.organisations.values_list("slug", flat=True)) == {
        "bd-yos",
        "reading-yos",
    }
    court = Case.objects.get(inspection=inspection, reference="C-001")
    assert str(court.public_id) == data["cases"][0]["public_id"]
    assert court.status == Case.Status.AGREED
    plan = court.plans.get(child__isnull=False)
    assert plan.child.name == "Amara Morgan"
    assert plan.child.case == court


def test_people_without_an_account_are_created_inactive_without_a_password(built):
    data = inspection_export(built)
    delete_everything(built)

    inspection_import(raw=exchange_json(data))

    lead = User.objects.get(username="lead")
    assert lead.first_name == "Lead" and lead.last_name == "Tester"
    assert not lead.is_active
    assert not lead.has_usable_password()
    assert not lead.is_staff and not lead.is_superuser and not lead.is_manager


def test_people_with_an_account_keep_it(built, people):
    data = inspection_export(built)
    built.delete()
    inspection = inspection_import(raw=exchange_json(data))

    people.lead.refresh_from_db()
    assert people.lead.is_active and people.lead.has_usable_password()
    assert inspection.memberships.get(role="lead").user == people.lead


def test_import_leaves_an_audit_record_of_what_it_created(built):
    data = inspection_export(built)
    delete_everything(built)

    inspection = inspection_import(raw=exchange_json(data))

    events = AuditEvent.objects.filter(inspection=inspection)
    answers = Answer.objects.filter(case__inspection=inspection).count()
    assert events.filter(action=AuditEvent.Action.ANSWER_CREATED).count() == answers
    court = inspection.cases.get(reference="C-001")
    created = events.get(case=court, action="answer_created", subject="2.1.1")
    assert created.actor.username == "inspector"
    assert created.new_value.startswith("Yes\nThe vulnerability management plan")
    assert events.filter(case=court, action="moderated", subject="Returned 2.1.1").exists()
    imported = events.filter(action="status_changed", subject="Imported from an inspection file")
    # Every case that had been started: C-001 (agreed) and C-002 (submitted).
    assert sorted(imported.values_list("case__reference", "new_value")) == [
        ("C-001", "Agreed"),
        ("C-002", "Submitted"),
    ]
    assert events.filter(action="org_rating_changed", case=None).count() == 5
    edits = ReportEdit.objects.filter(report__inspection=inspection)
    assert {e.actor.username for e in edits} == {"lead"}
    assert sorted(e.section for e in edits) == [
        "Imported: Foreword",
        "Imported: Key fact: Children supervised",
        "Imported: Key findings: 2. "
        + Domain.objects.get(framework=inspection.framework, code="2").title,
        "Imported: Practice example: Good practice example",
        "Imported: Recommendation to The Director of Children's Services",
        "Imported: Recommendation to The YOS management board",
        "Imported: Standard 2.1 Assessment",
    ]


def test_import_refuses_an_inspection_reference_that_exists(built):
    data = inspection_export(built)
    data["cases"] = []
    data["organisation_ratings"] = []
    data["report"] = None

    with pytest.raises(ImportRefused) as refused:
        inspection_import(raw=exchange_json(data))

    assert [str(p) for p in refused.value.problems] == [
        "$.inspection.reference: an inspection with reference 'yos-bd-2018' already exists "
        "in this database; an import never changes an existing inspection"
    ]


def test_a_copy_under_a_new_reference_needs_new_public_ids(built):
    data = inspection_export(built)
    data["inspection"]["reference"] = "yos-bd-2018-copy"

    with pytest.raises(ImportRefused) as refused:
        inspection_import(raw=exchange_json(data))
    assert any(
        str(p).startswith("$.cases[0].public_id: public id ") and "already used" in str(p)
        for p in refused.value.problems
    )

    # Without public ids, the copy gets new ones.
    for case in data["cases"]:
        case.pop("public_id")
        for key in ("orders", "plans", "referrals", "checks", "meetings", "visits", "interviews"):
            for part in case[key]:
                part.pop("public_id")
        for child in case["children"]:
            old = child["public_id"]
            child["public_id"] = str(uuid.uuid4())
            for part in case["plans"] + case["referrals"]:
                if part["child"] == old:
                    part["child"] = child["public_id"]
    for rating in data["organisation_ratings"]:
        rating.pop("public_id")
    for key in ("recommendations", "key_facts", "practice_examples"):
        for item in data["report"][key]:
            item.pop("public_id")
    copy = inspection_import(raw=exchange_json(data))
    assert copy.cases.count() == 3
    assert not Case.objects.filter(
        inspection=copy, public_id__in=built.cases.values("public_id")
    ).exists()


def test_import_command_reports_what_it_did(built, tmp_path, capsys):
    path = tmp_path / "inspection.json"
    call_command("export_inspection", built.reference, str(path))
    assert "Exported yos-bd-2018 (3 case(s))" in capsys.readouterr().out
    delete_everything(built)

    call_command("import_inspection", str(path))

    assert capsys.readouterr().out.strip() == (
        "Imported yos-bd-2018: 3 case(s) under Youth offending services (2018)."
    )


def test_export_command_to_standard_output(built, capsys):
    call_command("export_inspection", built.reference, "-")
    assert json.loads(capsys.readouterr().out)["inspection"]["reference"] == "yos-bd-2018"


def test_export_command_refuses_an_unknown_reference(db):
    with pytest.raises(CommandError, match="No inspection has the reference 'nope'"):
        call_command("export_inspection", "nope", "-")


def test_import_command_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_inspection", str(tmp_path / "absent.json"))


def test_an_inspection_with_nothing_in_it_round_trips(people, yos_framework, organisation):
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people
    )
    Membership.objects.filter(inspection=inspection).delete()
    text = exchange_json(inspection_export(inspection))
    inspection.delete()

    again = inspection_import(raw=text)

    assert exchange_json(inspection_export(again)) == text


# The schema --------------------------------------------------------------------------------


def test_the_schema_is_valid_draft_2020_12():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert SCHEMA_PATH == REPO / "docs" / "inspection-exchange.schema.json"


def test_an_export_matches_the_schema(built):
    import jsonschema

    jsonschema.Draft202012Validator(exchange_schema()).validate(inspection_export(built))


def _enum(*path):
    node = exchange_schema()
    for key in path:
        node = node[key]
    return node["enum"]


CASE = ("properties", "cases", "items", "properties")


REPORT = ("properties", "report", "properties")


def _part(key):
    return (*CASE, key, "items", "properties")


@pytest.mark.parametrize(
    ("path", "choices_class"),
    [
        ((*CASE, "sample_type"), choices.SampleType),
        ((*CASE, "subject_kind"), choices.SubjectKind),
        ((*CASE, "gender"), choices.Gender),
        ((*CASE, "ethnicity"), choices.Ethnicity),
        ((*CASE, "risk_of_serious_harm"), choices.Level),
        ((*CASE, "mappa_level"), choices.MappaLevel),
        ((*CASE, "main_source_of_risk"), choices.RiskSource),
        ((*CASE, "status"), Case.Status),
        ((*_part("orders"), "order_type"), choices.OrderType),
        (
            (*_part("orders"), "requirements", "items", "properties", "requirement_type"),
            choices.RequirementType,
        ),
        ((*_part("children"), "relationship"), choices.ChildRelationship),
        ((*_part("children"), "offender_role"), choices.OffenderRole),
        ((*_part("plans"), "category"), choices.PlanCategory),
        ((*_part("referrals"), "method"), choices.ContactMethod),
        ((*_part("checks"), "agency"), choices.Agency),
        ((*_part("checks"), "kind"), choices.CheckKind),
        ((*_part("meetings"), "kind"), choices.MeetingKind),
        ((*_part("interviews"), "kind"), Interview.Kind),
        ((*_part("interviews"), "mode"), Interview.Mode),
        (("$defs", "answer_value"), AnswerValue),
        ((*_part("moderation"), "decision"), ModerationDecision.Decision),
        (
            ("properties", "organisation_ratings", "items", "properties", "rating"),
            OrganisationRating.Rating,
        ),
        (("properties", "inspection", "properties", "kind"), Inspection.Kind),
        (("properties", "inspection", "properties", "status"), Inspection.Status),
        (
            ("properties", "organisations", "items", "properties", "kind"),
            Organisation.Kind,
        ),
        (("properties", "team", "items", "properties", "role"), Membership.Role),
        (("properties", "team", "items", "properties", "inspectorate"), Inspectorate),
        ((*REPORT, "pseudonyms", "items", "properties", "part"), Pseudonym.Part),
    ],
)
def test_the_schema_lists_the_same_choices_as_the_models(path, choices_class):
    assert _enum(*path) == list(choices_class.values)


def test_safety_and_wellbeing_may_be_empty_in_the_schema():
    assert _enum(*CASE, "safety_and_wellbeing") == ["", *choices.Level.values]


@pytest.mark.parametrize(
    ("path", "model", "field"),
    [
        (("properties", "inspection", "properties", "reference"), Inspection, "reference"),
        (("properties", "inspection", "properties", "title"), Inspection, "title"),
        ((*CASE, "reference"), Case, "reference"),
        ((*CASE, "subject_name"), Case, "subject_name"),
        ((*CASE, "case_manager"), Case, "case_manager"),
        ((*_part("children"), "name"), LinkedChild, "name"),
        ((*_part("children"), "address"), LinkedChild, "address"),
        ((*_part("checks"), "outcome"), AgencyCheck, "outcome"),
        ((*_part("visits"), "purpose"), HomeVisit, "purpose"),
        (
            (*_part("orders"), "requirements", "items", "properties", "detail"),
            Requirement,
            "detail",
        ),
        (("$defs", "question_code"), Question, "code"),
        (("$defs", "username"), User, "username"),
        (("$defs", "slug"), Organisation, "slug"),
        ((*REPORT, "key_facts", "items", "properties", "value"), KeyFact, "value"),
        ((*REPORT, "key_facts", "items", "properties", "label"), KeyFact, "label"),
        ((*REPORT, "key_facts", "items", "properties", "source"), KeyFact, "source"),
        (
            (*REPORT, "recommendations", "items", "properties", "addressed_to"),
            Recommendation,
            "addressed_to",
        ),
        ((*REPORT, "practice_examples", "items", "properties", "title"), PracticeExample, "title"),
        ((*REPORT, "pseudonyms", "items", "properties", "real_key"), Pseudonym, "real_key"),
        ((*REPORT, "pseudonyms", "items", "properties", "pseudonym"), Pseudonym, "pseudonym"),
        ((*REPORT, "domain_findings", "items", "properties", "domain"), Domain, "code"),
    ],
)
def test_the_schema_limits_lengths_as_the_database_does(path, model, field):
    node = exchange_schema()
    for key in path:
        node = node[key]
    assert node["maxLength"] == model._meta.get_field(field).max_length


def test_the_format_is_documented():
    doc = (REPO / "docs" / "data-exchange.md").read_text()
    for key in exchange_schema()["properties"]:
        assert f"`{key}`" in doc
    assert "inactive" in doc


def test_a_case_added_outside_the_draw_keeps_its_mark_and_reason(built, tmp_path):
    Case.objects.filter(inspection=built).update(
        added_outside_draw=True, added_reason="Raised by the service"
    )
    path = tmp_path / "file.json"
    call_command("export_inspection", built.reference, str(path))
    delete_everything(built)
    call_command("import_inspection", str(path))
    cases = Case.objects.filter(inspection__reference=built.reference)
    assert cases.exists()
    assert set(cases.values_list("added_outside_draw", "added_reason")) == {
        (True, "Raised by the service")
    }
