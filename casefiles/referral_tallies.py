"""Keeping the referral tracker's counts (casefiles.models.ReferralTally) in step.

One row per inspection and organisation counts the referrals of its counted cases: how many,
how many still wait for a response, how many were answered late or unsatisfactorily and not
followed up, and what the tracker needs to work out how long they waited. Each change
recounts the rows it touches from that organisation's referrals in that inspection (a few
dozen rows), in the transaction of the change:

- a referral added, changed or removed (casefiles.services.casefile_part_save and
  casefile_part_delete);
- a case starting or stopping to count (judgements.tallies.tallies_case_counted, before the
  new status is saved: ``counted`` says which way);
- a counted case moved to another organisation (judgements.tallies.tallies_case_moved);
- the bulk writers and the purge, with the answer tallies (tallies_rebuild, tallies_forget).

A recount first locks its row (inserting it if new), then reads the referrals in a statement
of its own, so two changes in one organisation at once recount in turn and the second sees
the first's referrals once it has committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.db.models import Q

from .models import Case, Referral, ReferralTally, counted_condition

Pair = tuple[int, int]  # inspection id, organisation id
COUNTS = (
    "referrals",
    "no_response",
    "no_response_day_sum",
    "no_response_earliest",
    "not_followed_up",
    "not_followed_up_days",
    "not_followed_up_longest",
    "waiting",
)
EMPTY = (0, 0, 0, None, 0, 0, None, [])


def _counts(rows: Iterable[tuple]) -> tuple:
    """The counts of one pair from its referrals: (referral date, response date, timely,
    satisfactory, followed up, id) each."""
    referrals = no_response = day_sum = late = late_days = 0
    earliest: date | None = None
    longest: int | None = None
    waiting: list[list] = []
    for referred, responded, timely, satisfactory, followed_up, pk in rows:
        referrals += 1
        if responded is None:
            no_response += 1
            day_sum += referred.toordinal()
            earliest = referred if earliest is None else min(earliest, referred)
            waiting.append([None, referred.toordinal(), pk])
        elif (satisfactory is False or timely is False) and not followed_up:
            late += 1
            days = (responded - referred).days
            late_days += days
            longest = days if longest is None else max(longest, days)
            waiting.append([days, referred.toordinal(), pk])
    waiting.sort(key=lambda entry: (entry[1], entry[2]))
    return referrals, no_response, day_sum, earliest, late, late_days, longest, waiting


def _referral_rows(condition: Q):
    return Referral.objects.filter(condition).values_list(
        "case__inspection_id",
        "case__organisation_id",
        "referral_date",
        "response_date",
        "response_timely",
        "response_satisfactory",
        "followed_up",
        "id",
    )


def referral_tallies_live(inspection_ids: Iterable[int] | None = None) -> dict[Pair, tuple]:
    """The counts taken from the referrals themselves, per pair with any referral."""
    condition = counted_condition("case__")
    if inspection_ids is not None:
        condition &= Q(case__inspection_id__in=list(inspection_ids))
    grouped: dict[Pair, list[tuple]] = {}
    for inspection_id, organisation_id, *rest in _referral_rows(condition).order_by():
        grouped.setdefault((inspection_id, organisation_id), []).append(tuple(rest))
    return {pair: _counts(rows) for pair, rows in grouped.items()}


def referral_tallies_stored(inspection_ids: Iterable[int] | None = None) -> dict[Pair, tuple]:
    """The stored counts, per pair with any referral (rows left at nothing are left out)."""
    rows = ReferralTally.objects.filter(referrals__gt=0)
    if inspection_ids is not None:
        rows = rows.filter(inspection_id__in=list(inspection_ids))
    return {
        (row[0], row[1]): tuple(row[2:])
        for row in rows.values_list("inspection_id", "organisation_id", *COUNTS)
    }


def referral_tallies_waiting(pairs: Iterable[Pair]) -> dict[Pair, list[list]]:
    """The waiting referrals ([days or None, referral day number, id]) of these pairs
    (1 query)."""
    condition = Q(pk__in=[])
    for inspection_id, organisation_id in pairs:
        condition |= Q(inspection_id=inspection_id, organisation_id=organisation_id)
    return {
        (i, o): waiting
        for i, o, waiting in ReferralTally.objects.filter(condition).values_list(
            "inspection_id", "organisation_id", "waiting"
        )
    }


def referral_tallies_refresh(pairs: Iterable[Pair], *, counted: dict[int, bool] | None = None):
    """Recount these pairs (inspection id, organisation id) from their referrals, in the
    caller's transaction. ``counted`` overrides whether the cases named count (a status
    change not saved yet). 3 queries per pair."""
    counted = counted or {}
    table = connection.ops.quote_name(ReferralTally._meta.db_table)
    for inspection_id, organisation_id in sorted(set(pairs)):
        with connection.cursor() as cursor:
            # Lock the pair's row (made if new) before reading its referrals.
            cursor.execute(
                f"INSERT INTO {table} (inspection_id, organisation_id, {', '.join(COUNTS)}) "  # noqa: S608
                "VALUES (%s, %s, 0, 0, 0, NULL, 0, 0, NULL, '[]') "
                "ON CONFLICT (inspection_id, organisation_id) DO UPDATE "
                f"SET referrals = {table}.referrals",
                [inspection_id, organisation_id],
            )
        condition = counted_condition("case__")
        for case_id, counts in counted.items():
            condition &= ~Q(case_id=case_id)
            if counts:
                condition |= Q(case_id=case_id)
        rows = _referral_rows(
            condition & Q(case__inspection_id=inspection_id, case__organisation_id=organisation_id)
        )
        ReferralTally.objects.filter(
            inspection_id=inspection_id, organisation_id=organisation_id
        ).update(**dict(zip(COUNTS, _counts(tuple(r[2:]) for r in rows), strict=True)))


def referral_tallies_case_counted(*, case: Case, counted: bool) -> None:
    """The case starts (or stops) counting: its referrals join (or leave) its pair's counts."""
    if case.referrals.exists():
        referral_tallies_refresh(
            [(case.inspection_id, case.organisation_id)], counted={case.pk: counted}
        )


def referral_tallies_rebuild(inspection_ids: Iterable[int] | None = None) -> None:
    """Count these inspections' (or every) referral tallies again."""
    ids = None if inspection_ids is None else list(inspection_ids)
    stored = ReferralTally.objects.all()
    if ids is not None:
        stored = stored.filter(inspection_id__in=ids)
    stored.delete()
    ReferralTally.objects.bulk_create(
        ReferralTally(
            inspection_id=inspection_id,
            organisation_id=organisation_id,
            **dict(zip(COUNTS, counts, strict=True)),
        )
        for (inspection_id, organisation_id), counts in sorted(referral_tallies_live(ids).items())
    )


def referral_tallies_forget(inspection_ids: Iterable[int]) -> None:
    ReferralTally.objects.filter(inspection_id__in=list(inspection_ids)).delete()
