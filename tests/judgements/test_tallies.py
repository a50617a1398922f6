"""The answer tallies (judgements.models.AnswerTally) always equal a live count of the answers.

Every service that changes answers or which cases count keeps them in step in its own
transaction; random sequences of those calls are checked against a live count after every
step. The commands find a tampered table and count it again; a counted case moved to another
organisation takes its answers with it; saves at the same moment on PostgreSQL lose no
increment.
"""

from __future__ import annotations

import random
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.forms.models import model_to_dict

from casefiles.forms import CaseForm
from casefiles.models import Case
from casefiles.services import case_save
from inspection.models import Inspection, Organisation, Question, User
from judgements import services
from judgements import tallies as tallies_module
from judgements.models import (
    Answer,
    AnswerTally,
    CountedCaseTally,
    KeyQuestionTally,
    SecondReading,
)
from judgements.rules import applicable_questions
from judgements.services import AnswerInput, IncompleteCase, StaleEdit
from judgements.tallies import (
    figures_versions,
    page_generation,
    pages_changed,
    stored_figures_version,
    tallies_differences,
    tallies_rebuild,
    with_marks,
)
from tests.conftest import make_case, make_inspection


def stored() -> dict[tuple, tuple[int, int, int]]:
    return {
        tuple(row[:4]): tuple(row[4:])
        for row in AnswerTally.objects.values_list(
            "inspection_id", "organisation_id", "sample_type", "question_id", "yes", "no", "na"
        )
    }


def answer_inputs(case: Case, rng: random.Random, share: float = 1.0) -> list[AnswerInput]:
    return [
        AnswerInput(question=q, value=rng.choice(["yes", "no", "na"]), note=f"Seen {q.code}.")
        for q in applicable_questions(case)
        if rng.random() < share
    ]


def submit_complete(case: Case, people, value: str = "yes") -> None:
    services.answers_record(
        case=case,
        answers=[
            AnswerInput(question=q, value=value, note=f"Seen {q.code}.")
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)


@pytest.fixture
def cases(inspection, people):
    """Three cases of two organisations and both sample types, scored by the inspector."""
    second = Organisation.objects.create(
        slug="second-yos", name="Second YOS", kind="yos", area=inspection.organisations.get().area
    )
    inspection.organisations.add(second)
    made = [
        make_case(inspection, reference="T-1", inspector=people.inspector),
        make_case(
            inspection, reference="T-2", inspector=people.inspector, sample_type="out_of_court"
        ),
        make_case(inspection, reference="T-3", inspector=people.inspector, organisation=second),
    ]
    return made


@pytest.fixture
def cases_with_referrals(cases):
    """The cases, each with referrals of every kind the tracker counts (written before any
    case counts, so none is in the tallies yet)."""
    from casefiles.models import Referral

    for n, case in enumerate(cases):
        Referral.objects.create(case=case, method="phone", referral_date="2017-05-01")
        Referral.objects.create(
            case=case,
            method="email",
            referral_date="2017-05-02",
            response_date=f"2017-05-{10 + n}",
            response_timely=False,
        )
    return cases


@pytest.mark.parametrize("seed", range(6))
def test_after_any_sequence_of_service_calls_the_tallies_equal_the_live_count(
    seed, cases_with_referrals, people
):
    cases = cases_with_referrals
    rng = random.Random(seed)  # noqa: S311 - test data
    steps = {
        "answer": lambda c: services.answers_record(
            case=c, answers=answer_inputs(c, rng, share=0.3), actor=people.inspector
        ),
        "answer all": lambda c: services.answers_record(
            case=c, answers=answer_inputs(c, rng), actor=people.inspector
        ),
        "submit": lambda c: services.case_submit(case=c, actor=people.inspector),
        "select for QA": lambda c: services.qa_select(
            case=c, selected=rng.random() < 0.7, actor=people.lead
        ),
        "agree": lambda c: services.case_agree(case=c, moderator=people.qa),
        "return": lambda c: services.case_return(
            case=c,
            moderator=people.qa,
            reasons={applicable_questions(c)[0]: "Say more."},
        ),
        "reopen": lambda c: services.case_reopen(case=c, lead=people.lead, reason="Look again."),
        # Blind double scoring: a case read twice stops counting until it is reconciled.
        "select second": lambda c: services.second_reading_select(
            case=c, reader=people.colleague, actor=people.lead
        ),
        "second answers": lambda c: services.second_answers_record(
            reading=c.second_reading, answers=answer_inputs(c, rng), actor=people.colleague
        ),
        "second submit": lambda c: services.second_reading_submit(
            reading=c.second_reading, actor=people.colleague
        ),
        "reconcile": lambda c: services.second_reading_reconcile(
            reading=c.second_reading,
            agreed={
                q.pk: services.Agreed(value=rng.choice(["yes", "no"]), note="Agreed.")
                for q in applicable_questions(c)
            },
            actor=people.lead,
        ),
        "remove second": lambda c: services.second_reading_remove(
            reading=c.second_reading, actor=people.lead
        ),
    }
    counted_at_some_point = False
    for _step in range(40):
        case = Case.objects.get(pk=rng.choice(cases).pk)
        name = rng.choices(list(steps)[:7], weights=[2, 3, 4, 2, 2, 2, 2])[0]
        try:
            steps[name](case)
        except (
            PermissionDenied,
            ValidationError,
            IncompleteCase,
            StaleEdit,
            SecondReading.DoesNotExist,
        ):
            pass  # refused as the rules say: nothing changed, and the tallies neither
        assert tallies_differences() == [], f"after {name} on {case.reference}"
        counted_at_some_point |= Case.objects.counted().exists()
    assert counted_at_some_point, "the sequence never made a case count: choose another seed"


@pytest.mark.parametrize("seed", [0, 1, 3, 5, 6, 7])
def test_with_double_reading_the_tallies_equal_the_live_count_after_any_sequence(
    seed, cases, people
):
    rng = random.Random(seed)  # noqa: S311 - test data
    steps = {
        "answer": lambda c: services.answers_record(
            case=c, answers=answer_inputs(c, rng, share=0.3), actor=people.inspector
        ),
        "answer all": lambda c: services.answers_record(
            case=c, answers=answer_inputs(c, rng), actor=people.inspector
        ),
        "submit": lambda c: services.case_submit(case=c, actor=people.inspector),
        "select for QA": lambda c: services.qa_select(
            case=c, selected=rng.random() < 0.7, actor=people.lead
        ),
        "agree": lambda c: services.case_agree(case=c, moderator=people.qa),
        "return": lambda c: services.case_return(
            case=c,
            moderator=people.qa,
            reasons={applicable_questions(c)[0]: "Say more."},
        ),
        "reopen": lambda c: services.case_reopen(case=c, lead=people.lead, reason="Look again."),
        # Blind double scoring: a case read twice stops counting until it is reconciled.
        "select second": lambda c: services.second_reading_select(
            case=c, reader=people.colleague, actor=people.lead
        ),
        "second answers": lambda c: services.second_answers_record(
            reading=c.second_reading, answers=answer_inputs(c, rng), actor=people.colleague
        ),
        "second submit": lambda c: services.second_reading_submit(
            reading=c.second_reading, actor=people.colleague
        ),
        "reconcile": lambda c: services.second_reading_reconcile(
            reading=c.second_reading,
            agreed={
                q.pk: services.Agreed(value=rng.choice(["yes", "no"]), note="Agreed.")
                for q in applicable_questions(c)
            },
            actor=people.lead,
        ),
        "remove second": lambda c: services.second_reading_remove(
            reading=c.second_reading, actor=people.lead
        ),
    }
    read_twice = False
    for _step in range(60):
        case = Case.objects.get(pk=rng.choice(cases).pk)
        name = rng.choices(list(steps), weights=[2, 3, 4, 2, 2, 2, 2, 2, 2, 2, 2, 1])[0]
        try:
            steps[name](case)
        except (
            PermissionDenied,
            ValidationError,
            IncompleteCase,
            StaleEdit,
            SecondReading.DoesNotExist,
        ):
            pass  # refused as the rules say: nothing changed, and the tallies neither
        assert tallies_differences() == [], f"after {name} on {case.reference}"
        read_twice |= SecondReading.objects.exists()
    assert read_twice, "no case was read twice: choose another seed"


def test_a_case_counts_in_the_tallies_from_submission_until_it_is_returned(case, people):
    services.answers_record(
        case=case, answers=answer_inputs(case, random.Random(1)), actor=people.inspector
    )
    assert not AnswerTally.objects.exists()  # in progress: not counted
    services.case_submit(case=case, actor=people.inspector)
    rows = stored()
    assert sum(sum(counts) for counts in rows.values()) == case.answers.count()
    assert {key[:3] for key in rows} == {
        (case.inspection_id, case.organisation_id, case.sample_type)
    }

    services.qa_select(case=case, selected=True, actor=people.lead)
    assert stored() == rows  # still counted in quality assurance
    services.case_return(
        case=case, moderator=people.qa, reasons={applicable_questions(case)[0]: "Say more."}
    )
    assert not AnswerTally.objects.exists()  # rows at zero are removed, as a live count has none


def test_a_counted_case_moved_to_another_organisation_takes_its_answers_along(
    cases, people, inspection
):
    moved, staying = cases[0], cases[2]
    from casefiles.models import Referral, ReferralTally

    Referral.objects.create(case=moved, method="phone", referral_date="2017-05-01")
    submit_complete(moved, people, "yes")
    submit_complete(staying, people, "no")
    before = stored()
    # The lead corrects the submitted case's organisation, giving the reason.
    case = Case.objects.get(pk=moved.pk)
    data = {k: v for k, v in model_to_dict(case).items() if v is not None}
    born = data.pop("date_of_birth")
    data.update(
        organisation=staying.organisation_id,
        version=case.version,
        date_of_birth_0=born.day,
        date_of_birth_1=born.month,
        date_of_birth_2=born.year,
    )
    form = CaseForm(data, instance=case, inspection=inspection)
    assert form.is_valid(), form.errors
    case_save(form=form, actor=people.lead, seen_version=case.version, reason="Wrong service.")

    assert tallies_differences() == []
    # Its referral is counted with its new organisation.
    assert ReferralTally.objects.get(organisation_id=staying.organisation_id).referrals == 1
    assert not ReferralTally.objects.filter(
        organisation_id=moved.organisation_id, referrals__gt=0
    ).exists()
    after = stored()
    assert not any(key[1] == moved.organisation_id for key in after)
    assert sum(map(sum, after.values())) == sum(map(sum, before.values()))
    question = applicable_questions(moved)[0]
    key = (inspection.pk, staying.organisation_id, "court_disposal", question.pk)
    assert after[key] == (1, 1, 0)  # its Yes beside the other case's No


def test_the_check_finds_a_tampered_table_and_the_rebuild_mends_it(cases, people, capsys):
    for case in cases:
        submit_complete(case, people, "yes")
    call_command("tallies_check")
    assert "The tallies match the answers." in capsys.readouterr().out

    first, second = AnswerTally.objects.order_by("pk")[:2]
    AnswerTally.objects.filter(pk=first.pk).update(yes=F("yes") + 3)
    AnswerTally.objects.filter(pk=second.pk).delete()
    with pytest.raises(CommandError) as failed:
        call_command("tallies_check")
    assert failed.value.returncode == 1
    assert "2 tally row(s) differ from the answers" in str(failed.value)
    listed = capsys.readouterr().err
    assert f"stored yes/no/n.a. {first.yes + 3}/0/0, counted {first.yes}/0/0" in listed
    assert f"stored yes/no/n.a. 0/0/0, counted {second.yes}/0/0" in listed

    call_command("tallies_rebuild", cases[0].inspection.reference)
    assert "Counted" in capsys.readouterr().out
    call_command("tallies_check")
    assert tallies_differences() == []

    with pytest.raises(CommandError, match="No inspection with the reference nope"):
        call_command("tallies_check", "nope")


def test_every_tally_change_moves_the_inspections_figures_version_on(
    case, people, yos_framework, organisation, django_capture_on_commit_callbacks
):
    other = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people, reference="other"
    )
    before = figures_versions([case.inspection_id, other.pk])
    assert figures_versions([case.inspection_id, other.pk]) == before  # steady while unchanged
    with django_capture_on_commit_callbacks(execute=True):
        submit_complete(case, people)
    after_submit = figures_versions([case.inspection_id, other.pk])
    assert after_submit[0] != before[0]
    assert after_submit[1] == before[1]  # another inspection's figures are left alone
    with django_capture_on_commit_callbacks(execute=True):
        tallies_rebuild(inspection_ids=[case.inspection_id])
    assert figures_versions([case.inspection_id])[0] != after_submit[0]


def test_versions_read_beside_the_inspections_are_the_versions_read_on_their_own(
    case, people, django_capture_on_commit_callbacks, monkeypatch
):
    """stored_figures_version and with_marks (the national page's key, one query) give what
    figures_versions gives (a query of its own), before and after a change, with the mark."""
    monkeypatch.setattr(tallies_module, "_changed_here", {})  # no marks from earlier tests

    def beside():
        rows = Inspection.objects.filter(pk=case.inspection_id).values_list(
            "pk", stored_figures_version("pk")
        )
        return with_marks(rows)

    assert beside() == figures_versions([case.inspection_id]) == ((case.inspection_id, 0, 0),)
    with django_capture_on_commit_callbacks(execute=True):
        submit_complete(case, people)
    assert beside() == figures_versions([case.inspection_id])
    ((_pk, stored, mark),) = beside()
    assert stored > 0 and mark > 0


def test_a_change_is_seen_by_every_process_once_committed(
    case, people, django_capture_on_commit_callbacks, monkeypatch
):
    """The stored version moves on after the commit; another process, which has no mark of
    its own for the change, sees it from the database."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_complete(case, people)
    # Marked at once in this process, before anything is committed...
    assert figures_versions([case.inspection_id])[0][2] > 0
    elsewhere = {}
    monkeypatch.setattr(tallies_module, "_changed_here", elsewhere)
    # ...but not yet stored for the others.
    assert figures_versions([case.inspection_id]) == ((case.inspection_id, 0, 0),)
    for callback in callbacks:
        callback()
    ((inspection_id, stored, mark),) = figures_versions([case.inspection_id])
    assert (inspection_id, mark) == (case.inspection_id, 0)
    assert stored == len(callbacks) > 0  # each change committed moved it on once


def test_the_generation_moves_with_every_change_and_every_process_sees_it_once_committed(
    case, people, django_capture_on_commit_callbacks, monkeypatch
):
    """The generation of the cached pages (one number for all they show) moves on with a
    change to any inspection's figures and with pages_changed: marked at once in this process,
    stored for every other once the transaction commits."""
    monkeypatch.setattr(tallies_module, "_latest_mark", 0)  # no marks from earlier tests
    start, mark = page_generation()
    assert mark == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_complete(case, people)
    stored, mark = page_generation()
    assert (stored, mark > 0) == (start, True)  # marked here, not yet stored
    for callback in callbacks:
        callback()
    monkeypatch.setattr(tallies_module, "_latest_mark", 0)  # as another process sees it
    assert page_generation() == (start + len(callbacks), 0)
    with django_capture_on_commit_callbacks(execute=True):
        pages_changed()
    assert page_generation()[0] == start + len(callbacks) + 1
    # A change that is rolled back stores nothing (the mark alone is left: a page is drawn
    # again in this process, never served stale).
    with pytest.raises(RuntimeError), transaction.atomic():
        pages_changed()
        raise RuntimeError
    assert page_generation()[0] == start + len(callbacks) + 1


def test_a_version_that_cannot_be_stored_is_logged_and_the_change_stands(
    case, people, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """Moving the versions on runs after the commit: if it fails, the change is kept and the
    failure is logged by name, not lost."""

    def unavailable(ids):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(tallies_module, "_store_versions", unavailable)
    with django_capture_on_commit_callbacks(execute=True):
        submit_complete(case, people)
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED
    assert "figures_changed.<locals>.store" in caplog.text
    assert "the database went away" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_submissions_at_the_same_moment_lose_no_count(inspection, people):
    """Cases of one organisation and sample type share tally rows: submitted at once (on
    PostgreSQL, one thread and connection each), every answer is counted exactly once."""
    cases = [
        make_case(inspection, reference=f"S-{n}", inspector=people.inspector) for n in range(6)
    ]
    for case in cases:
        services.answers_record(
            case=case, answers=answer_inputs(case, random.Random(case.pk)), actor=people.inspector
        )
    if connection.vendor != "postgresql":
        # One writer at a time: the submissions run one after the other.
        for case in cases:
            services.case_submit(case=case, actor=people.inspector)
    else:
        errors: list[BaseException] = []
        start = threading.Barrier(len(cases))

        def submit(pk: int) -> None:
            try:
                case, actor = Case.objects.get(pk=pk), User.objects.get(username="inspector")
                start.wait(timeout=30)
                services.case_submit(case=case, actor=actor)
            except BaseException as error:  # reported by the main thread
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit, args=(c.pk,)) for c in cases]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
    assert Case.objects.counted().count() == len(cases)
    assert tallies_differences() == []
    question = Question.objects.get(framework=inspection.framework, code="2.1.1")
    row = AnswerTally.objects.get(question=question)
    assert row.yes + row.no + row.na == len(cases)


def test_answers_on_a_case_that_does_not_count_leave_the_version_alone(
    case, people, django_capture_on_commit_callbacks
):
    """Inspectors save as they go all day: those saves must not empty the dashboards' cache."""
    before = figures_versions([case.inspection_id])
    with django_capture_on_commit_callbacks(execute=True):
        services.answers_record(
            case=case,
            answers=answer_inputs(case, random.Random(2), share=0.5),
            actor=people.inspector,
        )
    assert figures_versions([case.inspection_id]) == before
    assert not AnswerTally.objects.exists()


def test_the_key_question_tallies_and_counted_cases_follow_the_cases(cases, people, inspection):
    court, out_of_court, other = cases
    second_court = make_case(inspection, reference="T-4", inspector=people.inspector)
    submit_complete(court, people, "yes")
    submit_complete(second_court, people, "no")
    submit_complete(out_of_court, people, "no")
    submit_complete(other, people, "na")
    key_questions = {q.pk for q in applicable_questions(court) if q.parent_id is None}
    prompts = {q.pk for q in applicable_questions(court) if q.parent_id is not None}
    assert key_questions and prompts
    first = court.organisation_id
    rows = {
        (row.organisation_id, row.question_id): (row.yes, row.no, row.na)
        for row in KeyQuestionTally.objects.filter(inspection=inspection)
    }
    # The first organisation's cases in one row per key question; no prompts.
    assert not {q for _o, q in rows} & prompts
    question = min(key_questions)
    assert rows[(first, question)] == (1, 1, 0)
    assert rows[(other.organisation_id, question)] == (0, 0, 1)
    assert dict(CountedCaseTally.objects.values_list("organisation_id", "cases").order_by()) == {
        first: 3,
        other.organisation_id: 1,
    }

    services.case_return(
        case=Case.objects.get(pk=second_court.pk),
        moderator=people.qa,
        reasons={applicable_questions(second_court)[0]: "Say more."},
    )
    assert (
        KeyQuestionTally.objects.get(
            inspection=inspection, organisation_id=first, question_id=question
        ).no
        == 0
    )
    assert CountedCaseTally.objects.get(organisation_id=first).cases == 2
    assert tallies_differences() == []


def test_the_check_covers_the_key_question_tallies_and_counted_cases(cases, people, capsys):
    for case in cases:
        submit_complete(case, people, "yes")
    KeyQuestionTally.objects.filter(
        pk=KeyQuestionTally.objects.order_by("pk").values("pk")[:1]
    ).update(no=F("no") + 2)
    CountedCaseTally.objects.filter(organisation_id=cases[2].organisation_id).update(cases=7)
    with pytest.raises(CommandError) as failed:
        call_command("tallies_check")
    assert "2 tally row(s) differ from the answers" in str(failed.value)
    listed = capsys.readouterr().err
    assert "key question (both samples)" in listed and "/2/0, counted" in listed
    assert "counted cases: stored 7, counted 1" in listed
    call_command("tallies_rebuild")
    assert tallies_differences() == []
    assert CountedCaseTally.objects.get(organisation_id=cases[2].organisation_id).cases == 1


def _referral_data(**changes) -> dict[str, str]:
    data = {
        "child": "",
        "referral_date_0": "10",
        "referral_date_1": "6",
        "referral_date_2": "2017",
        "method": "email",
        "response_date_0": "30",
        "response_date_1": "6",
        "response_date_2": "2017",
        "response_timely": "no",
        "response_satisfactory": "yes",
        "reason": "Found in the file later.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_referral_tallies_follow_referrals_and_the_cases_that_count(cases, people, inspection):
    from casefiles.forms import ReferralForm
    from casefiles.models import Referral, ReferralTally
    from casefiles.services import casefile_part_delete, casefile_part_save

    court, _out_of_court, other = cases
    # Written before the cases count: not in the tallies until they do.
    Referral.objects.create(case=court, method="phone", referral_date="2017-05-01")
    Referral.objects.create(case=other, method="phone", referral_date="2017-05-03")
    assert not ReferralTally.objects.exists()
    submit_complete(court, people)
    submit_complete(other, people)
    row = ReferralTally.objects.get(inspection=inspection, organisation_id=court.organisation_id)
    assert (row.referrals, row.no_response, str(row.no_response_earliest)) == (1, 1, "2017-05-01")

    # The lead adds a referral answered late and not followed up to the submitted case.
    court = Case.objects.get(pk=court.pk)
    form = ReferralForm(_referral_data(), instance=Referral(case=court), needs_reason=True)
    assert form.is_valid(), form.errors
    added = casefile_part_save(
        form=form, case=court, part="referrals", actor=people.lead, reason="Found later."
    )
    row.refresh_from_db()
    assert (row.referrals, row.not_followed_up, row.not_followed_up_longest) == (2, 1, 20)
    assert tallies_differences() == []

    casefile_part_delete(
        part=added,
        name="referrals",
        form=ReferralForm(instance=added),
        actor=people.lead,
        reason="Entered on the wrong case.",
    )
    row.refresh_from_db()
    assert (row.referrals, row.not_followed_up) == (1, 0)

    # Returned: it stops counting, and its referral leaves the tracker's counts.
    services.case_return(
        case=Case.objects.get(pk=court.pk),
        moderator=people.qa,
        reasons={applicable_questions(court)[0]: "Say more."},
    )
    row.refresh_from_db()
    assert row.referrals == 0
    assert tallies_differences() == []


def test_agreed_judgements_are_kept_as_cases_are_agreed_and_reopened(case, people):
    """The "X of Y counted judgements are agreed" figure is read from the summary tables;
    it equals the count from the answers through agreeing and reopening a case."""
    from reports.ratings.selectors import qa_agreed

    def summary():
        return qa_agreed([case.inspection_id])

    def live():
        return qa_agreed(case.inspection, organisation=case.organisation)

    submit_complete(case, people, value="no")
    judgements = Answer.objects.filter(
        case=case, question__parent__isnull=True, value__in=("yes", "no")
    ).count()
    assert judgements > 0
    assert (
        (summary().agreed, summary().counted) == (0, judgements) == (live().agreed, live().counted)
    )

    services.case_agree(case=Case.objects.get(pk=case.pk), moderator=people.qa)
    assert (summary().agreed, summary().counted) == (judgements, judgements)
    assert summary() == live()
    assert tallies_differences() == []

    services.case_reopen(case=Case.objects.get(pk=case.pk), lead=people.lead, reason="Again.")
    assert (summary().agreed, summary().counted) == (0, 0) == (live().agreed, live().counted)
    assert tallies_differences() == []

    # A rebuild counts the same from the answers.
    submit_complete(case, people)
    services.case_agree(case=Case.objects.get(pk=case.pk), moderator=people.qa)
    before = summary()
    CountedCaseTally.objects.update(agreed_judgements=0)
    assert tallies_differences() != []
    tallies_rebuild()
    assert summary() == before == live()
