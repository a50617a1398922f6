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
tallies_check``). Every change moves the changed inspections' figure versions on
(:func:`figures_changed`), so cached dashboards built from older counts are not served.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from casefiles.models import Case, counted_condition
from casefiles.referral_tallies import EMPTY as REFERRAL_EMPTY
from casefiles.referral_tallies import (
    referral_tallies_case_counted,
    referral_tallies_forget,
    referral_tallies_live,
    referral_tallies_rebuild,
    referral_tallies_refresh,
    referral_tallies_stored,
)
from inspection.models import Inspection, Question
from inspection.rating_rules import NO, NOT_APPLICABLE, YES

from .models import (
    Answer,
    AnswerTally,
    CountedCaseTally,
    FiguresVersion,
    KeyQuestionTally,
    PageGeneration,
)

logger = logging.getLogger(__name__)
Key = tuple[int, int, str, int]  # inspection id, organisation id, sample type, question id
#: How the summaries at a coarser grain show in tallies_differences' keys: the key question
#: tallies (all sample types) under sample type "*", the counted cases with no question.
ALL_SAMPLES = "*"
REFERRALS = "referrals"  # the referral tracker's counts (casefiles.referral_tallies)
COLUMNS = ("inspection_id", "organisation_id", "sample_type", "question_id", "yes", "no", "na")
KEY = COLUMNS[:4]
COUNTS = COLUMNS[4:]
KEY_QUESTION_COLUMNS = ("inspection_id", "organisation_id", "question_id", *COUNTS)
KEY_QUESTION_KEY = KEY_QUESTION_COLUMNS[:3]
PAIR_KEY = ("inspection_id", "organisation_id")
VALUE_INDEX = {YES: 0, NO: 1, NOT_APPLICABLE: 2}


# --------------------------------------------------------------------------- versions

# The changes this process has made to each inspection's figures, marked at once (before
# the transaction commits): a page this process caches in between is then not served again.
_changed_here: dict[int, int] = {}
_marks = itertools.count(1)
# The latest of those marks, or of a change to anything else a cached page shows.
_latest_mark = 0


def _mark() -> int:
    global _latest_mark
    _latest_mark = next(_marks)
    return _latest_mark


def figures_versions(inspection_ids: Iterable[int]) -> tuple[tuple[int, int, int], ...]:
    """(inspection id, stored version, this process's mark) per inspection, by id: part of
    the key of every cached dashboard built from these inspections' figures (1 query)."""
    ids = sorted(set(inspection_ids))
    if not ids:
        return ()
    stored = dict(
        FiguresVersion.objects.filter(inspection_id__in=ids).values_list("inspection_id", "version")
    )
    return with_marks((pk, stored.get(pk, 0)) for pk in ids)


def stored_figures_version(inspection_field: str = "inspection_id"):
    """An expression for the stored figures version (0 if none) of the inspection that the
    outer query's ``inspection_field`` names: so a query that finds which inspections a page
    shows reads their versions in the same statement (with_marks adds this process's)."""
    version = FiguresVersion.objects.filter(inspection_id=OuterRef(inspection_field))
    return Coalesce(Subquery(version.values("version")[:1]), 0)


def with_marks(stored: Iterable[tuple[int, int]]) -> tuple[tuple[int, int, int], ...]:
    """(inspection id, stored version, this process's mark) per inspection, by id, from
    (inspection id, stored version) pairs: read by figures_versions in a query of its own,
    or beside the inspections with stored_figures_version."""
    versions = dict(stored)
    return tuple((pk, versions[pk], _changed_here.get(pk, 0)) for pk in sorted(versions))


def figures_version_total(inspections) -> tuple[int, int]:
    """One version for a whole set of inspections (a queryset of their ids): the sum of their
    stored versions, which grows with any change to any of them, and this process's latest
    mark (1 query)."""
    total = FiguresVersion.objects.filter(inspection__in=inspections).aggregate(
        total=Sum("version")
    )["total"]
    return total or 0, max(_changed_here.values(), default=0)


def page_generation() -> tuple[int, int]:
    """One version for everything a cached page shows (judgements.models.PageGeneration): the
    stored number, moved on by every change to any inspection's figures and by
    :func:`pages_changed`, and this process's latest mark (1 query, by primary key)."""
    stored = PageGeneration.objects.filter(pk=PageGeneration.ROW).values_list("number", flat=True)
    return next(iter(stored), 0), _latest_mark


def pages_changed() -> None:
    """Something a cached page shows changed that is not an inspection's figures (see
    reports.dashboards.signals): mark it in this process now, and move the generation on
    once the transaction commits."""
    _mark()
    transaction.on_commit(_store_generation, robust=True)


def figures_changed(inspection_ids: Iterable[int] | None) -> None:
    """The figures of these inspections (None: of every inspection) changed: mark them in
    this process now, and move their stored versions on once the transaction commits, by a
    statement of its own, so that no save holds a version row while its transaction runs and
    every server sees the change."""
    if inspection_ids is None:
        inspection_ids = Inspection.objects.values_list("pk", flat=True)
    ids = sorted(set(inspection_ids))
    if not ids:
        return
    mark = _mark()
    for pk in ids:
        _changed_here[pk] = mark

    # A function of its own, not a partial: Django names a robust callback that fails by its
    # __qualname__, which a partial lacks (the error would be lost in an AttributeError).
    def store() -> None:
        _store_versions(ids)

    transaction.on_commit(store, robust=True)


def _store_versions(ids: Sequence[int]) -> None:
    table = _quoted(FiguresVersion)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (inspection_id, version) "  # noqa: S608 - names are ours
            f"VALUES {_values(2, len(ids))} "
            f"ON CONFLICT (inspection_id) DO UPDATE SET version = {table}.version + 1",
            [value for pk in ids for value in (pk, 1)],
        )
    _store_generation()


def _store_generation() -> None:
    table = _quoted(PageGeneration)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, number) VALUES (%s, 1) "  # noqa: S608 - names are ours
            f"ON CONFLICT (id) DO UPDATE SET number = {table}.number + 1",
            [PageGeneration.ROW],
        )


# --------------------------------------------------------------------------- changes


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _values(width: int, count: int) -> str:
    return ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * count)


def _take(cursor, table: str, key: Sequence[str], counts: Sequence[str], rows) -> int:
    """Add negative deltas to rows that must be there (UPDATE ... FROM (VALUES ...)): an
    upsert cannot carry them, because the row it proposes to insert (with a negative count)
    fails the table's checks before the conflict is seen. Returns how many rows it changed."""
    columns = (*key, *counts)
    cursor.execute(
        f"UPDATE {table} SET "  # noqa: S608 - names are ours
        + ", ".join(
            f"{name} = {table}.{name} + d.column{n}"
            for n, name in enumerate(columns, 1)
            if name in counts
        )
        + f" FROM (VALUES {_values(len(columns), len(rows))}) AS d WHERE "
        + " AND ".join(f"{table}.{name} = d.column{n}" for n, name in enumerate(key, 1)),
        [value for row_key, row_counts in rows for value in (*row_key, *row_counts)],
    )
    return cursor.rowcount


def _drop_emptied(model, key: Sequence[str], counts: Sequence[str], keys) -> None:
    emptied = Q()
    for row_key in keys:
        emptied |= Q(**dict(zip(key, row_key, strict=True)))
    model.objects.filter(emptied, **dict.fromkeys(counts, 0)).delete()


def _apply(deltas: dict[Key, list[int]]) -> None:
    """Add the deltas to the stored tallies, and the same summed over sample types to the
    key question tallies; then drop rows left at zero (2 queries per table, 1 more each when
    anything is taken away).

    Additions are one upsert (a new group is inserted); a delta that takes anything away
    applies to a row that must already be there (:func:`_take`). Both add to the stored
    counts in the database, so saves at once do not lose each other's changes.
    """
    rows = sorted((key, counts) for key, counts in deltas.items() if any(counts))
    if not rows:
        return
    by_pair_question: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (inspection_id, organisation_id, _sample, question_id), counts in rows:
        summed = by_pair_question[(inspection_id, organisation_id, question_id)]
        for index, n in enumerate(counts):
            summed[index] += n
    key_rows = sorted((key, counts) for key, counts in by_pair_question.items() if any(counts))

    adding = [(key, counts) for key, counts in rows if min(counts) >= 0]
    taking = [(key, counts) for key, counts in rows if min(counts) < 0]
    key_adding = [(key, counts) for key, counts in key_rows if min(counts) >= 0]
    key_taking = [(key, counts) for key, counts in key_rows if min(counts) < 0]
    table = _quoted(AnswerTally)
    key_table = _quoted(KeyQuestionTally)
    questions = _quoted(Question)
    with connection.cursor() as cursor:
        # Keys in sorted order: two transactions touching the same rows lock them in turn.
        if adding:
            added = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in COUNTS)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(COLUMNS)}) "  # noqa: S608 - names are ours
                f"VALUES {_values(7, len(adding))} "
                f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {added}",
                [value for key, counts in adding for value in (*key, *counts)],
            )
        if key_adding:
            # Only key questions (no parent): the join leaves the prompts out.
            added = ", ".join(f"{name} = {key_table}.{name} + EXCLUDED.{name}" for name in COUNTS)
            cursor.execute(
                f"INSERT INTO {key_table} ({', '.join(KEY_QUESTION_COLUMNS)}) "  # noqa: S608
                "SELECT d.column1, d.column2, d.column3, d.column4, d.column5, d.column6 "
                f"FROM (VALUES {_values(6, len(key_adding))}) AS d "
                f"JOIN {questions} q ON q.id = d.column3 WHERE q.parent_id IS NULL "
                "ORDER BY d.column1, d.column2, d.column3 "
                f"ON CONFLICT ({', '.join(KEY_QUESTION_KEY)}) DO UPDATE SET {added}",
                [value for key, counts in key_adding for value in (*key, *counts)],
            )
        if taking and _take(cursor, table, KEY, COUNTS, taking) != len(taking):
            # A group to take answers from was not there: the table was already out of
            # step with the answers. Say so; tallies_check finds it, tallies_rebuild mends it.
            logger.error(
                "Answer tallies out of step with the answers in inspection(s) %s: "
                "run manage.py tallies_rebuild",
                sorted({key[0] for key, _counts in taking}),
            )
        if key_taking:
            # Prompts have no row here and match nothing.
            _take(cursor, key_table, KEY_QUESTION_KEY, COUNTS, key_taking)
    if taking:
        _drop_emptied(AnswerTally, KEY, COUNTS, [key for key, _counts in taking])
    if key_taking:
        _drop_emptied(
            KeyQuestionTally, KEY_QUESTION_KEY, COUNTS, [key for key, _counts in key_taking]
        )
    figures_changed({key[0] for key, _counts in rows})


CASE_COUNTS = ("cases", "agreed_judgements")


def _apply_cases(deltas: dict[tuple[int, int], tuple[int, int]]) -> None:
    """Add to the counted cases and their agreed judgements per inspection and organisation
    (1-3 queries)."""
    rows = sorted((key, tuple(counts)) for key, counts in deltas.items() if any(counts))
    if not rows:
        return
    adding = [(key, counts) for key, counts in rows if min(counts) >= 0]
    taking = [(key, counts) for key, counts in rows if min(counts) < 0]
    table = _quoted(CountedCaseTally)
    with connection.cursor() as cursor:
        if adding:
            added = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in CASE_COUNTS)
            cursor.execute(
                f"INSERT INTO {table} (inspection_id, organisation_id, {', '.join(CASE_COUNTS)}) "  # noqa: S608
                f"VALUES {_values(4, len(adding))} "
                f"ON CONFLICT (inspection_id, organisation_id) DO UPDATE SET {added}",
                [value for key, counts in adding for value in (*key, *counts)],
            )
        if taking and _take(cursor, table, PAIR_KEY, CASE_COUNTS, taking) != len(taking):
            logger.error(
                "Counted case tallies out of step in inspection(s) %s: run manage.py "
                "tallies_rebuild",
                sorted({key[0] for key, _counts in taking}),
            )
    if taking:
        _drop_emptied(CountedCaseTally, PAIR_KEY, CASE_COUNTS, [key for key, _counts in taking])
    figures_changed({key[0] for key, _counts in rows})


def _agreed_judgements(case: Case) -> int:
    """The case's judgements as the agreed count holds them: its Yes and No to key questions
    (1 query)."""
    return Answer.objects.filter(
        case=case, question__parent__isnull=True, value__in=(YES, NO)
    ).count()


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


def tallies_case_counted(*, case: Case, counted: bool, agreed: bool = False) -> None:
    """The case has started (counted=True) or stopped counting: add or take away all its
    answers (1 query to read them, 1 to write, 1 more when a row empties). ``agreed``: the
    case is agreed while it counts (so its judgements join or leave the agreed count too)."""
    sign = 1 if counted else -1
    _apply(_case_deltas(case, sign))
    judgements = _agreed_judgements(case) if agreed else 0
    _apply_cases({(case.inspection_id, case.organisation_id): (sign, sign * judgements)})
    referral_tallies_case_counted(case=case, counted=counted)


def tallies_case_agreed(*, case: Case, agreed: bool) -> None:
    """A counted case was agreed in quality assurance (agreed=True) or is no longer agreed
    while it still counts: its judgements join or leave the agreed count (2 queries)."""
    judgements = _agreed_judgements(case)
    _apply_cases(
        {(case.inspection_id, case.organisation_id): (0, judgements if agreed else -judgements)}
    )


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
    if organisation_id != case.organisation_id:
        judgements = _agreed_judgements(case) if case.status == Case.Status.AGREED else 0
        _apply_cases(
            {
                (case.inspection_id, organisation_id): (-1, -judgements),
                (case.inspection_id, case.organisation_id): (1, judgements),
            }
        )
        referral_tallies_refresh(
            [(case.inspection_id, organisation_id), (case.inspection_id, case.organisation_id)]
        )


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


def live_key_question_tallies_queryset(inspection_ids: Iterable[int] | None = None):
    """The key question tallies (both sample types, no prompts) counted from the answers:
    rows of (inspection id, organisation id, question id, yes, no, na)."""
    condition = counted_condition("case__") & Q(question__parent__isnull=True)
    if inspection_ids is not None:
        condition &= Q(case__inspection_id__in=list(inspection_ids))
    return (
        Answer.objects.filter(condition)
        .values_list("case__inspection_id", "case__organisation_id", "question")
        .annotate(
            yes=Count("value", filter=Q(value=YES)),
            no=Count("value", filter=Q(value=NO)),
            na=Count("value", filter=Q(value=NOT_APPLICABLE)),
        )
        .order_by()
    )


def live_counted_cases_queryset(inspection_ids: Iterable[int] | None = None):
    """The counted cases per inspection and organisation, and their judgements (Yes or No to
    a key question) in agreed cases, counted from the cases and their answers."""
    cases = Case.objects.filter(counted_condition())
    if inspection_ids is not None:
        cases = cases.filter(inspection_id__in=list(inspection_ids))
    return (
        cases.values_list("inspection_id", "organisation_id")
        .annotate(
            cases=Count("id", distinct=True),
            agreed_judgements=Count(
                "answers",
                filter=Q(
                    status=Case.Status.AGREED,
                    answers__value__in=(YES, NO),
                    answers__question__parent__isnull=True,
                ),
            ),
        )
        .order_by()
    )


#: Each summary: its model, its columns (key then counts), how many counts, its live count.
SUMMARIES = (
    (AnswerTally, COLUMNS, 3, live_tallies_queryset),
    (KeyQuestionTally, KEY_QUESTION_COLUMNS, 3, live_key_question_tallies_queryset),
    (CountedCaseTally, (*PAIR_KEY, *CASE_COUNTS), 2, live_counted_cases_queryset),
)


@transaction.atomic
def tallies_rebuild(*, inspection_ids: Iterable[int] | None = None) -> int:
    """Count the tallies of these inspections (or all) again from the answers and the cases,
    one INSERT ... SELECT per summary table; returns how many answer tally rows they now
    have."""
    ids = None if inspection_ids is None else sorted(set(inspection_ids))
    written = {}
    with connection.cursor() as cursor:
        for model, columns, _counts, live in SUMMARIES:
            stored = model.objects.all()
            if ids is not None:
                stored = stored.filter(inspection_id__in=ids)
            stored.delete()
            select, params = live(ids).query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {_quoted(model)} ({', '.join(columns)}) {select}",  # noqa: S608
                params,
            )
            written[model] = cursor.rowcount
    referral_tallies_rebuild(ids)
    figures_changed(ids)
    return written[AnswerTally]


def tallies_forget(*, inspection_ids: Iterable[int]) -> None:
    """Remove the tallies of inspections whose case data has gone (the retention purge)."""
    ids = list(inspection_ids)
    for model, *_rest in SUMMARIES:
        model.objects.filter(inspection_id__in=ids).delete()
    referral_tallies_forget(ids)
    figures_changed(ids)


def _summary_key(model, row: tuple) -> tuple[tuple, tuple]:
    """A row of any summary as (key in the shape of an answer tally key, counts)."""
    if model is AnswerTally:
        return tuple(row[:4]), tuple(row[4:])
    if model is KeyQuestionTally:
        return (row[0], row[1], ALL_SAMPLES, row[2]), tuple(row[3:])
    return (row[0], row[1], ALL_SAMPLES, None), tuple(row[2:])


def tallies_differences(
    *, inspection_ids: Iterable[int] | None = None
) -> list[tuple[tuple, tuple[int, ...], tuple[int, ...]]]:
    """Where the summary tables differ from a live count: (key, stored, live), sorted by key;
    a group missing on one side shows as zeros there.

    Answer tallies have keys (inspection, organisation, sample type, question) and counts
    (yes, no, na); key question tallies the sample type ALL_SAMPLES; counted cases the
    sample type ALL_SAMPLES, no question, and one count (cases).
    """
    ids = None if inspection_ids is None else list(inspection_ids)
    differences = []
    for model, columns, counts, live_queryset in SUMMARIES:
        live = dict(_summary_key(model, tuple(row)) for row in live_queryset(ids))
        stored_rows = model.objects.all()
        if ids is not None:
            stored_rows = stored_rows.filter(inspection_id__in=ids)
        stored = dict(_summary_key(model, row) for row in stored_rows.values_list(*columns))
        zero = (0,) * counts
        differences.extend(
            (key, stored.get(key, zero), live.get(key, zero))
            for key in live.keys() | stored.keys()
            if stored.get(key, zero) != live.get(key, zero)
        )
    live = referral_tallies_live(ids)
    stored = referral_tallies_stored(ids)
    zero = REFERRAL_EMPTY
    differences.extend(
        ((*pair, REFERRALS, None), stored.get(pair, zero), live.get(pair, zero))
        for pair in live.keys() | stored.keys()
        if stored.get(pair, zero) != live.get(pair, zero)
    )
    return sorted(differences, key=lambda d: (d[0][:3], d[0][3] or 0))
