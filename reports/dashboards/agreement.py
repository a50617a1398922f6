"""Agreement between inspectors across the inspections a manager's filters select: for each
key question, the figures of judgements.agreement over every reconciled double reading."""

from __future__ import annotations

from inspection.models import Inspection
from judgements.agreement import Agreement, agreement
from judgements.second_readings import reconciled_key_answers


def agreement_inspections(filters):
    """The inspections the filters select, as a queryset of their ids."""
    return Inspection.objects.filter(filters.q("", "organisations__")).values("pk")


def agreement_across(filters) -> list[Agreement]:
    """One row per key question with reconciled double readings (one query, two when any)."""
    return [
        agreement(answers.code, answers.all_pairs)
        for answers in reconciled_key_answers(agreement_inspections(filters))
    ]
