"""Keeping the answer tallies (judgements.models.AnswerTally) in step with the answers.

A tally row counts the Yes, No and Not applicable answers to one question among the counted
cases (casefiles.models.counted_condition: Case.COUNTED_STATUSES, and not awaiting the
reconciliation of a second reading) of one inspection, organisation and sample type. Every change
that moves those counts calls one of the functions here inside its own transaction:

- an answer given or changed on a counted case (:func:`tallies_answers_changed`);
- a case starting or stopping to count: submitted, returned, reopened, selected for a second
  reading, reconciled (:func:`tallies_case_counted`);
- a counted case moved to another organisation or sample type
  (:func:`tallies_case_moved`, through casefiles.signals.case_details_changed);
- a bulk writer (the exchange importer, seed_benchmark) and the retention purge recount the
  inspections they wrote (:func:`tallies_rebuild`).

Each change is one upsert that adds to the stored counts in the database (``yes = yes + n``),
so two saves at once cannot lose each other's increments; rows that fall to nothing are
removed, so the table holds exactly the groups a live count would find.
:func:`tallies_differences` is that live count compared with the table (``manage.py
tallies_check``). Every change moves the cache generation on (:func:`tallies_generation`), and
again once the transaction commits, so cached dashboards built from older counts are not served.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q

from casefiles.models import Case, counted_condition
from inspection.rating_rules import NO, NOT_APPLICABLE, YES

from .models import Answer, AnswerTally

logger = logging.getLogger(__name__)
Key = tuple[int, int, str, int]  # inspection id, organisation id, sample type, question id
COLUMNS = ("inspection_id", "organisation_id", "sample_type", "question_id", "yes", "no", "na")
KEY = COLUMNS[:4]
COUNTS = COLUMNS[4:]
VALUE_INDEX = {YES: 0, NO: 1, NOT_APPLICABLE: 2}
GENERATION_KEY = "answer-tallies:generation"


# --------------------------------------------------------------------------- the generation


def tallies_generation() -> str:
    """A token that changes whenever any tally changes: part of every cached dashboard's key.

    Kept in the cache itself; if it has gone (a restart, an eviction) a fresh random one is
    started, which no earlier entry was stored under.
    """
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def tallies_generation_bump() -> None:
    """Something else the dashboards show changed (a lead inspector's rating)."""
    _bump_generation()


def _bump_generation() -> None:
    """Move the generation on now and again once the transaction commits: a page cached in
    between (from counts read before the commit) is then not served either."""
    _new_generation()
    transaction.on_commit(_new_generation, robust=True)


# --------------------------------------------------------------------------- changes


def _apply(deltas: dict[Key, list[int]]) -> None:
    """Add the deltas to the stored tallies, then drop rows left at zero (2-3 queries).

    Additions are one upsert (a new group is inserted). A delta that takes anything away
    applies to a row that must already be there, in one UPDATE ... FROM (VALUES ...):
    the upsert cannot carry it, because the row it proposes to insert (with a negative
    count) fails the table's checks before the conflict is seen. Both add to the stored
    counts in the database, so saves at once do not lose each other's changes.
    """
    rows = sorted((key, counts) for key, counts in deltas.items() if any(counts))
    if not rows:
        return
    adding = [(key, counts) for key, counts in rows if min(counts) >= 0]
    taking = [(key, counts) for key, counts in rows if min(counts) < 0]
    table = connection.ops.quote_name(AnswerTally._meta.db_table)
    with connection.cursor() as cursor:
        # Keys in sorted order: two transactions touching the same rows lock them in turn.
        if adding:
            added = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in COUNTS)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(COLUMNS)}) "  # noqa: S608 - names are ours
                f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s, %s)'] * len(adding))} "
                f"ON CONFLICT ({', '.join(COLUMNS[:4])}) DO UPDATE SET {added}",
                [value for key, counts in adding for value in (*key, *counts)],
            )
        if taking:
            cursor.execute(
                f"UPDATE {table} SET "  # noqa: S608 - names are ours
                + ", ".join(
                    f"{name} = {table}.{name} + d.column{n}"
                    for n, name in enumerate(COLUMNS, 1)
                    if name in COUNTS
                )
                + f" FROM (VALUES {', '.join(['(%s, %s, %s, %s, %s, %s, %s)'] * len(taking))})"
                + " AS d WHERE "
                + " AND ".join(f"{table}.{name} = d.column{n}" for n, name in enumerate(KEY, 1)),
                [value for key, counts in taking for value in (*key, *counts)],
            )
            if cursor.rowcount != len(taking):
                # A group to take answers from was not there: the table was already out of
                # step with the answers. Say so; tallies_check finds it, tallies_rebuild mends it.
                logger.error(
                    "Answer tallies out of step with the answers in inspection(s) %s: "
                    "run manage.py tallies_rebuild",
                    sorted({key[0] for key, _counts in taking}),
                )
    if taking:
        emptied = Q()
        for key, _counts in taking:
            emptied |= Q(**dict(zip(KEY, key, strict=True)))
        AnswerTally.objects.filter(emptied, yes=0, no=0, na=0).delete()
    _bump_generation()


def _case_deltas(case: Case, sign: int, deltas: dict[Key, list[int]] | None = None):
    """Every answer of the case, added (sign 1) or taken away (-1) under the case's key."""
    deltas = deltas if deltas is not None else defaultdict(lambda: [0, 0, 0])
    rows = (
        Answer.objects.filter(case=case)
        .values_list("question_id", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    for question_id, value, n in rows:
        key = (case.inspection_id, case.organisation_id, case.sample_type, question_id)
        deltas[key][VALUE_INDEX[value]] += sign * n
    return deltas


def tallies_case_counted(*, case: Case, counted: bool) -> None:
    """The case has started (counted=True) or stopped counting: add or take away all its
    answers (1 query to read them, 1 to write, 1 more when a row empties)."""
    _apply(_case_deltas(case, 1 if counted else -1))


def tallies_answers_changed(*, case: Case, changes: Iterable[tuple[int, str | None, str]]) -> None:
    """Answers of a case changed: (question id, old value or None, new value) each. Only a
    counted case's answers are in the tallies; for any other case this does nothing."""
    if not case.counts_towards_ratings:
        return
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    for question_id, old, new in changes:
        key = (case.inspection_id, case.organisation_id, case.sample_type, question_id)
        if old is not None:
            deltas[key][VALUE_INDEX[old]] -= 1
        deltas[key][VALUE_INDEX[new]] += 1
    _apply(deltas)


def tallies_case_moved(*, case: Case, organisation_id: int, sample_type: str) -> None:
    """A counted case's organisation or sample type changed (from the values given): its
    answers move from the old group to the new one."""
    if not case.counts_towards_ratings:
        return
    if (organisation_id, sample_type) == (case.organisation_id, case.sample_type):
        return
    old = Case(
        pk=case.pk,
        inspection_id=case.inspection_id,
        organisation_id=organisation_id,
        sample_type=sample_type,
    )
    _apply(_case_deltas(case, 1, _case_deltas(old, -1)))


# --------------------------------------------------------------------------- recounting


def live_tallies_queryset(inspection_ids: Iterable[int] | None = None):
    """The tallies counted from the answers themselves: rows of (*key, yes, no, na)."""
    condition = counted_condition("case__")
    if inspection_ids is not None:
        condition &= Q(case__inspection_id__in=list(inspection_ids))
    return (
        Answer.objects.filter(condition)
        .values_list(
            "case__inspection_id", "case__organisation_id", "case__sample_type", "question"
        )
        .annotate(
            yes=Count("value", filter=Q(value=YES)),
            no=Count("value", filter=Q(value=NO)),
            na=Count("value", filter=Q(value=NOT_APPLICABLE)),
        )
        .order_by()
    )


@transaction.atomic
def tallies_rebuild(*, inspection_ids: Iterable[int] | None = None) -> int:
    """Count the tallies of these inspections (or all) again from the answers, in one
    INSERT ... SELECT; returns how many tally rows they now have."""
    ids = None if inspection_ids is None else sorted(set(inspection_ids))
    stored = AnswerTally.objects.all()
    if ids is not None:
        stored = stored.filter(inspection_id__in=ids)
    stored.delete()
    select, params = live_tallies_queryset(ids).query.sql_with_params()
    table = connection.ops.quote_name(AnswerTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(COLUMNS)}) {select}", params)  # noqa: S608
        written = cursor.rowcount
    _bump_generation()
    return written


def tallies_forget(*, inspection_ids: Iterable[int]) -> None:
    """Remove the tallies of inspections whose case data has gone (the retention purge)."""
    AnswerTally.objects.filter(inspection_id__in=list(inspection_ids)).delete()
    _bump_generation()


def tallies_differences(
    *, inspection_ids: Iterable[int] | None = None
) -> list[tuple[Key, tuple[int, int, int], tuple[int, int, int]]]:
    """Where the table differs from a live count: (key, stored, live), sorted by key; a group
    missing on one side shows as (0, 0, 0) there."""
    ids = None if inspection_ids is None else list(inspection_ids)
    live = {tuple(row[:4]): tuple(row[4:]) for row in live_tallies_queryset(ids)}
    stored_rows = AnswerTally.objects.all()
    if ids is not None:
        stored_rows = stored_rows.filter(inspection_id__in=ids)
    stored = {tuple(row[:4]): tuple(row[4:]) for row in stored_rows.values_list(*COLUMNS)}
    zero = (0, 0, 0)
    return [
        (key, stored.get(key, zero), live.get(key, zero))
        for key in sorted(live.keys() | stored.keys())
        if stored.get(key, zero) != live.get(key, zero)
    ]
