"""The walk-through of a case, through its services: frameworks as versioned data, answers and
their notes, submission, quality assurance, organisation-level ratings and the audit trail.

The pages that call these services are tested in test_walkthrough_views.py.
"""

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404

from casefiles.models import Case
from inspection.models import Framework, Organisation, Question, Standard
from inspection.services import FrameworkError, framework_load
from judgements import services
from judgements.models import (
    Answer,
    AuditEvent,
    ModerationDecision,
    OrganisationRating,
    ReturnedQuestion,
)
from judgements.rules import applicable_questions
from judgements.selectors import step_place, walkthrough
from judgements.services import AnswerInput
from tests.conftest import FRAMEWORKS, make_case, make_inspection

Action = AuditEvent.Action
Status = Case.Status
YOS_FILE = FRAMEWORKS / "youth-offending-services-2018.json"
CP_FILE = FRAMEWORKS / "child-protection-audit-2014.json"


# Helpers -------------------------------------------------------------------------------------


def question(framework, code: str) -> Question:
    return Question.objects.select_related("standard").get(framework=framework, code=code)


def complete_inputs(case: Case, *, value: str = "yes") -> list[AnswerInput]:
    """An answer with an evidence note for every question the case answers."""
    return [
        AnswerInput(question=q, value=value, note=f"Evidence for {q.code}")
        for q in applicable_questions(case)
    ]


def score_whole_case(case: Case, actor) -> None:
    services.answers_record(case=case, answers=complete_inputs(case), actor=actor)


def audit_rows(case: Case, action: str | None = None):
    rows = AuditEvent.objects.filter(case=case)
    return rows.filter(action=action) if action else rows


def judgement_counts() -> tuple[int, int, int, int, int]:
    return (
        Answer.objects.count(),
        AuditEvent.objects.count(),
        ModerationDecision.objects.count(),
        ReturnedQuestion.objects.count(),
        OrganisationRating.objects.count(),
    )


def write_version(tmp_path, source, *, version: str, change) -> "object":
    """A copy of a shipped framework file with a new version label, changed by `change`."""
    data = json.loads(source.read_text())
    data["version"] = version
    change(data)
    path = tmp_path / f"{data['slug']}-{version}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def reword_first_case_question(data: dict) -> None:
    court = next(d for d in data["domains"] if d["code"] == "2")
    court["standards"][0]["key_questions"][0]["text"] = "Reworded key question for a new version"


# 1. Frameworks are versioned data loaded from files -------------------------------------------


@pytest.mark.usefixtures("no_frameworks")
def test_loading_the_shipped_files_creates_both_frameworks_and_again_changes_nothing():
    yos, outcome = framework_load(path=YOS_FILE)
    assert outcome == "loaded"
    cp, outcome = framework_load(path=CP_FILE)
    assert outcome == "loaded"
    assert {(f.slug, f.version) for f in Framework.objects.all()} == {
        ("youth-offending-services", "2018"),
        ("child-protection-audit", "2014"),
    }
    # The 2018 framework: domain one is rated at organisation level, two and three by cases.
    assert list(
        Standard.objects.filter(framework=yos, judged_by="organisation").values_list(
            "code", flat=True
        )
    ) == ["1.1", "1.2", "1.3", "1.4"]
    assert Question.objects.filter(framework=cp, code="1.5.2").exists()
    questions = Question.objects.count()

    again, outcome = framework_load(path=YOS_FILE)
    assert outcome == "unchanged"
    assert again.pk == yos.pk
    assert Question.objects.count() == questions


@pytest.mark.usefixtures("no_frameworks")
def test_load_frameworks_command_loads_every_shipped_file_then_reports_unchanged():
    out = StringIO()
    call_command("load_frameworks", stdout=out)
    assert "Youth offending services (2018): loaded" in out.getvalue()
    assert "(2014): loaded" in out.getvalue()
    assert Framework.objects.count() == 2

    out = StringIO()
    call_command("load_frameworks", stdout=out)
    assert out.getvalue().count(": unchanged") == 2
    assert Framework.objects.count() == 2


def test_a_new_version_is_a_second_framework_and_the_old_inspection_keeps_its_own(
    tmp_path, inspection, people
):
    case = make_case(inspection, inspector=people.inspector)
    score_whole_case(case, people.inspector)
    old_framework = inspection.framework
    old_question = question(old_framework, "2.1.1")
    old_text = old_question.text
    answers_before = list(Answer.objects.order_by("pk").values("question_id", "value", "note"))

    path = write_version(tmp_path, YOS_FILE, version="2021", change=reword_first_case_question)
    new_framework, outcome = framework_load(path=path)

    assert outcome == "loaded"
    assert new_framework.pk != old_framework.pk
    assert Framework.objects.filter(slug="youth-offending-services").count() == 2
    assert question(new_framework, "2.1.1").text == "Reworded key question for a new version"
    inspection.refresh_from_db()
    assert inspection.framework_id == old_framework.pk
    old_question.refresh_from_db()
    assert old_question.text == old_text
    assert list(Answer.objects.order_by("pk").values("question_id", "value", "note")) == (
        answers_before
    )
    # The case is still walked through the questions of the version it started with.
    assert {q.framework_id for q in applicable_questions(case)} == {old_framework.pk}

    # An inspection started later can use the new version.
    later = make_inspection(
        framework=new_framework,
        organisations=[inspection.organisations.first()],
        people=people,
        reference="yos-bd-2021",
    )
    assert later.framework.version == "2021"


def test_a_changed_file_for_a_version_an_inspection_uses_is_refused(tmp_path, inspection):
    path = write_version(tmp_path, YOS_FILE, version="2018", change=reword_first_case_question)
    with pytest.raises(FrameworkError, match="used by inspections"):
        framework_load(path=path)
    assert Framework.objects.filter(slug="youth-offending-services").count() == 1
    assert question(inspection.framework, "2.1.1").text != "Reworded key question for a new version"

    with pytest.raises(CommandError, match="Give the changed framework a new version"):
        call_command("load_frameworks", str(path), stdout=StringIO())


def test_a_changed_file_for_a_version_no_inspection_uses_replaces_it(tmp_path, cp_framework):
    path = write_version(
        tmp_path, CP_FILE, version="2014", change=lambda d: d.update(name="Child protection audit")
    )
    framework, outcome = framework_load(path=path)
    assert outcome == "replaced"
    assert Framework.objects.get(slug="child-protection-audit").name == "Child protection audit"
    assert framework.pk != cp_framework.pk


# 2. Answers, notes and submission ------------------------------------------------------------


def test_recording_answers_keeps_each_change_in_the_audit_trail(case, people, yos_framework):
    kq = question(yos_framework, "2.1.1")
    prompt = question(yos_framework, "2.1.1.a")
    services.answers_record(
        case=case,
        answers=[
            AnswerInput(question=kq, value="yes", note="Asset Plus completed on time"),
            AnswerInput(question=prompt, value="na", note=""),
        ],
        actor=people.inspector,
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    created = audit_rows(case, Action.ANSWER_CREATED).order_by("subject")
    assert [(e.subject, e.new_value, e.actor) for e in created] == [
        ("2.1.1", "Yes\nAsset Plus completed on time", people.inspector),
        ("2.1.1.a", "Not applicable", people.inspector),
    ]
    status = audit_rows(case, Action.STATUS_CHANGED).get()
    assert (status.old_value, status.new_value) == ("Not started", "In progress")
    assert all(e.at is not None for e in audit_rows(case))

    # Changing the value and the note of one answer: one row for each, with before and after.
    answer = services.answer_record(
        case=case,
        question=kq,
        value="no",
        note="Asset Plus completed late",
        actor=people.inspector,
        seen_version=1,
    )
    assert answer.version == 2
    changed = audit_rows(case, Action.ANSWER_CHANGED).get()
    assert (changed.subject, changed.old_value, changed.new_value) == ("2.1.1", "Yes", "No")
    note = audit_rows(case, Action.NOTE_CHANGED).get()
    assert (note.old_value, note.new_value) == (
        "Asset Plus completed on time",
        "Asset Plus completed late",
    )

    # Saving the same answer again changes nothing and records nothing.
    count = audit_rows(case).count()
    again = services.answer_record(
        case=case,
        question=kq,
        value="no",
        note="Asset Plus completed late ",
        actor=people.inspector,
        seen_version=2,
    )
    assert again.version == 2
    assert audit_rows(case).count() == count


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("2.1.1", "yes", "Enter an evidence note for key question 2.1.1"),
        ("2.1.1", "na", "Enter an evidence note for key question 2.1.1"),
        ("2.1.1.a", "no", "Enter an evidence note for 2.1.1.a, answered No"),
    ],
)
def test_a_note_is_needed_for_every_key_question_and_every_no(
    case, people, yos_framework, code, value, message
):
    fine = AnswerInput(question=question(yos_framework, "2.1.2"), value="yes", note="Seen")
    with pytest.raises(ValidationError) as error:
        services.answers_record(
            case=case,
            answers=[
                fine,
                AnswerInput(question=question(yos_framework, code), value=value, note=" "),
            ],
            actor=people.inspector,
        )
    assert error.value.message_dict == {code: [message]}
    assert judgement_counts() == (0, 0, 0, 0, 0)


def test_a_prompt_answered_yes_or_not_applicable_needs_no_note(case, people, yos_framework):
    services.answers_record(
        case=case,
        answers=[
            AnswerInput(question=question(yos_framework, "2.1.1.a"), value="yes", note=""),
            AnswerInput(question=question(yos_framework, "2.1.1.b"), value="na", note=""),
        ],
        actor=people.inspector,
    )
    assert Answer.objects.filter(case=case).count() == 2


def test_only_the_assigned_inspector_or_the_lead_scores_a_case(case, people, yos_framework):
    answer = AnswerInput(question=question(yos_framework, "2.1.1"), value="yes", note="Seen")
    for person in (people.colleague, people.qa, people.partner, people.outsider):
        with pytest.raises(PermissionDenied):
            services.answers_record(case=case, answers=[answer], actor=person)
    assert Answer.objects.count() == 0
    services.answers_record(case=case, answers=[answer], actor=people.lead)
    assert Answer.objects.get().answered_by == people.lead


def test_submit_refuses_an_incomplete_case_listing_what_is_missing(case, people, yos_framework):
    kq = question(yos_framework, "2.1.1")
    services.answers_record(
        case=case,
        answers=[AnswerInput(question=kq, value="yes", note="Seen")],
        actor=people.inspector,
    )
    with pytest.raises(services.IncompleteCase) as incomplete:
        services.case_submit(case=case, actor=people.inspector)
    missing = {m.question.code: m.problem for m in incomplete.value.missing}
    applicable = applicable_questions(case)
    assert len(missing) == len(applicable) - 1
    assert "2.1.1" not in missing
    assert missing["2.1.2"] == "Select Yes, No or Not applicable for 2.1.2"
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_submit_a_complete_case(case, people):
    score_whole_case(case, people.inspector)
    services.case_submit(case=case, actor=people.inspector)
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert case.submitted_at is not None
    event = audit_rows(case, Action.STATUS_CHANGED).filter(subject="Submitted").get()
    assert (event.old_value, event.new_value) == ("In progress", "Submitted")


def test_an_out_of_court_case_answers_only_the_out_of_court_questions(inspection, people):
    case = make_case(inspection, reference="O-001", sample_type="out_of_court")
    codes = {q.standard.code for q in applicable_questions(case)}
    assert codes == {"3.1", "3.2", "3.3", "3.4"}


# Assignment and selection for quality assurance ---------------------------------------------


def test_assigning_a_case_is_audited(inspection, people):
    case = make_case(inspection)
    services.case_assign(case=case, inspector=people.inspector, actor=people.lead)
    case.refresh_from_db()
    assert case.inspector == people.inspector
    services.case_assign(case=case, inspector=people.colleague, actor=people.lead)
    services.case_assign(case=case, inspector=people.colleague, actor=people.lead)  # no change
    events = audit_rows(case, Action.ASSIGNED).order_by("pk")
    assert [(e.actor, e.old_value, e.new_value) for e in events] == [
        (people.lead, "Not assigned", "Inspector Tester"),
        (people.lead, "Inspector Tester", "Colleague Tester"),
    ]


def test_only_the_lead_assigns_cases_to_people_on_the_team(inspection, people):
    case = make_case(inspection)
    with pytest.raises(PermissionDenied):
        services.case_assign(case=case, inspector=people.inspector, actor=people.inspector)
    with pytest.raises(ValidationError):
        services.case_assign(case=case, inspector=people.outsider, actor=people.lead)
    case.refresh_from_db()
    assert case.inspector is None
    assert AuditEvent.objects.count() == 0


def test_selecting_for_quality_assurance_is_audited_and_moves_a_submitted_case(case, people):
    score_whole_case(case, people.inspector)
    services.case_submit(case=case, actor=people.inspector)
    services.qa_select(case=case, selected=True, actor=people.lead)
    case.refresh_from_db()
    assert case.selected_for_qa
    assert case.status == Status.IN_QA
    selected = audit_rows(case, Action.QA_SELECTED).get()
    assert (selected.actor, selected.old_value, selected.new_value) == (people.lead, "No", "Yes")
    with pytest.raises(PermissionDenied):
        services.qa_select(case=case, selected=False, actor=people.qa)


def test_a_random_share_from_a_seed_selects_the_same_cases_every_time(inspection, people):
    for n in range(20):
        make_case(inspection, reference=f"C-{n:03}")

    def draw(seed):
        Case.objects.update(selected_for_qa=False)
        chosen = services.qa_select_share(
            inspection=inspection, percent=25, seed=seed, actor=people.lead
        )
        return sorted(c.reference for c in chosen.newly_selected)

    first = draw(7)
    assert len(first) == 5
    assert draw(7) == first
    assert (
        sorted(Case.objects.filter(selected_for_qa=True).values_list("reference", flat=True))
        == first
    )
    assert draw(8) != first
    with pytest.raises(ValidationError):
        services.qa_select_share(inspection=inspection, percent=0, seed=1, actor=people.lead)


# 3. Quality assurance ------------------------------------------------------------------------


@pytest.fixture
def submitted(case, people):
    """A scored case selected for quality assurance and submitted."""
    services.qa_select(case=case, selected=True, actor=people.lead)
    score_whole_case(case, people.inspector)
    services.case_submit(case=case, actor=people.inspector)
    case.refresh_from_db()
    assert case.status == Status.IN_QA
    return case


def test_the_inspector_who_scored_a_case_cannot_moderate_it(submitted, people, yos_framework):
    with pytest.raises(PermissionDenied):
        services.case_agree(case=submitted, moderator=people.inspector)
    with pytest.raises(PermissionDenied):
        services.case_return(
            case=submitted,
            moderator=people.inspector,
            reasons={question(yos_framework, "2.1.1"): "Why?"},
        )
    assert ModerationDecision.objects.count() == 0


def test_someone_who_changed_an_answer_cannot_moderate_the_case(submitted, people):
    # The lead may score any case; having scored part of this one, the lead cannot moderate it.
    services.case_return(
        case=submitted,
        moderator=people.qa,
        reasons={applicable_questions(submitted)[0]: "Say which assessment"},
    )
    first = applicable_questions(submitted)[0]
    services.answer_record(
        case=submitted, question=first, value="yes", note="OASys of 3 May", actor=people.lead
    )
    services.case_submit(case=submitted, actor=people.inspector)
    with pytest.raises(PermissionDenied):
        services.case_agree(case=submitted, moderator=people.lead)
    services.case_agree(case=submitted, moderator=people.qa)


def test_only_quality_assurance_or_the_lead_moderates(submitted, people):
    for person in (people.colleague, people.partner, people.outsider):
        with pytest.raises(PermissionDenied):
            services.case_agree(case=submitted, moderator=person)
    assert ModerationDecision.objects.count() == 0


def test_a_return_needs_a_reason_for_each_question(submitted, people, yos_framework):
    kq, prompt = question(yos_framework, "2.1.1"), question(yos_framework, "2.1.1.a")
    with pytest.raises(ValidationError) as error:
        services.case_return(
            case=submitted, moderator=people.qa, reasons={kq: "Which assessment?", prompt: "  "}
        )
    assert error.value.message_dict == {"2.1.1.a": ["Enter a reason for returning 2.1.1.a"]}
    with pytest.raises(ValidationError):
        services.case_return(case=submitted, moderator=people.qa, reasons={})
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_QA
    assert (ModerationDecision.objects.count(), ReturnedQuestion.objects.count()) == (0, 0)


def test_return_resubmit_and_agree(submitted, people, yos_framework):
    kq = question(yos_framework, "2.1.1")
    decision = services.case_return(
        case=submitted, moderator=people.qa, reasons={kq: " Name the assessment tool used. "}
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    returned = decision.returned_questions.get()
    assert (returned.question, returned.reason, returned.resolved) == (
        kq,
        "Name the assessment tool used.",
        False,
    )
    moderated = audit_rows(submitted, Action.MODERATED).get()
    assert (moderated.actor, moderated.subject, moderated.new_value) == (
        people.qa,
        "Returned 2.1.1",
        "Name the assessment tool used.",
    )
    status = audit_rows(submitted, Action.STATUS_CHANGED).order_by("-pk").first()
    assert (status.old_value, status.new_value) == ("In quality assurance", "Returned")

    # The inspector fixes the answer and resubmits: back to the moderator.
    services.answer_record(
        case=submitted,
        question=kq,
        value="yes",
        note="AssetPlus completed within 20 working days",
        actor=people.inspector,
        seen_version=1,
    )
    services.case_submit(case=submitted, actor=people.inspector)
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_QA
    returned.refresh_from_db()
    assert returned.resolved

    services.case_agree(case=submitted, moderator=people.qa)
    submitted.refresh_from_db()
    assert submitted.status == Status.AGREED
    assert [d.decision for d in ModerationDecision.objects.filter(case=submitted)] == [
        "returned",
        "agreed",
    ]


def test_an_agreed_case_is_locked(submitted, people, yos_framework):
    services.case_agree(case=submitted, moderator=people.qa)
    kq = question(yos_framework, "2.1.1")
    for person in (people.inspector, people.lead):
        with pytest.raises(PermissionDenied, match="agreed"):
            services.answer_record(
                case=submitted, question=kq, value="no", note="Changed", actor=person
            )
    with pytest.raises(PermissionDenied):
        services.case_submit(case=submitted, actor=people.inspector)
    with pytest.raises(PermissionDenied):
        services.case_return(case=submitted, moderator=people.qa, reasons={kq: "Again"})
    assert Answer.objects.get(case=submitted, question=kq).value == "yes"


def test_reopening_needs_the_lead_and_a_reason(submitted, people):
    services.case_agree(case=submitted, moderator=people.qa)
    with pytest.raises(ValidationError) as error:
        services.case_reopen(case=submitted, lead=people.lead, reason="  ")
    assert error.value.message_dict == {"reason": ["Enter the reason for reopening the case"]}
    for person in (people.qa, people.inspector):
        with pytest.raises(PermissionDenied):
            services.case_reopen(case=submitted, lead=person, reason="New evidence came in")
    submitted.refresh_from_db()
    assert submitted.status == Status.AGREED

    services.case_reopen(case=submitted, lead=people.lead, reason="New evidence came in")
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_PROGRESS
    reopened = ModerationDecision.objects.filter(case=submitted).last()
    assert (reopened.decision, reopened.moderator, reopened.reason) == (
        "reopened",
        people.lead,
        "New evidence came in",
    )
    event = audit_rows(submitted, Action.MODERATED).filter(subject="Reopened").get()
    assert (event.actor, event.new_value) == (people.lead, "New evidence came in")


# 4. Organisation-level standards --------------------------------------------------------------


def org_standard(inspection, code="1.1") -> Standard:
    return Standard.objects.get(framework=inspection.framework, code=code)


def test_the_lead_rates_an_organisation_level_standard_with_a_narrative(inspection, people):
    organisation = inspection.organisations.get()
    rating = services.organisation_rating_record(
        inspection=inspection,
        organisation=organisation,
        standard=org_standard(inspection),
        rating="Good",
        narrative="The board knows the service well.",
        evidence="Board minutes; interviews with 6 staff",
        actor=people.lead,
        seen_version=0,
    )
    assert (rating.rating, rating.version, rating.rated_by) == ("Good", 1, people.lead)
    events = AuditEvent.objects.filter(action=Action.ORG_RATING_CHANGED, case=None)
    assert {e.subject.rsplit(": ", 1)[1]: (e.old_value, e.new_value) for e in events} == {
        "rating": ("", "Good"),
        "narrative": ("", "The board knows the service well."),
        "evidence": ("", "Board minutes; interviews with 6 staff"),
    }

    services.organisation_rating_record(
        inspection=inspection,
        organisation=organisation,
        standard=org_standard(inspection),
        rating="Outstanding",
        narrative="The board knows the service well.",
        evidence="Board minutes; interviews with 6 staff",
        actor=people.lead,
        seen_version=1,
    )
    change = AuditEvent.objects.filter(action=Action.ORG_RATING_CHANGED).order_by("-pk").first()
    assert (change.old_value, change.new_value) == ("Good", "Outstanding")
    assert AuditEvent.objects.filter(action=Action.ORG_RATING_CHANGED).count() == 4

    with pytest.raises(services.StaleEdit):
        services.organisation_rating_record(
            inspection=inspection,
            organisation=organisation,
            standard=org_standard(inspection),
            rating="Inadequate",
            narrative="Stale copy",
            evidence="",
            actor=people.lead,
            seen_version=1,
        )
    assert OrganisationRating.objects.get().rating == "Outstanding"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"narrative": "  "}, "narrative", "Enter the narrative that explains the rating"),
        ({"rating": "Excellent"}, "rating", "Select a rating"),
        ({"code": "2.1"}, "standard", "This standard is not rated at organisation level"),
    ],
)
def test_an_organisation_rating_is_refused_without_what_it_needs(
    inspection, people, changes, field, message
):
    with pytest.raises(ValidationError) as error:
        services.organisation_rating_record(
            inspection=inspection,
            organisation=inspection.organisations.get(),
            standard=org_standard(inspection, changes.get("code", "1.1")),
            rating=changes.get("rating", "Good"),
            narrative=changes.get("narrative", "A narrative"),
            evidence="",
            actor=people.lead,
        )
    assert error.value.message_dict == {field: [message]}
    assert judgement_counts() == (0, 0, 0, 0, 0)


def test_only_the_lead_rates_an_organisation_and_only_one_of_the_inspection(
    inspection, people, area
):
    for person in (people.inspector, people.qa, people.outsider):
        with pytest.raises(PermissionDenied):
            services.organisation_rating_record(
                inspection=inspection,
                organisation=inspection.organisations.get(),
                standard=org_standard(inspection),
                rating="Good",
                narrative="A narrative",
                evidence="",
                actor=person,
            )
    elsewhere = Organisation.objects.create(
        slug="else", name="Elsewhere YOS", kind="yos", area=area
    )
    with pytest.raises(ValidationError):
        services.organisation_rating_record(
            inspection=inspection,
            organisation=elsewhere,
            standard=org_standard(inspection),
            rating="Good",
            narrative="A narrative",
            evidence="",
            actor=people.lead,
        )
    assert judgement_counts() == (0, 0, 0, 0, 0)


# 5. The audit trail is written in the same transaction ----------------------------------------


def test_a_stale_edit_among_several_answers_writes_no_answers_and_no_audit_rows(
    case, people, yos_framework
):
    kq = question(yos_framework, "2.1.1")
    services.answer_record(case=case, question=kq, value="yes", note="First", actor=people.lead)
    before = judgement_counts()
    audit_before = list(AuditEvent.objects.values_list("pk", flat=True))
    with pytest.raises(services.StaleEdit):
        services.answers_record(
            case=case,
            answers=[
                AnswerInput(question=question(yos_framework, "2.1.2"), value="no", note="A"),
                AnswerInput(question=kq, value="no", note="Stale copy", seen_version=0),
                AnswerInput(question=question(yos_framework, "2.1.3"), value="yes", note="B"),
            ],
            actor=people.inspector,
        )
    assert judgement_counts() == before
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == audit_before
    assert Answer.objects.get(case=case, question=kq).note == "First"


def test_a_failure_while_writing_the_audit_rows_undoes_the_answers(
    case, people, yos_framework, monkeypatch
):
    """The answers and their audit rows commit together or not at all."""

    def fail(*args, **kwargs):
        raise RuntimeError("the audit table is unavailable")

    monkeypatch.setattr(AuditEvent.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        services.answers_record(
            case=case, answers=complete_inputs(case)[:5], actor=people.inspector
        )
    monkeypatch.undo()
    assert judgement_counts() == (0, 0, 0, 0, 0)
    case.refresh_from_db()
    assert case.status == Status.NOT_STARTED


def test_every_kind_of_change_has_an_audit_row_with_actor_time_and_values(
    case, people, yos_framework
):
    kq = question(yos_framework, "2.1.1")
    services.case_assign(case=case, inspector=people.colleague, actor=people.lead)
    services.case_assign(case=case, inspector=people.inspector, actor=people.lead)
    services.qa_select(case=case, selected=True, actor=people.lead)
    score_whole_case(case, people.inspector)
    services.answer_record(
        case=case, question=kq, value="no", note="Late", actor=people.inspector, seen_version=1
    )
    services.case_submit(case=case, actor=people.inspector)
    services.case_return(case=case, moderator=people.qa, reasons={kq: "Say how late"})
    services.answer_record(
        case=case, question=kq, value="no", note="Ten days late", actor=people.inspector
    )
    services.case_submit(case=case, actor=people.inspector)
    services.case_agree(case=case, moderator=people.qa)
    services.case_reopen(case=case, lead=people.lead, reason="Late evidence")

    actions = set(audit_rows(case).values_list("action", flat=True))
    assert actions == {
        Action.ASSIGNED,
        Action.QA_SELECTED,
        Action.ANSWER_CREATED,
        Action.ANSWER_CHANGED,
        Action.NOTE_CHANGED,
        Action.STATUS_CHANGED,
        Action.MODERATED,
    }
    for event in audit_rows(case):
        assert event.actor_id is not None
        assert event.at is not None
        assert event.inspection_id == case.inspection_id
        assert event.old_value or event.new_value, event
    statuses = [
        (e.old_value, e.new_value)
        for e in audit_rows(case, Action.STATUS_CHANGED).order_by("at", "pk")
    ]
    assert statuses == [
        ("Not started", "In progress"),
        ("In progress", "In quality assurance"),
        ("In quality assurance", "Returned"),
        ("Returned", "In quality assurance"),
        ("In quality assurance", "Agreed"),
        ("Agreed", "In progress"),
    ]


# 6. No lost updates (service level; the pages are tested in test_walkthrough_views.py) --------


def test_a_stale_copy_that_differs_from_the_saved_answer_is_refused_showing_both(
    case, people, yos_framework
):
    kq = question(yos_framework, "2.1.1")
    services.answer_record(
        case=case, question=kq, value="yes", note="Mine", actor=people.lead, seen_version=0
    )
    with pytest.raises(services.StaleEdit) as stale:
        services.answer_record(
            case=case,
            question=kq,
            value="no",
            note="Theirs",
            actor=people.inspector,
            seen_version=0,
        )
    (conflict,) = stale.value.conflicts
    assert (conflict.question, conflict.yours_value, conflict.yours_note) == (kq, "No", "Theirs")
    assert (conflict.theirs_value, conflict.theirs_note, conflict.theirs_by) == (
        "Yes",
        "Mine",
        "Lead Tester",
    )
    assert "2.1.1" in str(stale.value)
    answer = Answer.objects.get()
    assert (answer.value, answer.note, answer.version, answer.answered_by) == (
        "yes",
        "Mine",
        1,
        people.lead,
    )


def test_a_stale_copy_that_matches_the_saved_answer_is_not_a_conflict(case, people, yos_framework):
    kq = question(yos_framework, "2.1.1")
    services.answer_record(
        case=case, question=kq, value="yes", note="Same", actor=people.lead, seen_version=0
    )
    answer = services.answer_record(
        case=case, question=kq, value="yes", note="Same", actor=people.inspector, seen_version=0
    )
    assert answer.version == 1
    assert audit_rows(case, Action.ANSWER_CREATED).count() == 1


def test_a_step_found_for_saving_is_the_step_the_walk_through_shows(case):
    walk = walkthrough(case)
    assert len(walk.steps) > 2
    for step in walk.steps:
        assert step_place(case, step.standard.code) == walk.place(step.standard.code)
    first = walk.place(walk.steps[0].standard.code)
    assert first.before is None
    assert first.after == walk.steps[1].standard
    with pytest.raises(Http404):
        step_place(case, "1.1")  # judged by organisation: no step of the walk-through
