"""Answer tallies: THE query that counts answers for every roll-up.

The ratings pages, the thematic and key-question tables, the written report and the
dashboards all rest on one count: how many counted cases (Case.COUNTED_STATUSES) answered
each key question Yes, No and Not applicable, grouped by whatever the page compares
(inspection, organisation, sample type, question). :func:`answer_tallies_queryset` is that
count as one GROUP BY query; :func:`answer_tallies` runs it and turns each row into an
:class:`inspection.rating_rules.Tally` for the rating engine.

Counting in the database keeps the number of queries fixed however many cases or answers
there are, and a result small (one row per group), whatever the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from django.db.models import Count, Model, Q, QuerySet

from casefiles.models import counted_condition
from inspection.rating_rules import NO, NOT_APPLICABLE, YES, Tally
from judgements.models import Answer

Grouping = Literal[
    "inspection", "organisation", "organisation_name", "sample_type", "question", "question_code"
]

#: What a roll-up may group answers by, and the field each grouping reads.
GROUPINGS: dict[str, str] = {
    "inspection": "case__inspection_id",
    "organisation": "case__organisation_id",
    "organisation_name": "case__organisation__name",
    "sample_type": "case__sample_type",
    "question": "question_id",
    "question_code": "question__code",
}


def _scope(lookup: str, value: Model | Iterable[int]) -> Q:
    """One object (``case__inspection=...``) or several ids (``case__inspection_id__in=...``)."""
    if isinstance(value, Model):
        return Q(**{lookup: value})
    return Q(**{f"{lookup}_id__in": list(value)})


def answer_tallies_queryset(
    *,
    by: Sequence[Grouping],
    inspections: Model | Iterable[int] | None = None,
    organisations: Model | Iterable[int] | None = None,
    questions: Iterable[int] | None = None,
) -> QuerySet:
    """Yes / No / Not applicable per group, over the answers of counted cases (1 query).

    Rows are ``(*group values in the order of by, yes, no, na)``. ``inspections`` and
    ``organisations`` narrow the cases (one object, or ids); ``questions`` names the key
    questions by id, and without it every key question (not the prompts under them) counts.
    The benchmark (bench/bench_dashboards.py) runs this SQL with a raw cursor.
    """
    unknown = [name for name in by if name not in GROUPINGS]
    if unknown or not by:
        raise ValueError(f"group answers by one or more of {sorted(GROUPINGS)}, not {unknown}")
    condition = counted_condition("case__")
    if inspections is not None:
        condition &= _scope("case__inspection", inspections)
    if organisations is not None:
        condition &= _scope("case__organisation", organisations)
    if questions is not None:
        condition &= Q(question_id__in=list(questions))
    else:
        condition &= Q(question__parent__isnull=True)
    return (
        Answer.objects.filter(condition)
        .values_list(*(GROUPINGS[name] for name in by))
        .annotate(
            # Counting "value" (not "id") lets an index on (case, question, value) answer
            # the query on its own (docs/performance.md, "Dashboards").
            yes=Count("value", filter=Q(value=YES)),
            no=Count("value", filter=Q(value=NO)),
            na=Count("value", filter=Q(value=NOT_APPLICABLE)),
        )
        .order_by()
    )


def answer_tallies(*, by: Sequence[Grouping], **scope: Any) -> dict[tuple, Tally]:
    """Group values (a tuple, in the order of ``by``) -> Tally (1 query; see the queryset)."""
    return {tuple(row[:-3]): Tally(*row[-3:]) for row in answer_tallies_queryset(by=by, **scope)}
