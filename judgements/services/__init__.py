"""Every write to a judgement goes through here, with its audit row in the same transaction.

A judgement is an answer and its evidence note, a case's status in the walk-through and
quality assurance, a moderation decision, or an organisation-level rating. Nothing else in
the code base writes these tables (tests/test_audit_paths.py checks that). One module per
kind of write; callers use them through this package (``from judgements import services``).
"""

from judgements.services._common import (
    AnswerInput,
    Conflict,
    IncompleteCase,
    StaleEdit,
)
from judgements.services.answers import (
    answer_record,
    answer_sources_record,
    answers_record,
    case_submit,
    step_rest_not_applicable,
)
from judgements.services.assignment import (
    ShareSelection,
    case_assign,
    qa_select,
    qa_select_share,
)
from judgements.services.double_reading import (
    Agreed,
    SecondShare,
    may_read_second,
    may_reconcile,
    ready_to_reconcile,
    second_answers_record,
    second_reading_reconcile,
    second_reading_remove,
    second_reading_select,
    second_reading_share,
    second_reading_submit,
)
from judgements.services.moderation import (
    case_agree,
    case_reopen,
    case_return,
)
from judgements.services.organisation_ratings import (
    organisation_rating_record,
)
from judgements.services.reads import (
    READ_RECORD_WINDOW,
    case_read_record,
)

__all__ = [
    "Agreed",
    "AnswerInput",
    "Conflict",
    "IncompleteCase",
    "READ_RECORD_WINDOW",
    "SecondShare",
    "ShareSelection",
    "StaleEdit",
    "answer_record",
    "answer_sources_record",
    "answers_record",
    "case_agree",
    "case_assign",
    "case_read_record",
    "case_reopen",
    "case_return",
    "case_submit",
    "may_read_second",
    "may_reconcile",
    "organisation_rating_record",
    "qa_select",
    "qa_select_share",
    "ready_to_reconcile",
    "second_answers_record",
    "second_reading_reconcile",
    "second_reading_remove",
    "second_reading_select",
    "second_reading_share",
    "second_reading_submit",
    "step_rest_not_applicable",
]
