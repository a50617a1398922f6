"""Quality assurance: the moderation page (return or agree, with what changed since a return),
reopening an agreed case, and the QA list.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from casefiles import presenters
from casefiles.access import case_access
from casefiles.models import Case
from inspection.refusals import DEFAULT_TODO, Refused
from judgements import services
from judgements.forms import (
    QaFilterForm,
    ReopenForm,
    ReturnForm,
)
from judgements.rules import (
    may_reopen_case,
    moderation_refusal,
)
from judgements.selectors import (
    qa_review,
    walkthrough,
)
from judgements.services import case_read_record as read_record
from judgements.views._common import _posted


def _moderation_refusal_text(case, refusal: str) -> str:
    """Why this person cannot quality-assure this case, in words that fit the situation."""
    if refusal == "scored":
        return (
            f"You gave or changed answers in case {case.reference}, so someone else must "
            "quality-assure it."
        )
    if refusal == "status":
        return (
            f"Case {case.reference} is {case.get_status_display().lower()}: only a case "
            "submitted for quality assurance can be quality-assured."
        )
    return "Only quality assurance or the lead inspector on this inspection quality-assures cases."


def _qa_groups(form, walk, review, filters):
    """The answers by step, key questions first in each, with what QA needs beside each."""
    rows_by_question = {row["question"].pk: row for row in form.rows()}
    groups = []
    for step in walk.steps:
        rows = []
        for question in sorted(
            walk.step_questions(step.standard), key=lambda q: not q.is_key_question
        ):
            row = dict(rows_by_question[question.pk])
            row["answer"] = walk.answers.get(question.pk)
            row["returned"] = review.returned.get(question.pk)
            row["returned_before"] = question.pk in review.returned_before
            row["change"] = review.changes.get(question.pk)
            if filters.keeps(row):
                rows.append(row)
        if rows:
            groups.append({"standard": step.standard, "rows": rows})
    return groups


@require_http_methods(["GET", "POST"])
def moderate(request, public_id):
    case, access = case_access(request.user, public_id)
    refusal = moderation_refusal(case, access.role, request.user)
    if refusal:
        raise Refused(
            _moderation_refusal_text(case, refusal),
            tried=f"quality-assure case {case.reference}",
            todo=(
                "Ask another member of the quality assurance team, or the lead inspector, to "
                "quality-assure it."
                if refusal == "scored"
                else "Read the case's answers on its Judgements page; it can be "
                "quality-assured once its inspector submits it."
                if refusal == "status"
                else DEFAULT_TODO
            ),
            back_url=reverse("judgements:case_summary", args=[case.public_id]),
            back_text=f"Go to the judgements for case {case.reference}",
        )
    read_record(case=case, reader=request.user, page="quality assurance")
    walk = walkthrough(case)
    form = ReturnForm(_posted(request), questions=walk.questions)
    filters = QaFilterForm(request.GET)
    context = {
        "case": case,
        "inspection": case.inspection,
        "access": access,
        "walk": walk,
        "form": form,
        "case_tab": "judgements",
    }
    if request.method == "POST" and form.is_valid():
        feedback = form.cleaned_data.get("feedback") or ""
        if form.agreeing and not form.confirmed:
            # Agreeing locks the case: ask once more, saying so.
            return render(request, "judgements/moderate_confirm.html", context)
        if form.agreeing:
            services.case_agree(case=case, moderator=request.user, feedback=feedback)
            messages.success(request, f"Case {case.reference} agreed and locked")
            return redirect("judgements:case_summary", public_id=case.public_id)
        services.case_return(
            case=case, moderator=request.user, reasons=form.returns(), feedback=feedback
        )
        messages.success(request, f"Case {case.reference} returned to {case.inspector}")
        return redirect("judgements:case_summary", public_id=case.public_id)
    review = qa_review(case, walk)
    context.update(
        review=review,
        groups=_qa_groups(form, walk, review, filters),
        filters=filters,
        filter_tags=filters.tags(request),
        facts=presenters.case_summary(case, personal=access.may_see_personal_data),
        changed_count=sum(1 for c in review.changes.values() if c.changed),
    )
    return render(request, "judgements/moderate.html", context)


@require_http_methods(["GET", "POST"])
def reopen(request, public_id):
    case, access = case_access(request.user, public_id)
    if not may_reopen_case(case, access.role):
        raise Refused(
            "Only the lead inspector reopens a case, and only one quality assurance agreed."
            if case.status == Case.Status.AGREED or not access.is_lead
            else f"Case {case.reference} is {case.get_status_display().lower()}, not agreed: "
            "there is nothing to reopen.",
            tried=f"reopen case {case.reference}",
            todo=DEFAULT_TODO,
            back_url=reverse("judgements:case_summary", args=[case.public_id]),
            back_text=f"Go to the judgements for case {case.reference}",
        )
    form = ReopenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.case_reopen(case=case, lead=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"Case {case.reference} reopened")
        return redirect("judgements:case_summary", public_id=case.public_id)
    return render(
        request,
        "judgements/reopen.html",
        {"case": case, "inspection": case.inspection, "form": form, "case_tab": "judgements"},
    )
