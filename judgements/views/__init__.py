"""The judgements pages: scoring, quality assurance, a case's history and the lead's pages."""

from judgements.views.history import (
    HISTORY_PAGE_SIZE,
    history,
)
from judgements.views.lead import (
    allocate,
    assign,
    organisation_rating_edit,
    organisation_ratings,
    qa_list,
)
from judgements.views.quality import (
    moderate,
    reopen,
)
from judgements.views.scoring import (
    AUTOSAVED,
    STEP_SAVED,
    UNSAVED,
    UNSAVED_FIELD,
    UNSAVED_MAX_FIELDS,
    UNSAVED_MAX_SECONDS,
    autosave,
    case_summary,
    check,
    keep_alive,
    queue,
    rest_not_applicable,
    resume,
    step,
    submit,
    submitted,
)

__all__ = [
    "allocate",
    "AUTOSAVED",
    "HISTORY_PAGE_SIZE",
    "STEP_SAVED",
    "UNSAVED",
    "UNSAVED_FIELD",
    "UNSAVED_MAX_FIELDS",
    "UNSAVED_MAX_SECONDS",
    "assign",
    "autosave",
    "case_summary",
    "check",
    "history",
    "keep_alive",
    "moderate",
    "organisation_rating_edit",
    "organisation_ratings",
    "qa_list",
    "queue",
    "reopen",
    "rest_not_applicable",
    "resume",
    "step",
    "submit",
    "submitted",
]
