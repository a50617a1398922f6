"""Blind double scoring: selection, the second reader's walk-through kept apart and blind,
reconciliation into the case's answers (audited, counted only then), and the figures."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from casefiles.models import Case
from judgements import services
from judgements.models import (
    Answer,
    AnswerTally,
    AuditEvent,
    ReconciledAnswer,
    SecondAnswer,
    SecondReading,
)
from judgements.rules import applicable_questions
from judgements.services import AnswerInput
from judgements.tallies import tallies_differences
from reports.ratings.selectors import inspection_rating
from tests.conftest import make_case

pytestmark = pytest.mark.django_db

FIRST_NOTE = "First reader's evidence: FIRST-READING-MARKER"
SECOND_NOTE = "Second reader's evidence: SECOND-READING-MARKER"


def _inputs(case, value="yes", note=FIRST_NOTE, differ=None):
    """Every applicable question answered `value`; `differ` (a question) answered No."""
    return [
        AnswerInput(question=q, value="no" if q == differ else value, note=note)
        for q in applicable_questions(case)
    ]


def _first_key_question(case):
    return next(q for q in applicable_questions(case) if q.is_key_question)


def _double_read(case, people, *, differ=None):
    """Selected, scored Yes by the inspector and submitted; read again by the colleague (Yes,
    or No on `differ`) and submitted."""
    reading = services.second_reading_select(case=case, reader=people.colleague, actor=people.lead)
    services.answers_record(case=case, answers=_inputs(case), actor=people.inspector)
    services.case_submit(case=case, actor=people.inspector)
    services.second_answers_record(
        reading=reading,
        answers=_inputs(case, note=SECOND_NOTE, differ=differ),
        actor=people.colleague,
    )
    services.second_reading_submit(reading=reading, actor=people.colleague)
    reading.refresh_from_db()
    case.refresh_from_db()
    return reading


def _tally(case, question):
    row = AnswerTally.objects.filter(inspection=case.inspection, question=question).first()
    return (row.yes, row.no) if row else (0, 0)


# --------------------------------------------------------------------------- services


def test_only_the_lead_selects_and_only_another_inspector_reads(case, people):
    with pytest.raises(PermissionDenied):
        services.second_reading_select(case=case, reader=people.colleague, actor=people.inspector)
    with pytest.raises(ValidationError, match="own inspector"):
        services.second_reading_select(case=case, reader=people.inspector, actor=people.lead)
    with pytest.raises(ValidationError, match="not an inspector"):
        services.second_reading_select(case=case, reader=people.lead, actor=people.lead)
    with pytest.raises(ValidationError, match="not an inspector"):
        services.second_reading_select(case=case, reader=people.qa, actor=people.lead)
    assert not SecondReading.objects.exists()
    reading = services.second_reading_select(case=case, reader=people.colleague, actor=people.lead)
    case.refresh_from_db()
    assert case.awaiting_reconciliation
    event = AuditEvent.objects.get(case=case, action=AuditEvent.Action.SECOND_READING)
    assert (event.actor, event.new_value) == (people.lead, f"Second reader: {people.colleague}")
    with pytest.raises(ValidationError, match="already read a second time"):
        services.second_reading_select(case=case, reader=people.partner, actor=people.lead)
    # The case cannot then be given to its second reader.
    with pytest.raises(ValidationError, match="reading this case a second time"):
        services.case_assign(case=case, inspector=people.colleague, actor=people.lead)
    assert reading.reader == people.colleague


def test_second_answers_are_kept_apart_and_audited(case, people):
    reading = services.second_reading_select(case=case, reader=people.colleague, actor=people.lead)
    question = _first_key_question(case)
    with pytest.raises(PermissionDenied):
        services.second_answers_record(
            reading=reading,
            answers=[AnswerInput(question=question, value="yes", note="x")],
            actor=people.inspector,
        )
    with pytest.raises(ValidationError):
        services.second_answers_record(
            reading=reading,
            answers=[AnswerInput(question=question, value="yes", note="")],
            actor=people.colleague,
        )
    services.second_answers_record(
        reading=reading,
        answers=[AnswerInput(question=question, value="no", note=SECOND_NOTE, seen_version=0)],
        actor=people.colleague,
    )
    assert not Answer.objects.filter(case=case).exists()
    assert SecondAnswer.objects.get(reading=reading).value == "no"
    event = AuditEvent.objects.get(case=case, action=AuditEvent.Action.SECOND_ANSWER)
    assert (event.subject, event.new_value) == (question.code, f"No\n{SECOND_NOTE}")
    # A stale copy is refused, as on the first reading.
    with pytest.raises(services.StaleEdit):
        services.second_answers_record(
            reading=reading,
            answers=[AnswerInput(question=question, value="yes", note="y", seen_version=0)],
            actor=people.colleague,
        )
    with pytest.raises(services.IncompleteCase):
        services.second_reading_submit(reading=reading, actor=people.colleague)


def test_a_case_read_twice_counts_only_once_reconciled_with_the_agreed_answers(case, people):
    question = _first_key_question(case)
    reading = _double_read(case, people, differ=question)
    assert case.status == Case.Status.SUBMITTED
    # Submitted, but not counted: no tallies, no rating from it, and the live count agrees.
    assert not AnswerTally.objects.filter(inspection=case.inspection).exists()
    assert not Case.objects.counted().filter(pk=case.pk).exists()
    assert tallies_differences() == []
    summary = inspection_rating(case.inspection)
    assert summary.cases_counted == 0
    assert [(x.status, x.cases) for x in summary.left_out] == [
        ("Read twice, not yet reconciled", 1)
    ]
    # The agreed answer must be given, with a note, where the readings differ.
    with pytest.raises(ValidationError, match=f"agreed answer for {question.code}"):
        services.second_reading_reconcile(reading=reading, agreed={}, actor=people.lead)
    with pytest.raises(ValidationError, match="Enter a note"):
        services.second_reading_reconcile(
            reading=reading,
            agreed={question.pk: services.Agreed(value="no", note=" ")},
            actor=people.lead,
        )
    with pytest.raises(PermissionDenied):
        services.second_reading_reconcile(
            reading=reading,
            agreed={question.pk: services.Agreed(value="no", note="Agreed")},
            actor=people.qa,
        )
    services.second_reading_reconcile(
        reading=reading,
        agreed={question.pk: services.Agreed(value="no", note="Both read the plan again: No")},
        actor=people.colleague,
    )
    case.refresh_from_db()
    reading.refresh_from_db()
    assert not case.awaiting_reconciliation and reading.is_reconciled
    assert reading.first_reader == people.inspector
    answer = Answer.objects.get(case=case, question=question)
    assert (answer.value, answer.note) == ("no", "Both read the plan again: No")
    # The tallies count the agreed answers, and equal a live count.
    assert _tally(case, question) == (0, 1)
    assert tallies_differences() == []
    assert inspection_rating(case.inspection).cases_counted == 1
    # Both readings are kept, as they were.
    kept = ReconciledAnswer.objects.get(reading=reading, question=question)
    assert (kept.first_value, kept.second_value, kept.agreed_value) == ("yes", "no", "no")
    assert (kept.first_note, kept.second_note) == (FIRST_NOTE, SECOND_NOTE)
    assert ReconciledAnswer.objects.filter(reading=reading).count() == len(
        applicable_questions(case)
    )
    changed = AuditEvent.objects.get(
        case=case, action=AuditEvent.Action.ANSWER_CHANGED, subject=question.code
    )
    assert (changed.actor, changed.old_value, changed.new_value) == (people.colleague, "Yes", "No")
    with pytest.raises(ValidationError, match="already reconciled"):
        services.second_reading_reconcile(reading=reading, agreed={}, actor=people.lead)


def test_quality_assurance_waits_for_the_reconciliation(case, people):
    services.qa_select(case=case, selected=True, actor=people.lead)
    reading = _double_read(case, people)
    assert case.status == Case.Status.IN_QA
    with pytest.raises(PermissionDenied):
        services.case_agree(case=case, moderator=people.qa)
    services.second_reading_reconcile(reading=reading, agreed={}, actor=people.inspector)
    case.refresh_from_db()
    services.case_agree(case=case, moderator=people.qa)
    case.refresh_from_db()
    assert case.status == Case.Status.AGREED


def test_selecting_a_submitted_case_takes_it_out_of_the_count_and_removing_puts_it_back(
    case, people
):
    services.answers_record(case=case, answers=_inputs(case), actor=people.inspector)
    services.case_submit(case=case, actor=people.inspector)
    question = _first_key_question(case)
    assert _tally(case, question) == (1, 0)
    reading = services.second_reading_select(case=case, reader=people.colleague, actor=people.lead)
    assert _tally(case, question) == (0, 0)
    assert tallies_differences() == []
    services.second_reading_remove(reading=reading, actor=people.lead)
    assert _tally(case, question) == (1, 0)
    assert tallies_differences() == []
    assert not SecondReading.objects.exists()
    assert AuditEvent.objects.filter(subject="Second reading removed").count() == 1


def test_a_seeded_share_is_spread_across_inspectors_and_repeatable(inspection, people):
    cases = [
        make_case(inspection, reference=f"S-{n}", inspector=who)
        for n, who in enumerate([people.inspector] * 4 + [people.colleague] * 4)
    ]
    result = services.second_reading_share(
        inspection=inspection, percent=50, seed=7, actor=people.lead
    )
    chosen = sorted(r.case.reference for r in result.selected)
    assert len(chosen) == 4 and result.eligible == 8
    by_inspector = {c.inspector_id for c in Case.objects.filter(second_reading__isnull=False)}
    assert by_inspector == {people.inspector.pk, people.colleague.pk}
    for reading in result.selected:
        assert reading.reader_id != reading.case.inspector_id
    SecondReading.objects.all().delete()
    Case.objects.update(awaiting_reconciliation=False)
    again = services.second_reading_share(
        inspection=inspection, percent=50, seed=7, actor=people.lead
    )
    assert sorted(r.case.reference for r in again.selected) == chosen
    assert len(cases) == 8


# --------------------------------------------------------------------------- pages


def test_the_second_reader_is_sent_to_their_own_reading_and_never_shown_the_first(
    case, people, login
):
    reading = services.second_reading_select(case=case, reader=people.colleague, actor=people.lead)
    services.answers_record(case=case, answers=_inputs(case), actor=people.inspector)
    client = login(people.colleague)
    step = reverse("judgements:step", kwargs={"public_id": case.public_id, "code": "2.1"})
    response = client.get(step)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "judgements:second_step", kwargs={"public_id": case.public_id, "code": "2.1"}
    )
    for name in ("case_summary", "check", "resume", "submitted"):
        response = client.get(reverse(f"judgements:{name}", kwargs={"public_id": case.public_id}))
        assert response.status_code == 302, name
        assert "second-reading" in response["Location"], name
    assert client.post(step, {}).status_code == 403
    history = client.get(reverse("judgements:history", kwargs={"public_id": case.public_id}))
    assert history.status_code == 403
    assert "FIRST-READING-MARKER" not in history.content.decode()
    page = client.get(response["Location"], follow=True).content.decode()
    assert "FIRST-READING-MARKER" not in page
    # The second reader answers on the same step's questions, on their own pages.
    questions = [q for q in applicable_questions(case) if q.standard.code == "2.1"]
    data = {}
    for q in questions:
        data |= {f"q{q.pk}-value": "yes", f"q{q.pk}-note": SECOND_NOTE, f"q{q.pk}-version": "0"}
    second_step = reverse(
        "judgements:second_step", kwargs={"public_id": case.public_id, "code": "2.1"}
    )
    assert client.post(second_step, data | {"later": "1"}).status_code == 302
    assert SecondAnswer.objects.filter(reading=reading).count() == len(questions)
    assert not Answer.objects.filter(case=case, note=SECOND_NOTE).exists()
    # The first reader sees neither the second reading's pages nor its answers in the history.
    first = login(people.inspector)
    summary = reverse("judgements:second_summary", kwargs={"public_id": case.public_id})
    assert first.get(summary).status_code == 403
    assert first.get(second_step).status_code == 403
    history = first.get(reverse("judgements:history", kwargs={"public_id": case.public_id}))
    assert history.status_code == 200
    assert "SECOND-READING-MARKER" not in history.content.decode()
    # The lead sees both in the history.
    lead_history = login(people.lead).get(
        reverse("judgements:history", kwargs={"public_id": case.public_id})
    )
    assert "SECOND-READING-MARKER" in lead_history.content.decode()


def test_a_bad_step_post_names_the_field_and_saves_nothing(case, people, login):
    services.second_reading_select(case=case, reader=people.colleague, actor=people.lead)
    client = login(people.colleague)
    question = next(
        q for q in applicable_questions(case) if q.standard.code == "2.1" and q.is_key_question
    )
    url = reverse("judgements:second_step", kwargs={"public_id": case.public_id, "code": "2.1"})
    response = client.post(url, {f"q{question.pk}-value": "yes", f"q{question.pk}-note": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f"Enter an evidence note for key question {question.code}" in page
    assert not SecondAnswer.objects.exists()


def test_reconciliation_page_shows_differences_first_and_saves_the_agreement(case, people, login):
    differ = applicable_questions(case)[-1]
    if not differ.is_key_question:
        differ = _first_key_question(case)
    _double_read(case, people, differ=differ)
    url = reverse("judgements:reconcile", kwargs={"public_id": case.public_id})
    assert login(people.partner).get(url).status_code == 403
    client = login(people.colleague)
    page = client.get(url).content.decode()
    rows = page.split('id="comparison"')[1].split("<tbody")[1]
    first_row = rows.split("</tr>")[0]
    assert differ.code in first_row and "Differs" in first_row
    assert "FIRST-READING-MARKER" in page and "SECOND-READING-MARKER" in page
    bad = client.post(url, {f"q{differ.pk}-value": "no"})
    assert bad.status_code == 200
    assert f"Enter a note on the agreed answer to {differ.code}" in bad.content.decode()
    assert not ReconciledAnswer.objects.exists()
    done = client.post(url, {f"q{differ.pk}-value": "no", f"q{differ.pk}-note": "We agree: No"})
    assert done.status_code == 302
    assert Answer.objects.get(case=case, question=differ).value == "no"
    assert "Reconciled by" in client.get(url).content.decode()


def test_agreement_page_and_csv(case, people, login):
    question = _first_key_question(case)
    _double_read(case, people, differ=question)
    reading = case.second_reading
    services.second_reading_reconcile(
        reading=reading,
        agreed={question.pk: services.Agreed(value="yes", note="Agreed Yes")},
        actor=people.lead,
    )
    client = login(people.qa)
    page = client.get(
        reverse("judgements:agreement", kwargs={"reference": case.inspection.reference})
    )
    html = page.content.decode()
    assert f"Agreement is low on {question.code}: 0 of 1 cases (small sample)" in html
    response = client.get(
        reverse("judgements:agreement_csv", kwargs={"reference": case.inspection.reference})
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0:4] == ["Inspection", "Key question", "Readers", "Double-read cases"]
    row = next(r for r in rows[1:] if r[1] == question.code)
    assert row[2] == "All readers" and row[3] == "1" and row[7] == "0.000"
    assert row[-2] == "Yes"
    # The managers' national dashboard shows the same figure across inspections.
    national = login(people.manager).get(reverse("reports:dashboards")).content.decode()
    table = national.split('id="agreement-table"')[1].split("</table>")[0]
    assert f"Agreement is low on {question.code}: 0 of 1 cases (small sample)" in table


def test_lead_selects_on_the_page_with_errors_named(case, people, login):
    client = login(people.lead)
    url = reverse("judgements:second_readings", kwargs={"reference": case.inspection.reference})
    bad = client.post(url, {"select": "1", "case": str(case.public_id), "reader": ""})
    assert bad.status_code == 200
    assert "There is a problem" in bad.content.decode()
    assert not SecondReading.objects.exists()
    good = client.post(
        url, {"select": "1", "case": str(case.public_id), "reader": people.colleague.username}
    )
    assert good.status_code == 302
    assert SecondReading.objects.get().reader == people.colleague
    assert login(people.inspector).post(url, {"share": "1", "percent": "50"}).status_code == 403
    make_case(case.inspection, reference="C-002", inspector=people.colleague)
    client = login(people.lead)
    bad_share = client.post(url, {"share": "1", "percent": "101", "seed": "1"})
    assert "Share must be 100 per cent or less" in bad_share.content.decode()
    assert client.post(url, {"share": "1", "percent": "100", "seed": "1"}).status_code == 302
    assert SecondReading.objects.get(case__reference="C-002").reader == people.inspector
    removed = client.post(url, {"remove": str(SecondReading.objects.get(case=case).public_id)})
    assert removed.status_code == 302
    assert not SecondReading.objects.filter(case=case).exists()
    assert client.post(url, {"remove": "not-a-uuid"}).status_code == 404


def test_approval_waits_for_every_second_reading_to_be_reconciled(case, people):
    from inspection.readiness import missing

    assert not [m for m in missing(case.inspection) if m.group == "Second readings"]
    reading = _double_read(case, people)
    found = [m for m in missing(case.inspection) if m.group == "Second readings"]
    assert [m.text for m in found] == ["Case C-001: its two readings are not reconciled yet"]
    assert found[0].url == reverse("judgements:reconcile", kwargs={"public_id": case.public_id})
    services.second_reading_reconcile(reading=reading, agreed={}, actor=people.lead)
    assert not [m for m in missing(case.inspection) if m.group == "Second readings"]


def _read_twice_reconciled(inspection, people, n):
    for i in range(n):
        case = make_case(inspection, reference=f"Q-{i}", inspector=people.inspector)
        reading = _double_read(case, people, differ=_first_key_question(case))
        services.second_reading_reconcile(
            reading=reading,
            agreed={_first_key_question(case).pk: services.Agreed(value="no", note="Agreed")},
            actor=people.lead,
        )


@pytest.mark.parametrize("readings", [1, 3])
def test_the_list_and_agreement_pages_make_as_many_queries_for_more_readings(
    inspection, people, login, django_assert_num_queries, readings
):
    _read_twice_reconciled(inspection, people, readings)
    client = login(people.lead)
    second = reverse("judgements:second_readings", kwargs={"reference": inspection.reference})
    figures = reverse("judgements:agreement", kwargs={"reference": inspection.reference})
    client.get(second)
    with django_assert_num_queries(7):
        # 1 the session, 2 the user (with whether a safeguarding concern waits for them: none
        # does, so the banner reads nothing), 3 the inspection, 4 the person's role on it,
        # 5 the inspectors who may read second, 6 the cases that may be selected, 7 the
        # readings with their cases and people.
        assert client.get(second).status_code == 200
    with django_assert_num_queries(6):
        # 1 the session, 2 the user (with whether a concern waits: none does), 3 the
        # inspection, 4 the role, 5 the reconciled answers to key questions, 6 the readers'
        # names.
        assert client.get(figures).status_code == 200
