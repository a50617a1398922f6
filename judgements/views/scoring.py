"""The walk-through as the inspector scores: the to-do list, the case summary, a step (with
autosave and answers kept through a sign-in), the rest of a step not applying, check answers,
submit.
"""

import re
import time
from contextlib import nullcontext

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casefiles.access import case_access
from casefiles.models import Case
from inspection.navigation import BACK, back_query, safe_back
from inspection.refusals import DEFAULT_TODO, Refused
from judgements import services
from judgements.context_processors import has_cases_remember
from judgements.forms import (
    NOTE_MAX,
    AutosaveForm,
    RestNotApplicableForm,
    StepForm,
)
from judgements.rules import (
    may_moderate_case,
    may_reopen_case,
    may_score_case,
    missing_answers,
    open_for_scoring,
)
from judgements.second_readings import readings_to_do
from judgements.selectors import (
    cases_to_do,
    first_step_to_do,
    moderation_record,
    next_case_to_score,
    step_facts,
    step_place,
    step_questions,
    walkthrough,
)
from judgements.services import case_read_record as read_record
from judgements.views._common import _posted, blind_redirect


@require_GET
def queue(request):
    """The inspector's cases, grouped by what they must do next, returned ones first."""
    groups = cases_to_do(request.user)
    second = readings_to_do(request.user)
    total = sum(len(g.cases) for g in groups) + len(second)
    # The header's "Your cases" link follows what this page found.
    has_cases_remember(request, total > 0)
    return render(
        request,
        "judgements/queue.html",
        {
            "groups": groups,
            "second_readings": second,
            "to_score": sum(len(g.cases) for g in groups if g.to_score),
            "total": total,
        },
    )


@require_GET
def case_summary(request, public_id):
    case, access = case_access(request.user, public_id)
    if (blind := blind_redirect(request, case)) is not None:
        return blind
    read_record(case=case, reader=request.user, page="judgements")
    walk = walkthrough(case)
    return render(
        request,
        "judgements/case_summary.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "walk": walk,
            "can_score": may_score_case(case, access.role, request.user),
            "can_moderate": may_moderate_case(case, access.role, request.user),
            "can_reopen": may_reopen_case(case, access.role),
            "decisions": moderation_record(case),
            "case_tab": "judgements",
        },
    )


# A step saved after the session ended: its posted answers are kept in the new (anonymous)
# session, which signing in keeps, and shown again on the step, never saved without the
# inspector (see _unsaved_keep and _unsaved_take).
UNSAVED = "unsaved_step"
UNSAVED_FIELD = re.compile(r"^q\d{1,10}-(value|note|version|source)$")
UNSAVED_MAX_FIELDS = 600
UNSAVED_MAX_SECONDS = 2 * 60 * 60


def _unsaved_keep(request, public_id, code) -> None:
    data = {
        name: value[:NOTE_MAX]
        for name, value in list(request.POST.items())[:UNSAVED_MAX_FIELDS]
        if UNSAVED_FIELD.match(name)
    }
    if data:
        request.session[UNSAVED] = {
            "case": str(public_id),
            "code": code,
            "scorer": request.POST.get("scorer", "")[:150],
            "at": int(time.time()),
            "data": data,
        }


def _unsaved_take(request, case, code) -> dict | None:
    """The answers kept for this step when the session ended, if kept for this person."""
    kept = request.session.get(UNSAVED)
    if not kept or kept.get("case") != str(case.public_id) or kept.get("code") != code:
        return None
    del request.session[UNSAVED]
    fresh = int(time.time()) - int(kept.get("at", 0)) <= UNSAVED_MAX_SECONDS
    if not fresh or kept.get("scorer") != request.user.get_username():
        return None
    return kept["data"]


@login_not_required
@require_http_methods(["GET", "POST"])
def step(request, public_id, code):
    if not request.user.is_authenticated:
        # Signed out while the step was open (the session timed out): keep what was posted,
        # then back to this step after signing in.
        if request.method == "POST":
            _unsaved_keep(request, public_id, code)
        return redirect_to_login(request.get_full_path())
    case, access = case_access(request.user, public_id)
    if (blind := blind_redirect(request, case, code)) is not None:
        return blind
    # A save needs only the step's questions and the steps either side: the service reads the
    # answers under the case's lock, and the walk-through is read only to show the page.
    walk = walkthrough(case) if request.method == "GET" else None
    place = step_place(case, code) if walk is None else walk.place(code)
    standard = place.standard
    can_score = may_score_case(case, access.role, request.user)
    if request.method == "POST" and not can_score:
        raise _score_refusal(case, f"change the answers for case {case.reference}")
    # Recorded once the request is allowed, not for a refused one.
    read_record(case=case, reader=request.user, page="step")
    questions = place.questions
    unsaved = _unsaved_take(request, case, code) if request.method == "GET" and can_score else None
    # A posted form shows and checks what was posted: the answers saved are its initial
    # values only when the page is opened.
    form = StepForm(
        _posted(request) if unsaved is None else unsaved,
        questions=questions,
        answers={} if walk is None else walk.answers,
    )
    conflicts = []
    if request.method == "POST" and form.is_valid():
        try:
            # The answers and where their evidence came from are saved together, or not at all.
            services.answers_record(
                case=case,
                answers=form.answer_inputs(),
                actor=request.user,
                own_versions=_autosaved(request, case),
                sources=form.sources(),
            )
        except services.StaleEdit as stale:
            conflicts = stale.conflicts
            walk = walkthrough(case)
            form = StepForm(questions=questions, answers=walk.answers)
        else:
            after = place.after
            if "continue" in request.POST and after is not None:
                request.session[STEP_SAVED] = standard.code
                return redirect("judgements:step", public_id=case.public_id, code=after.code)
            messages.success(request, f"Answers for {standard.code} {standard.title} saved")
            if "continue" in request.POST or "later" in request.POST:
                return redirect("judgements:case_summary", public_id=case.public_id)
            return redirect("judgements:step", public_id=case.public_id, code=standard.code)
    if walk is None:
        # Not saved (an answer to correct): the page again, with what was posted.
        walk = walkthrough(case)
    before, after = place.before, place.after
    saved_code = request.session.pop(STEP_SAVED, None) if request.method == "GET" else None
    saved = next((s.standard for s in walk.steps if s.standard.code == saved_code), None)
    return render(
        request,
        "judgements/step.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "walk": walk,
            "standard": standard,
            "form": form,
            "questions": questions,
            "conflicts": conflicts,
            "unsaved": unsaved is not None,
            "saved": saved,
            "facts": step_facts(case, standard, personal=access.may_see_personal_data),
            "show_classifications": "classifications" in standard.case_facts,
            "can_score": can_score,
            "before": before,
            "after": after,
            "unanswered": [q for q in questions if q.pk not in walk.answers],
            "step_number": [s.standard for s in walk.steps].index(standard) + 1,
            "case_tab": "judgements",
        },
        status=409 if conflicts else 200,
    )


AUTOSAVED = "autosaved_versions"


def _autosaved(request, case) -> dict[int, int]:
    kept = request.session.get(AUTOSAVED)
    if not kept or kept.get("case") != str(case.public_id):
        return {}
    return {int(pk): version for pk, version in kept["versions"].items()}


# The step just saved with "Save and continue", said briefly on the next step's page.
STEP_SAVED = "step_saved"


@require_http_methods(["GET", "POST"])
def rest_not_applicable(request, public_id, code):
    """Confirm, then answer Not applicable to every question of a step not yet answered."""
    case, access = case_access(request.user, public_id)
    if (blind := blind_redirect(request, case, code)) is not None:
        return blind
    if not may_score_case(case, access.role, request.user):
        raise _score_refusal(case, f"change the answers for case {case.reference}")
    walk = walkthrough(case)
    standard = walk.step(code).standard
    rest = [q for q in walk.step_questions(standard) if q.pk not in walk.answers]
    needs_note = any(q.is_key_question for q in rest)
    form = RestNotApplicableForm(_posted(request), needs_note=needs_note)
    if request.method == "POST" and rest and form.is_valid():
        services.step_rest_not_applicable(
            case=case, questions=rest, note=form.cleaned_data["note"], actor=request.user
        )
        messages.success(
            request,
            f"{len(rest)} question{'s' if len(rest) != 1 else ''} of {standard.code} "
            "answered Not applicable",
        )
        return redirect("judgements:step", public_id=case.public_id, code=standard.code)
    if request.method == "POST" and not rest:
        return redirect("judgements:step", public_id=case.public_id, code=standard.code)
    return render(
        request,
        "judgements/rest_not_applicable.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "standard": standard,
            "rest": rest,
            "form": form,
            "case_tab": "judgements",
        },
    )


@require_GET
def resume(request, public_id):
    """Start or continue scoring: the step to do next, else the case's summary."""
    case, access = case_access(request.user, public_id)
    if (blind := blind_redirect(request, case)) is not None:
        return blind
    # The list it was opened from goes along, for the back link.
    back = safe_back(request.GET.get(BACK))
    carry = back_query(back) if back else ""
    if may_score_case(case, access.role, request.user):
        target = first_step_to_do(walkthrough(case))
        if target is not None:
            return redirect(reverse("judgements:step", args=[case.public_id, target.code]) + carry)
    return redirect(reverse("judgements:case_summary", args=[case.public_id]) + carry)


@require_POST
def keep_alive(request):
    """Stay signed in: the session's idle time starts again (the page's timeout warning)."""
    request.session.modified = True
    return JsonResponse({"idle_seconds": settings.SESSION_COOKIE_AGE})


@require_POST
def autosave(request, public_id, code):
    """Save one answer as the inspector goes (JavaScript only; the step form works without)."""
    case, access = case_access(request.user, public_id)
    if (blind := blind_redirect(request, case)) is not None:
        return blind
    if not may_score_case(case, access.role, request.user):
        return JsonResponse({"message": "You cannot change the answers for this case."}, status=403)
    questions = step_questions(case, code)
    form = AutosaveForm(request.POST)
    by_prefix = {f"q{q.pk}": q for q in questions}
    question = by_prefix.get(request.POST.get("question", ""))
    if question is None:
        return JsonResponse({"message": "Not saved: unknown question."}, status=400)
    if not form.is_valid():
        return JsonResponse(
            {"message": "Not saved: " + _autosave_problems(form, question)}, status=400
        )
    source = form.cleaned_data["source"]
    try:
        # The answer and where its evidence came from are saved together, or neither.
        with transaction.atomic() if source else nullcontext():
            answer = services.answer_record(
                case=case,
                question=question,
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                actor=request.user,
                seen_version=form.cleaned_data["version"],
            )
            if source:
                services.answer_sources_record(
                    case=case, sources={question: source}, actor=request.user
                )
    except services.StaleEdit:
        return JsonResponse(
            {
                "message": f"Not saved: {question.code} was changed by someone else. "
                "Use Save to see what changed."
            },
            status=409,
        )
    except ValidationError as error:
        return JsonResponse({"message": "Not saved: " + " ".join(error.messages)}, status=400)
    # The versions this browser's autosave produced, so that the step's own Save does not take
    # them for someone else's change. Saving is activity too: marking the session (modified)
    # starts its idle time again, however the session is refreshed.
    kept = request.session.get(AUTOSAVED)
    if not kept or kept.get("case") != str(case.public_id):
        kept = {"case": str(case.public_id), "versions": {}}
    kept["versions"][str(question.pk)] = answer.version
    request.session[AUTOSAVED] = kept
    request.session.modified = True
    return JsonResponse({"version": answer.version, "message": f"{question.code} saved"})


def _autosave_problems(form: AutosaveForm, question) -> str:
    """What was wrong with an autosaved answer, naming its question."""
    code = question.code
    errors = form.errors.as_data()
    problems = []
    if "value" in errors:
        problems.append(f"choose Yes, No or Not applicable for {code}")
    if "note" in errors:
        if any(e.code == "null_characters_not_allowed" for e in errors["note"]):
            problems.append(f"the evidence for {code} must not contain null characters")
        else:
            problems.append(f"the evidence for {code} must be {NOTE_MAX} characters or fewer")
    if "version" in errors:
        problems.append(f"{code} could not be checked against the saved answer: reload the page")
    if "source" in errors:
        problems.append(
            f"choose where the evidence for {code} came from: the case file, the case manager "
            "interview or another interview"
        )
    return "; ".join(problems) + "."


def _check_context(case, access, walk, **more) -> dict:
    return {
        "case": case,
        "inspection": case.inspection,
        "access": access,
        "walk": walk,
        "check_rows": walk.check_rows(),
        "can_score": may_score_case(case, access.role, access.user),
        "case_tab": "judgements",
        **more,
    }


@require_GET
def check(request, public_id):
    """Check your answers: every step's answers and notes, then the declaration and Submit."""
    case, access = case_access(request.user, public_id)
    if (blind := blind_redirect(request, case)) is not None:
        return blind
    read_record(case=case, reader=request.user, page="check answers")
    walk = walkthrough(case)
    missing = missing_answers(walk.questions, walk.answers)
    return render(
        request, "judgements/check.html", _check_context(case, access, walk, missing=missing)
    )


@require_POST
def submit(request, public_id):
    case, access = case_access(request.user, public_id)
    if (blind := blind_redirect(request, case)) is not None:
        return blind
    if not may_score_case(case, access.role, request.user):
        raise _score_refusal(case, f"submit case {case.reference}")
    try:
        services.case_submit(case=case, actor=request.user)
    except services.IncompleteCase as incomplete:
        walk = walkthrough(case)
        return render(
            request,
            "judgements/check.html",
            _check_context(case, access, walk, missing=incomplete.missing, refused=True),
        )
    return redirect("judgements:submitted", public_id=case.public_id)


@require_GET
def submitted(request, public_id):
    """After submitting: what happens next, and the next case to score."""
    case, access = case_access(request.user, public_id)
    if (blind := blind_redirect(request, case)) is not None:
        return blind
    if case.status not in (Case.Status.SUBMITTED, Case.Status.IN_QA):
        return redirect("judgements:case_summary", public_id=case.public_id)
    return render(
        request,
        "judgements/submitted.html",
        {
            "case": case,
            "inspection": case.inspection,
            "next_case": next_case_to_score(request.user, after=case),
        },
    )


def _score_refusal(case, tried: str) -> Refused:
    """Why this person cannot change this case's answers, and what they can do instead."""
    back = {
        "back_url": reverse("judgements:case_summary", args=[case.public_id]),
        "back_text": f"Go to the judgements for case {case.reference}",
    }
    if not open_for_scoring(case):
        status = case.get_status_display().lower()
        todo = (
            "If an answer must change, ask the lead inspector to reopen the case."
            if case.status == Case.Status.AGREED
            else "Quality assurance returns the case to its inspector if anything must change."
            if case.status in (Case.Status.SUBMITTED, Case.Status.IN_QA)
            else DEFAULT_TODO
        )
        return Refused(
            f"Case {case.reference} is {status}: its answers cannot be changed now.",
            tried=tried,
            todo=todo,
            **back,
        )
    who = f" ({case.inspector})" if case.inspector else ""
    return Refused(
        f"Only the inspector assigned to case {case.reference}{who} can change its answers.",
        tried=tried,
        todo="If the case should be yours, ask the lead inspector to assign it to you.",
        **back,
    )
