"""Answer tallies: THE query that counts answers for every roll-up.

The ratings pages, the thematic and key-question tables, the written report and the
dashboards all rest on one count: how many counted cases (Case.COUNTED_STATUSES) answered
each key question Yes, No and Not applicable, grouped by whatever the page compares
(inspection, organisation, sample type, question). :func:`answer_tallies_queryset` is that
count as one GROUP BY query; :func:`answer_tallies` runs it and turns each row into an
:class:`inspection.rating_rules.Tally` for the rating engine.

The count is read from the summary table judgements.models.AnswerTally (one row per
inspection, organisation, sample type and question), which judgements keeps in step with the
answers in the same transaction as every change (judgements.tallies). So the cost of a
roll-up depends on the number of groups it shows, not on the number of answers beneath them.
The dashboards read the same counts at their own grain (:func:`key_question_tallies_queryset`,
from KeyQuestionTally: one row per inspection, organisation and key question, 3,450 for the
national page whether there are three or six million answers; docs/performance.md,
"Dashboards"). ``manage.py tallies_check`` compares the table with a
live count of the answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from django.db.models import Model, Q, QuerySet, Sum

from inspection.rating_rules import Tally
from judgements.models import AnswerTally, CountedCaseTally, KeyQuestionTally

Grouping = Literal[
    "inspection", "organisation", "organisation_name", "sample_type", "question", "question_code"
]

#: What a roll-up may group answers by, and the field of the tally table each grouping reads.
GROUPINGS: dict[str, str] = {
    "inspection": "inspection_id",
    "organisation": "organisation_id",
    "organisation_name": "organisation__name",
    "sample_type": "sample_type",
    "question": "question_id",
    "question_code": "question__code",
}


def _scope(lookup: str, value: Model | Iterable[int]) -> Q:
    """One object (``inspection=...``) or several ids (``inspection_id__in=...``)."""
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
    condition = Q()
    if inspections is not None:
        condition &= _scope("inspection", inspections)
    if organisations is not None:
        condition &= _scope("organisation", organisations)
    if questions is not None:
        condition &= Q(question_id__in=list(questions))
    else:
        condition &= Q(question__parent__isnull=True)
    return (
        AnswerTally.objects.filter(condition)
        .values_list(*(GROUPINGS[name] for name in by))
        .annotate(yes_=Sum("yes"), no_=Sum("no"), na_=Sum("na"))
        .order_by()
    )


def answer_tallies(*, by: Sequence[Grouping], **scope: Any) -> dict[tuple, Tally]:
    """Group values (a tuple, in the order of ``by``) -> Tally (1 query; see the queryset)."""
    return {tuple(row[:-3]): Tally(*row[-3:]) for row in answer_tallies_queryset(by=by, **scope)}


def key_question_tallies_queryset(
    *, inspections: Iterable[int], questions: Iterable[int], organisations: Iterable[int] | None
) -> QuerySet:
    """The same count for key questions at the grain of (inspection, organisation, question),
    read from judgements.models.KeyQuestionTally, which holds exactly those rows: one per
    cell a dashboard rates, no GROUP BY (1 query). Rows are
    ``(inspection id, organisation id, question id, yes, no, na)``."""
    condition = Q(inspection_id__in=list(inspections), question_id__in=list(questions))
    if organisations is not None:
        condition &= Q(organisation_id__in=list(organisations))
    return (
        KeyQuestionTally.objects.filter(condition)
        .values_list("inspection_id", "organisation_id", "question_id", "yes", "no", "na")
        .order_by()
    )


def counted_cases_by_pair(inspection_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(inspection id, organisation id) -> cases counted, from judgements.models.
    CountedCaseTally (1 query)."""
    return {
        (i, o): n
        for i, o, n in CountedCaseTally.objects.filter(
            inspection_id__in=list(inspection_ids)
        ).values_list("inspection_id", "organisation_id", "cases")
    }
