"""The referral tracker: referrals to children's social care in scored cases still waiting for
a response, or not followed up after a late or unsatisfactory one, by organisation and area,
and the list behind it, longest wait first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse

from casefiles.models import Referral, ReferralTally, counted_condition
from casefiles.referral_tallies import referral_tallies_waiting
from reports.dashboards.filters import Filters


def _referral_conditions():
    no_response = Q(response_date__isnull=True)
    not_followed_up = (
        Q(response_date__isnull=False)
        & (Q(response_satisfactory=False) | Q(response_timely=False))
        & Q(followed_up=False)
    )
    return no_response, not_followed_up


def _waited():
    """Days from the referral to its response, or to fieldwork when there was none."""
    return ExpressionWrapper(
        Coalesce(F("response_date"), F("case__inspection__fieldwork_start")) - F("referral_date"),
        output_field=DurationField(),
    )


def referrals_scored(filters: Filters) -> QuerySet:
    """Referrals in scored cases under the filters."""
    return Referral.objects.filter(
        counted_condition("case__") & filters.q("case__inspection__", "case__organisation__")
    )


@dataclass(frozen=True)
class TrackerRow:
    name: str
    slug: str
    area_name: str
    area_slug: str
    region: str
    referrals: int
    no_response: int
    not_followed_up: int
    waited_total: timedelta | None
    longest: timedelta | None
    list_url: str = ""

    @property
    def outstanding(self) -> int:
        return self.no_response + self.not_followed_up

    @property
    def average_days(self) -> float | None:
        if not self.outstanding or self.waited_total is None:
            return None
        return round(self.waited_total.total_seconds() / 86400 / self.outstanding, 1)

    @property
    def longest_days(self) -> int | None:
        return None if self.longest is None else self.longest.days


@dataclass(frozen=True)
class PairWait:
    """One organisation in one inspection: how many referrals wait there, and the longest."""

    inspection_id: int
    organisation_id: int
    organisation_slug: str
    area_slug: str
    outstanding: int
    longest_days: int
    fieldwork_day: int  # the inspection's fieldwork start, as a day number


def referral_tracker(
    filters: Filters, pairs: list[PairWait] | None = None
) -> tuple[list[TrackerRow], list[TrackerRow], TrackerRow]:
    """Referrals still waiting for a response, or not followed up after a late or
    unsatisfactory one, by organisation and by area, and the total (1 query).

    Read from the referral tallies (casefiles.models.ReferralTally: one row per inspection
    and organisation, kept with every change), not from the referrals: a referral with no
    response waited until fieldwork started, which each row's day numbers give. ``pairs``,
    if given, receives each organisation and inspection with referrals waiting (for
    :func:`waiting_scope`).
    """
    rows = (
        ReferralTally.objects.filter(filters.q("inspection__", "organisation__"), referrals__gt=0)
        .values_list(
            "inspection_id",
            "organisation_id",
            "organisation__name",
            "organisation__slug",
            "organisation__area__name",
            "organisation__area__slug",
            "organisation__area__region",
            "inspection__fieldwork_start",
            "referrals",
            "no_response",
            "no_response_day_sum",
            "no_response_earliest",
            "not_followed_up",
            "not_followed_up_days",
            "not_followed_up_longest",
        )
        .order_by()
    )
    base = reverse("reports:dashboard_referrals")
    query = filters.query()
    by_slug: dict[str, TrackerRow] = {}
    for row in rows:
        inspection_id, organisation_id = row[:2]
        (name, slug, area_name, area_slug, region, fieldwork, referrals, no_response) = row[2:10]
        day_sum, earliest, late, late_days, late_longest = row[10:]
        waits = []
        if no_response:
            waits.append(fieldwork.toordinal() - earliest.toordinal())
        if late:
            waits.append(late_longest)
        outstanding = no_response + late
        pair = TrackerRow(
            name,
            slug,
            area_name,
            area_slug,
            region,
            referrals,
            no_response,
            late,
            timedelta(days=no_response * fieldwork.toordinal() - day_sum + late_days)
            if outstanding
            else None,
            timedelta(days=max(waits)) if waits else None,
        )
        by_slug[slug] = _add(by_slug.get(slug), pair, name, slug)
        if pairs is not None and pair.outstanding:
            pairs.append(
                PairWait(
                    inspection_id,
                    organisation_id,
                    slug,
                    area_slug,
                    pair.outstanding,
                    max(waits),
                    fieldwork.toordinal(),
                )
            )
    organisations = [
        replace(row, list_url=f"{base}?{urlencode({**query, 'organisation': row.slug})}#waiting")
        for row in by_slug.values()
    ]
    organisations.sort(key=lambda r: (-r.outstanding, r.name))
    areas: dict[str, TrackerRow] = {}
    for row in organisations:
        areas[row.area_slug] = replace(
            _add(areas.get(row.area_slug), row, row.area_name, row.area_slug),
            list_url=f"{base}?{urlencode({**query, 'area': row.area_slug})}#waiting",
        )
    total = None
    for row in organisations:
        total = _add(total, row, "All organisations", "")
    empty = TrackerRow("All organisations", "", "", "", "", 0, 0, 0, None, None)
    return (
        organisations,
        sorted(areas.values(), key=lambda r: (-r.outstanding, r.name)),
        total or empty,
    )


def _add(into: TrackerRow | None, row: TrackerRow, name: str, slug: str) -> TrackerRow:
    if into is None:
        return TrackerRow(
            name,
            slug,
            row.area_name,
            row.area_slug,
            row.region,
            row.referrals,
            row.no_response,
            row.not_followed_up,
            row.waited_total,
            row.longest,
        )
    waited = [t for t in (into.waited_total, row.waited_total) if t is not None]
    longest = [t for t in (into.longest, row.longest) if t is not None]
    return TrackerRow(
        into.name,
        into.slug,
        into.area_name,
        into.area_slug,
        into.region,
        into.referrals + row.referrals,
        into.no_response + row.no_response,
        into.not_followed_up + row.not_followed_up,
        sum(waited, timedelta()) if waited else None,
        max(longest) if longest else None,
    )


def waiting_scope(pairs: list[PairWait], wanted: int) -> list[PairWait] | None:
    """The organisations and inspections that hold the ``wanted`` longest waits, or None when
    that is all of them.

    Take the ``wanted`` pairs whose longest waits are longest: their longest referrals alone
    are ``wanted`` referrals waiting at least as long as the last of them, so every referral
    among the ``wanted`` longest lies in a pair whose longest wait reaches that far. The list
    then reads the referrals of those pairs only (about one pair per referral shown), not
    every referral waiting in the country.
    """
    if len(pairs) <= wanted:
        return None
    ordered = sorted(pairs, key=lambda p: -p.longest_days)
    threshold = ordered[wanted - 1].longest_days
    return [pair for pair in ordered if pair.longest_days >= threshold]


def referrals_waiting(filters: Filters, *, organisation: str = "", area: str = "") -> QuerySet:
    """The referrals behind the tracker, longest wait first (the CSV has them all; the page
    reads one page of them through :class:`WaitingList`)."""
    no_response, not_followed_up = _referral_conditions()
    queryset = referrals_scored(filters).filter(no_response | not_followed_up)
    if organisation:
        queryset = queryset.filter(case__organisation__slug=organisation)
    if area:
        queryset = queryset.filter(case__organisation__area__slug=area)
    return _listed(queryset)


def _listed(queryset: QuerySet) -> QuerySet:
    return (
        queryset.annotate(waited=_waited())
        .select_related("case__organisation__area", "case__inspection")
        .order_by(F("waited").desc(nulls_last=True), "referral_date", "pk")
    )


class WaitingList(Sequence):
    """The waiting referrals of these pairs in the order of :func:`referrals_waiting`, read a
    page (a slice) at a time: the slice's referrals are found in the referral tallies' lists
    of the pairs that can hold it (:func:`waiting_scope`), then only they are read (2
    queries a page, whatever the number of referrals)."""

    def __init__(self, pairs: list[PairWait]):
        self.pairs = pairs
        self.count = sum(pair.outstanding for pair in pairs)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self.count)
        if start >= stop:
            return []
        scope = waiting_scope(self.pairs, stop) or self.pairs
        fieldwork = {pair.inspection_id: pair.fieldwork_day for pair in scope}
        entries = []
        stored = referral_tallies_waiting((p.inspection_id, p.organisation_id) for p in scope)
        for (inspection_id, _organisation_id), waiting in stored.items():
            for days, referred, pk in waiting:
                waited = fieldwork[inspection_id] - referred if days is None else days
                entries.append((-waited, referred, pk))
        entries.sort()
        ids = [pk for _waited, _referred, pk in entries[start:stop]]
        found = {r.pk: r for r in _listed(Referral.objects.filter(pk__in=ids))}
        return [found[pk] for pk in ids if pk in found]


def why_listed(referral) -> str:
    """Why a referral is on the tracker's list, in a few words."""
    if referral.response_date is None:
        return "No response recorded"
    problems = []
    if referral.response_timely is False:
        problems.append("late")
    if referral.response_satisfactory is False:
        problems.append("unsatisfactory")
    return f"Response {' and '.join(problems)}, not followed up"
