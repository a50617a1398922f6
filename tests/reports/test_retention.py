"""Data retention: a published inspection's case data is deleted, its results and report kept.

Built through the services (answers, submission, quality assurance, organisation ratings,
report text, a practice example), then purged with `manage.py purge_case_data`: no case data
of that inspection is left, another inspection is untouched, and what is kept (the inspection,
the report text, the ratings roll-up as it was, the rendered report, the record of the
deletion) is all there.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from casefiles.models import Case, ChildProtectionPlan, LinkedChild, Order
from inspection.models import CaseDataPurge, Inspection, Organisation
from judgements.models import Answer, AuditEvent, ModerationDecision, OrganisationRating, ReadRecord
from judgements.rules import applicable_questions
from judgements.services import (
    AnswerInput,
    answers_record,
    case_agree,
    case_read_record,
    case_submit,
    organisation_rating_record,
    qa_select,
)
from reports.models import PracticeExample, Pseudonym, Report, ReportEdit
from reports.retention import PurgeRefused, case_data_counts, case_data_purge
from reports.writing import services as report_services
from tests.conftest import make_case, make_inspection

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")

REFERENCE = "yos-bd-2018"
NAMES = ["Tyler Begum", "Chloe Walsh", "Kai Osei", "Leah Turner", "Reece Doyle", "Zara Price"]



def score(case, actor, *, no_every=3):
    """Answer every applicable question (a No on every third key question) and submit."""
    inputs = []
    for index, question in enumerate(applicable_questions(case)):
        value = "no" if question.is_key_question and index % no_every == 0 else "yes"
        inputs.append(
            AnswerInput(question=question, value=value, note=f"{case.reference} {question.code}")
        )
    answers_record(case=case, answers=inputs, actor=actor)
    case_submit(case=case, actor=actor)


def build(inspection, people, *, cases=4, prefix="C"):
    """Scored cases with their files, one agreed after QA, read records, ratings, report."""
    built = []
    for number in range(1, cases + 1):
        case = make_case(
            inspection,
            reference=f"{prefix}-{number:03d}",
            inspector=people.inspector,
            subject_name=NAMES[number % len(NAMES)],
            sample_type="court_disposal" if number % 2 else "out_of_court",
        )
        child = LinkedChild.objects.create(
            case=case, name="Maisie Begum", relationship="sibling", offender_role="other"
        )
        Order.objects.create(case=case, order_type="referral_order", start_date="2017-10-02")
        ChildProtectionPlan.objects.create(
            case=case, child=child, category="neglect", start_date="2017-11-01"
        )
        score(case, people.inspector)
        case_read_record(case=case, reader=people.qa, page="case file")
        built.append(case)
    qa_select(case=built[0], selected=True, actor=people.lead)
    case_agree(case=built[0], moderator=people.qa)
    return built


@pytest.fixture
def published(inspection, organisation, people):
    cases = build(inspection, people)
    for code in ("1.1", "1.2", "1.3", "1.4"):
        organisation_rating_record(
            inspection=inspection,
            organisation=organisation,
            standard=inspection.framework.standards.get(code=code),
            rating="Good",
            narrative=f"Standard {code} is well led.",
            evidence="Interviews.",
            actor=people.lead,
        )
    report_services.report_foreword_save(
        inspection=inspection, foreword="Our inspection of the service.", actor=people.lead
    )
    report_services.practice_example_save(
        inspection=inspection,
        case=cases[1],
        standard=None,
        title="Joint work with the school",
        quote="The case manager arranged a meeting with the school.",
        actor=people.lead,
    )
    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.PUBLISHED)
    inspection.refresh_from_db()
    return inspection


@pytest.fixture
def other(yos_framework, area, people):
    """Another inspection, not published, with its own scored cases: a purge must not touch it."""
    organisation = Organisation.objects.create(
        slug="reading-yot", name="Reading YOT", kind="yot", area=area
    )
    inspection = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people, reference="yot-r"
    )
    build(inspection, people, cases=2, prefix="R")
    return inspection


def ratings_json(reference) -> dict:
    out = io.StringIO()
    call_command("inspection_ratings", reference, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_an_unpublished_inspection_is_refused(published, people):
    for status in ("planning", "fieldwork", "moderation", "reporting"):
        Inspection.objects.filter(pk=published.pk).update(status=status)
        with pytest.raises(CommandError, match="not published"):
            call_command("purge_case_data", REFERENCE, "--by", "lead", "--confirm")
        with pytest.raises(PurgeRefused, match="only once the inspection is published"):
            case_data_purge(inspection=Inspection.objects.get(pk=published.pk), actor=people.lead)
    assert Case.objects.filter(inspection=published).count() == 4
    assert not CaseDataPurge.objects.exists()


def test_only_an_administrator_or_the_lead_may_purge(published, people):
    for who in ("inspector", "qa", "manager", "outsider"):
        with pytest.raises(CommandError, match="only an administrator or the lead"):
            call_command("purge_case_data", REFERENCE, "--by", who, "--confirm")
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("purge_case_data", REFERENCE, "--by", "nobody", "--confirm")
    with pytest.raises(CommandError, match="no inspection"):
        call_command("purge_case_data", "no-such", "--by", "lead", "--confirm")
    assert Case.objects.filter(inspection=published).count() == 4


def test_without_confirm_nothing_is_deleted(published):
    out = io.StringIO()
    call_command("purge_case_data", REFERENCE, "--by", "lead", stdout=out)
    assert "cases: 4" in out.getvalue()
    assert "Nothing was deleted" in out.getvalue()
    assert Case.objects.filter(inspection=published).count() == 4
    assert not CaseDataPurge.objects.exists()


def test_purge_deletes_the_case_data_and_keeps_results_report_and_record(published, other, people):
    before = ratings_json(REFERENCE)
    assert before["cases_counted"] == 4 and before["overall"]["rating"]
    counts = case_data_counts(published)
    assert counts["cases"] == 4 and counts["answers"] > 100
    other_counts = case_data_counts(other)
    other_ratings = ratings_json("yot-r")
    org_rating_events = AuditEvent.objects.filter(inspection=published, case=None).count()
    assert org_rating_events > 0
    edits = ReportEdit.objects.filter(report__inspection=published).count()

    out = io.StringIO()
    call_command("purge_case_data", REFERENCE, "--by", "lead", "--confirm", stdout=out)
    assert "Deleted the case data of yos-bd-2018: 4 case(s)" in out.getvalue()

    # No personal case data of the inspection is left.
    assert not Case.objects.filter(inspection=published).exists()
    assert not Answer.objects.filter(case__inspection=published).exists()
    assert not Answer.objects.filter(case__isnull=True).exists()
    assert not ModerationDecision.objects.filter(case__inspection=published).exists()
    assert not ReadRecord.objects.filter(case__inspection=published).exists()
    assert not LinkedChild.objects.filter(case__inspection=published).exists()
    assert not Pseudonym.objects.filter(inspection=published).exists()
    # The per-case audit trail went with the cases; the organisation ratings' stayed.
    assert not AuditEvent.objects.filter(inspection=published).exclude(case=None).exists()
    assert AuditEvent.objects.filter(inspection=published).count() == org_rating_events

    # The inspection, its ratings by the lead and its report text remain.
    inspection = Inspection.objects.get(reference=REFERENCE)
    assert inspection.status == Inspection.Status.PUBLISHED
    assert OrganisationRating.objects.filter(inspection=inspection).count() == 4
    report = Report.objects.get(inspection=inspection)
    assert report.foreword == "Our inspection of the service."
    example = PracticeExample.objects.get(report=report)
    assert example.quote.startswith("The case manager arranged") and example.case is None
    assert ReportEdit.objects.filter(report=report).count() == edits

    # The record of the deletion: who, when, how many, the roll-up as it was, the report.
    record = CaseDataPurge.objects.get(inspection=inspection)
    assert record.purged_by == people.lead and record.purged_at
    assert record.cases_deleted == counts["cases"] == 4
    assert record.answers_deleted == counts["answers"]
    assert record.deleted["judgements.ModerationDecision"] == counts["moderation_decisions"]
    assert record.deleted["judgements.AuditEvent"] == counts["case_audit_events"]
    assert record.deleted["judgements.ReadRecord"] == counts["read_records"]
    assert record.ratings == before
    pdf = PdfReader(io.BytesIO(bytes(record.report_pdf)))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Youth offending services in Barking and Dagenham" in text
    for name in [*NAMES[:5], "Maisie Begum"]:  # the changed names were printed, never these
        assert not set(name.split()) & set(text.split()), name
    assert record.report_filename.endswith(".pdf")

    # Another inspection is untouched.
    assert case_data_counts(other) == other_counts
    assert ratings_json("yot-r") == other_ratings
    assert not CaseDataPurge.objects.filter(inspection=other).exists()

    # Once is enough, and the record keeps the inspection from being deleted with it.
    with pytest.raises(CommandError, match="already deleted"):
        call_command("purge_case_data", REFERENCE, "--by", "admin", "--confirm")
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        inspection.delete()


def test_a_report_still_holding_a_real_name_is_refused(published, people):
    case = Case.objects.filter(inspection=published).first()
    # Written while the report was drafted (a published report's text no longer changes).
    stage = Inspection.objects.filter(pk=published.pk)
    stage.update(status=Inspection.Status.REPORTING)
    report_services.report_foreword_save(
        inspection=published, foreword=f"We met {case.subject_name}.", actor=people.lead
    )
    stage.update(status=Inspection.Status.PUBLISHED)
    with pytest.raises(CommandError, match="still holds 1 real name"):
        call_command("purge_case_data", REFERENCE, "--by", "admin", "--confirm")
    assert Case.objects.filter(inspection=published).count() == 4
    assert not CaseDataPurge.objects.exists()


def test_an_administrator_may_purge(published, people):
    record = case_data_purge(inspection=published, actor=people.admin)
    assert record.purged_by == people.admin
    assert record.cases_deleted == 4


def test_a_purge_removes_the_answer_tallies_and_keeps_the_frozen_ratings(published, people):
    from judgements.models import AnswerTally
    from judgements.tallies import tallies_differences
    from reports.ratings.tallies import answer_tallies

    assert AnswerTally.objects.filter(inspection=published).exists()
    record = case_data_purge(inspection=published, actor=people.lead)
    # The answers they counted are gone; the check agrees with the (empty) live count.
    assert not AnswerTally.objects.filter(inspection=published).exists()
    assert answer_tallies(by=("question",), inspections=published) == {}
    assert tallies_differences() == []
    assert record.ratings["cases_counted"] > 0
