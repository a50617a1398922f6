"""Saves to one answer at the same moment: none is lost or silently overwritten.

On PostgreSQL, threads (each with its own database connection) save the same answer of one
case at once through judgements.services.answers_record, each with the version it read; a
refused save reads again and retries, as a person would after the conflict page. The case's
row lock makes the version check and the write happen together, so:

* every save either succeeded, with its own version (no two successes share one), or was
  refused with StaleEdit;
* the final version is 1 + the number of successful changes, and the final value is the last
  success's;
* every success has its AuditEvent, in version order, so the history holds every value saved.

SQLite has one writer at a time and no row locks, so there the same rule is shown with the
two saves interleaved by hand: both read, the first writes, the second (a stale copy) is
refused, and succeeds once it reads again.
"""

import threading
from dataclasses import dataclass

import pytest
from django.db import connection

from casefiles.models import Case
from inspection.models import Question, User
from judgements.models import Answer, AuditEvent
from judgements.services import AnswerInput, StaleEdit, answers_record

THREADS = 8
TRIES = 3  # each thread's attempts: the first all at once, then after reading again


@dataclass
class Outcome:
    thread: int
    attempt: int
    note: str
    version: int | None  # the version saved; None when refused


@pytest.fixture
def setting(case, people):
    """A case with one key question already answered (version 1) by its inspector."""
    question = Question.objects.filter(
        framework=case.inspection.framework,
        standard__judged_by="cases",
        parent__isnull=True,
    ).order_by("position")[0]
    answers_record(
        case=case,
        answers=[AnswerInput(question=question, value="yes", note="First reading.")],
        actor=people.inspector,
    )
    return case, question


def save(case_pk, question_pk, username, note, seen_version) -> int:
    """One save as the autosave view makes it, with fresh objects on this thread's connection."""
    case = Case.objects.get(pk=case_pk)
    question = Question.objects.get(pk=question_pk)
    actor = User.objects.get(username=username)
    value = "no" if "no" in note else "yes"
    saved = answers_record(
        case=case,
        answers=[AnswerInput(question=question, value=value, note=note, seen_version=seen_version)],
        actor=actor,
    )
    return saved[0].version


def read_version(case_pk, question_pk) -> int:
    return Answer.objects.get(case_id=case_pk, question_id=question_pk).version


def check_no_save_was_lost(case, question, outcomes: list[Outcome]) -> None:
    successes = sorted((o for o in outcomes if o.version is not None), key=lambda o: o.version)
    assert successes, "at least the first save to take the lock succeeds"
    # Each success made exactly one new version: none overwrote another at the same version.
    assert [o.version for o in successes] == list(range(2, 2 + len(successes)))
    answer = Answer.objects.get(case=case, question=question)
    assert answer.version == 1 + len(successes)
    assert answer.note == successes[-1].note
    # Every value saved is in the history, in the order it was saved.
    history = list(
        AuditEvent.objects.filter(
            case=case, subject=question.code, action=AuditEvent.Action.NOTE_CHANGED
        ).order_by("at", "pk")
    )
    assert [e.new_value for e in history] == [o.note for o in successes]
    assert history[0].old_value == "First reading."
    for before, after in zip(history, history[1:], strict=False):
        assert after.old_value == before.new_value  # each change starts from the one before
    # Refused saves left nothing behind.
    refused = {o.note for o in outcomes if o.version is None} - {o.note for o in successes}
    notes_in_history = {e.new_value for e in history} | {e.old_value for e in history}
    assert not refused & notes_in_history


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_are_each_kept_or_refused(setting, people):
    case, question = setting
    if connection.vendor != "postgresql":
        interleaved_saves_on_one_connection(case, question, people)
        return

    outcomes: list[Outcome] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def person(thread: int) -> None:
        username = "lead" if thread % 2 else "inspector"  # both may score this case
        try:
            seen = read_version(case.pk, question.pk)
            start.wait(timeout=30)  # everyone has read version 1 before anyone saves
            for attempt in range(TRIES):
                note = f"Thread {thread} attempt {attempt}" + (" no" if thread % 3 == 0 else "")
                try:
                    version = save(case.pk, question.pk, username, note, seen)
                except StaleEdit:
                    with lock:
                        outcomes.append(Outcome(thread, attempt, note, None))
                    seen = read_version(case.pk, question.pk)
                    continue
                with lock:
                    outcomes.append(Outcome(thread, attempt, note, version))
                break
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=person, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    first_round = [o for o in outcomes if o.attempt == 0]
    assert len(first_round) == THREADS
    # All read version 1 at once: exactly one of them can have saved on that copy.
    assert sum(o.version is not None for o in first_round) == 1
    assert sum(o.version is None for o in outcomes) >= THREADS - 1
    check_no_save_was_lost(case, question, outcomes)


def interleaved_saves_on_one_connection(case, question, people) -> None:
    """SQLite: two people read the same version, then save one after the other."""
    seen_by_inspector = read_version(case.pk, question.pk)
    seen_by_lead = read_version(case.pk, question.pk)
    assert seen_by_inspector == seen_by_lead == 1
    outcomes = [
        Outcome(
            0,
            0,
            "Inspector's change",
            save(case.pk, question.pk, "inspector", "Inspector's change", seen_by_inspector),
        ),
    ]
    with pytest.raises(StaleEdit) as refused:
        save(case.pk, question.pk, "lead", "Lead's change on a stale copy no", seen_by_lead)
    assert refused.value.conflicts[0].theirs_note == "Inspector's change"
    outcomes.append(Outcome(1, 0, "Lead's change on a stale copy no", None))
    seen_by_lead = read_version(case.pk, question.pk)
    outcomes.append(
        Outcome(
            1,
            1,
            "Lead's change after reading again",
            save(case.pk, question.pk, "lead", "Lead's change after reading again", seen_by_lead),
        )
    )
    assert [o.version for o in outcomes] == [2, None, 3]
    check_no_save_was_lost(case, question, outcomes)
