"""Blind double scoring: the lead's selection, the second reader's walk-through, the
reconciliation, and the agreement figures (page and CSV)."""

import csv
import io
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from casefiles.access import case_access
from casefiles.models import Case
from inspection.access import inspection_access
from inspection.models import User
from judgements import services
from judgements.agreement import SMALL_SAMPLE, agreement
from judgements.double_reading_forms import ReconcileForm, SecondReadingForm, SecondShareForm
from judgements.forms import StepForm
from judgements.models import SecondReading
from judgements.second_readings import (
    comparisons,
    inspection_readings,
    reading_for_reader,
    reconciled_key_answers,
    second_walkthrough,
)
from judgements.services import case_read_record as read_record
from judgements.services.double_reading import SECOND_READER_ROLES, SELECTABLE_STATUSES
from judgements.views._common import _posted


def _readers(inspection):
    return User.objects.filter(
        memberships__inspection=inspection, memberships__role__in=SECOND_READER_ROLES
    ).order_by("last_name", "first_name", "username")


@require_http_methods(["GET", "POST"])
def second_readings(request, reference):
    """Which cases are read twice, by whom, and how far each has gone; the lead selects more
    (by hand, or a seeded share spread across inspectors) and removes one not yet reconciled."""
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    if request.method == "POST":
        access.require(access.may_assign_cases)
    readers = list(_readers(inspection))
    selectable = list(
        Case.objects.filter(
            inspection=inspection,
            status__in=SELECTABLE_STATUSES,
            inspector__isnull=False,
            second_reading__isnull=True,
        )
        .select_related("inspector")
        .order_by("reference")
    )
    posted = _posted(request)
    form = SecondReadingForm(
        posted if "select" in request.POST else None, cases=selectable, readers=readers
    )
    share_form = SecondShareForm(posted if "share" in request.POST else None)
    if request.method == "POST" and "remove" in request.POST:
        reading = SecondReading.objects.filter(
            case__inspection=inspection, public_id=_uuid(request.POST.get("remove"))
        ).first()
        if reading is None:
            raise Http404("No such second reading")
        try:
            services.second_reading_remove(reading=reading, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Case {reading.case.reference} is no longer read twice")
        return redirect("judgements:second_readings", reference=inspection.reference)
    if request.method == "POST" and "select" in request.POST and form.is_valid():
        case = next(c for c in selectable if str(c.public_id) == form.cleaned_data["case"])
        reader = next(u for u in readers if u.username == form.cleaned_data["reader"])
        try:
            services.second_reading_select(case=case, reader=reader, actor=request.user)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, f"Case {case.reference} will be read again by {reader}")
            return redirect("judgements:second_readings", reference=inspection.reference)
    if request.method == "POST" and "share" in request.POST and share_form.is_valid():
        result = services.second_reading_share(
            inspection=inspection,
            percent=share_form.cleaned_data["percent"],
            seed=share_form.cleaned_data["seed"],
            actor=request.user,
        )
        count = len(result.selected)
        messages.success(
            request,
            f"{count} case{'s' if count != 1 else ''} selected for a second reading "
            f"of {result.eligible} that could be",
        )
        return redirect("judgements:second_readings", reference=inspection.reference)
    if request.method == "POST" and not any(k in request.POST for k in ("select", "share")):
        form = SecondReadingForm(posted, cases=selectable, readers=readers)
    return render(
        request,
        "judgements/second_readings.html",
        {
            "inspection": inspection,
            "access": access,
            "readings": inspection_readings(inspection),
            "form": form,
            "share_form": share_form,
            "selectable": selectable,
        },
    )


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("No such second reading") from None


@require_http_methods(["GET", "POST"])
def second_summary(request, public_id):
    """The second reader's own walk-through: each step's progress, their answers, Submit."""
    case, access, reading = reading_for_reader(request.user, public_id)
    read_record(case=case, reader=request.user, page="second reading")
    walk = second_walkthrough(reading)
    missing = []
    if request.method == "POST":
        try:
            services.second_reading_submit(reading=reading, actor=request.user)
        except services.IncompleteCase as incomplete:
            missing = incomplete.missing
        else:
            messages.success(request, f"Your second reading of case {case.reference} is submitted")
            return redirect("judgements:second_summary", public_id=case.public_id)
    return render(
        request,
        "judgements/second_summary.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "reading": reading,
            "walk": walk,
            "missing": missing,
            "open": reading.status == SecondReading.Status.READING,
            "can_reconcile": services.ready_to_reconcile(reading),
            "case_tab": "second",
        },
    )


@require_http_methods(["GET", "POST"])
def second_step(request, public_id, code):
    """One step of the second reading: the same questions as the case's step, blind."""
    case, access, reading = reading_for_reader(request.user, public_id)
    walk = second_walkthrough(reading)
    standard = walk.step(code).standard
    is_open = reading.status == SecondReading.Status.READING
    if request.method == "POST" and not is_open:
        raise PermissionDenied("This second reading is submitted: its answers cannot change.")
    read_record(case=case, reader=request.user, page="second reading step")
    questions = walk.step_questions(standard)
    form = StepForm(_posted(request), questions=questions, answers=walk.answers)
    conflicts = []
    if request.method == "POST" and form.is_valid():
        try:
            services.second_answers_record(
                reading=reading, answers=form.answer_inputs(), actor=request.user
            )
        except services.StaleEdit as stale:
            conflicts = stale.conflicts
            walk = second_walkthrough(reading)
            form = StepForm(questions=questions, answers=walk.answers)
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            _before, after = walk.neighbours(standard)
            if "continue" in request.POST and after is not None:
                return redirect("judgements:second_step", public_id=case.public_id, code=after.code)
            messages.success(request, f"Answers for {standard.code} {standard.title} saved")
            return redirect("judgements:second_summary", public_id=case.public_id)
    before, after = walk.neighbours(standard)
    return render(
        request,
        "judgements/second_step.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "reading": reading,
            "walk": walk,
            "standard": standard,
            "form": form,
            "conflicts": conflicts,
            "open": is_open,
            "before": before,
            "after": after,
            "step_number": [s.standard for s in walk.steps].index(standard) + 1,
            "case_tab": "second",
        },
        status=409 if conflicts else 200,
    )


@require_http_methods(["GET", "POST"])
def reconcile(request, public_id):
    """Both readings side by side, differences first; the two readers or the lead agree one
    answer per question where they differ, with a note."""
    case, access = case_access(request.user, public_id)
    reading = SecondReading.objects.filter(case=case).select_related("reader").first()
    if reading is None:
        raise Http404("This case is not read a second time")
    reading.case = case
    if not services.may_reconcile(reading, request.user, access.role):
        raise PermissionDenied("Only the two readers or the lead reconcile a double reading.")
    ready = services.ready_to_reconcile(reading)
    if request.method == "POST" and not ready:
        raise PermissionDenied("Both readings must be submitted before they are reconciled.")
    if not ready and not reading.is_reconciled:
        return render(
            request,
            "judgements/reconcile.html",
            {
                "case": case,
                "inspection": case.inspection,
                "access": access,
                "reading": reading,
                "waiting": True,
                "case_tab": "judgements",
            },
        )
    read_record(case=case, reader=request.user, page="reconciliation")
    if reading.is_reconciled:
        rows = list(reading.reconciled.select_related("question").order_by("question__position"))
        rows.sort(key=lambda r: r.first_value == r.second_value)
        return render(
            request,
            "judgements/reconcile.html",
            {
                "case": case,
                "inspection": case.inspection,
                "access": access,
                "reading": reading,
                "reconciled_rows": rows,
                "case_tab": "judgements",
            },
        )
    rows = comparisons(reading)
    form = ReconcileForm(_posted(request), rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.second_reading_reconcile(
                reading=reading, agreed=form.agreed(), actor=request.user
            )
        except ValidationError as error:
            for problem in error.messages:
                form.add_error(None, problem)
        else:
            messages.success(request, f"The two readings of case {case.reference} are reconciled")
            return redirect("judgements:reconcile", public_id=case.public_id)
    return render(
        request,
        "judgements/reconcile.html",
        {
            "case": case,
            "inspection": case.inspection,
            "access": access,
            "reading": reading,
            "form": form,
            "differing": sum(1 for row in rows if row.differs),
            "case_tab": "judgements",
        },
    )


def agreement_figures(inspections):
    """For each key question: the figures over every pair of readers, then per pair."""
    figures = []
    for answers in reconciled_key_answers(inspections):
        overall = agreement(answers.code, answers.all_pairs)
        pairs = [
            (pair, agreement(answers.code, values))
            for pair, values in sorted(answers.pairs.items())
        ]
        figures.append((overall, pairs))
    return figures


@require_GET
def agreement_page(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    return render(
        request,
        "judgements/agreement.html",
        {
            "inspection": inspection,
            "access": access,
            "figures": agreement_figures([inspection]),
            "small_sample": SMALL_SAMPLE,
        },
    )


CSV_COLUMNS = (
    "Inspection",
    "Key question",
    "Readers",
    "Double-read cases",
    "Answered Yes or No by both",
    "Not applicable to both",
    "Not applicable to one reader only",
    "Raw agreement",
    "Raw agreement, 95% interval from",
    "Raw agreement, 95% interval to",
    "Cohen's kappa",
    "Kappa, 95% interval from",
    "Kappa, 95% interval to",
    "Gwet's AC1",
    "AC1, 95% interval from",
    "AC1, 95% interval to",
    "Prevalence of Yes",
    "Small sample",
    "Reading",
)


def _csv_safe(text: str) -> str:
    """A name a spreadsheet would take for a formula is kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _number(value) -> str:
    return "" if value is None else f"{value:.3f}"


def _csv_row(reference, readers, figures) -> list[str]:
    def ends(interval):
        return ("", "") if interval is None else (_number(interval.low), _number(interval.high))

    return [
        reference,
        figures.code,
        readers,
        str(figures.cases),
        str(figures.table.n),
        str(figures.not_applicable_both),
        str(figures.not_applicable_one),
        _number(figures.raw),
        *ends(figures.raw_interval),
        _number(figures.kappa) if figures.kappa is not None else "Not defined",
        *ends(figures.kappa_interval),
        _number(figures.ac1),
        *ends(figures.ac1_interval),
        _number(figures.prevalence_yes),
        "Yes" if figures.small_sample else "No",
        figures.reading,
    ]


@require_GET
def agreement_csv(request, reference):
    """The agreement figures as CSV: UTF-8 with a byte order mark, so that spreadsheet
    programs read the names right; the words are the page's."""
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for overall, pairs in agreement_figures([inspection]):
        writer.writerow(_csv_row(inspection.reference, "All readers", overall))
        for (one, two), figures in pairs:
            writer.writerow(_csv_row(inspection.reference, _csv_safe(f"{one} and {two}"), figures))
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agreement-{inspection.reference}.csv"'
    return response
