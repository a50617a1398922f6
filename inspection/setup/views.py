"""Pages to create an inspection, change its set-up, build its team and move its stage."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .. import permissions, stages
from ..access import Access, access_to, inspection_access
from ..models import Inspection, InspectionChange, Inspectorate, Membership
from . import services
from .forms import InspectionForm, MemberForm, MoveForm

HISTORY_SHOWN = 50
ROLE_ORDER = list(Membership.Role.values)  # lead, inspector, quality assurance, partner


def _set_up_access(user, reference: str) -> Access:
    """The inspection, for its set-up pages: inspection managers and administrators find any;
    anyone else only one they may read (else 404), and then only its lead may go on (403)."""
    if permissions.may_set_up_inspections(user):
        inspection = get_object_or_404(
            Inspection.objects.select_related("framework"), reference=reference
        )
        return access_to(user, inspection)
    access = inspection_access(user, reference)
    access.require(permissions.may_set_up_inspection(user, access.role))
    return access


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
def inspection_create(request):
    if not permissions.may_set_up_inspections(request.user):
        raise PermissionDenied("Only inspection managers create inspections.")
    form = InspectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_create(
                set_up=form.set_up(), lead=form.cleaned_data["lead"], actor=request.user
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("inspection:created", reference=inspection.reference)
    return render(
        request,
        "inspection/setup_form.html",
        {"form": form, "creating": True, "cancel_url": reverse("inspection:home")},
    )


@require_GET
def inspection_created(request, reference):
    access = _set_up_access(request.user, reference)
    inspection = access.inspection
    return render(
        request,
        "inspection/setup_created.html",
        {
            "inspection": inspection,
            "organisations": inspection.organisations.select_related("area"),
            "leads": inspection.memberships.filter(role=Membership.Role.LEAD).select_related(
                "user"
            ),
            "partner_names": [
                Inspectorate(value).label for value in inspection.partner_inspectorates
            ],
            "reads_inspection": Inspection.objects.visible_to(request.user)
            .filter(pk=inspection.pk)
            .exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def inspection_edit(request, reference):
    access = _set_up_access(request.user, reference)
    inspection = access.inspection
    refusal = permissions.stage_refusal(inspection.status, "set_up")
    if refusal:
        return render(
            request,
            "inspection/setup_closed.html",
            {"inspection": inspection, "access": access},
        )
    form = InspectionForm(request.POST if request.method == "POST" else None, inspection=inspection)
    stale = ""
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.inspection_update(
                inspection=inspection,
                set_up=form.set_up(),
                actor=request.user,
                seen=_seen(request),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                _apply_errors(form, error)
            else:
                # A stale form: show the set-up as it is now, with the message.
                stale = " ".join(error.messages)
                form = InspectionForm(inspection=Inspection.objects.get(pk=inspection.pk))
        else:
            messages.success(request, "The set-up has been saved.")
            return redirect("inspection:created", reference=inspection.reference)
    return render(
        request,
        "inspection/setup_form.html",
        {
            "form": form,
            "creating": False,
            "stale": stale,
            "seen": services.set_up_digest(inspection),
            "inspection": inspection,
            "cancel_url": reverse("inspection:created", args=[inspection.reference]),
        },
    )


def _seen(request) -> str | None:
    """The fingerprint of the set-up the form was opened with (None if it sent none)."""
    value = request.POST.get("seen", "")
    return value if re.fullmatch(r"[0-9a-f]{32}", value) else None


# --------------------------------------------------------------------------- the team


@require_GET
def team(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    members = sorted(
        inspection.memberships.select_related("user"),
        key=lambda m: (ROLE_ORDER.index(m.role), m.user.last_name, m.user.first_name),
    )
    # How many cases each member has, through the reverse relation (no import from casefiles).
    assigned = dict(
        inspection.cases.filter(inspector__isnull=False)
        .values_list("inspector_id")
        .annotate(n=Count("pk"))
        .values_list("inspector_id", "n")
    )
    for member in members:
        member.assigned = assigned.get(member.user_id, 0)
    history = list(
        InspectionChange.objects.filter(inspection=inspection)
        .select_related("actor")
        .order_by("-at", "-pk")[:HISTORY_SHOWN]
    )
    return render(
        request,
        "inspection/team.html",
        {
            "inspection": inspection,
            "access": access,
            "members": members,
            "history": history,
            "may_manage": permissions.may_manage_team(access.role)
            and permissions.stage_allows(inspection.status, "team"),
            "active_tab": "team",
        },
    )


@require_http_methods(["GET", "POST"])
def team_add(request, reference):
    access = inspection_access(request.user, reference)
    access.require(permissions.may_manage_team(access.role))
    inspection = access.inspection
    form = MemberForm(request.POST if request.method == "POST" else None, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.member_add(
                inspection=inspection,
                user=data["user"],
                role=data["role"],
                inspectorate=data["inspectorate"],
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, f"{membership.user} is on the team as {membership.get_role_display()}."
            )
            return redirect("inspection:team", reference=inspection.reference)
    return render(
        request,
        "inspection/team_add.html",
        {
            "inspection": inspection,
            "form": form,
            "cancel_url": reverse("inspection:team", args=[inspection.reference]),
            "refusal": permissions.stage_refusal(inspection.status, "team"),
        },
    )


@require_http_methods(["GET", "POST"])
def team_remove(request, public_id):
    membership = get_object_or_404(
        Membership.objects.select_related("user", "inspection"), public_id=public_id
    )
    access = inspection_access(request.user, membership.inspection.reference)
    access.require(permissions.may_manage_team(access.role))
    inspection = access.inspection
    refusal = services.removal_refusal(membership) or permissions.stage_refusal(
        inspection.status, "team"
    )
    if request.method == "POST" and not refusal:
        try:
            services.member_remove(membership=membership, actor=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, f"{membership.user} has been taken off the team.")
            return redirect("inspection:team", reference=inspection.reference)
    return render(
        request,
        "inspection/team_remove.html",
        {
            "inspection": inspection,
            "membership": membership,
            "refusal": refusal,
            "cancel_url": reverse("inspection:team", args=[inspection.reference]),
        },
        status=200,
    )


# --------------------------------------------------------------------------- stages


@require_http_methods(["GET", "POST"])
def stage_move(request, reference, move):
    access = inspection_access(request.user, reference)
    step = stages.MOVES_BY_NAME.get(move)
    if step is None:
        raise Http404("No such move.")
    access.require(stages.may_make(step, request.user, access.role))
    inspection = access.inspection
    form = (
        MoveForm(request.POST if request.method == "POST" else None) if step.needs_reason else None
    )
    reasons, missing = stages.refusals(step, inspection)
    if request.method == "POST":
        reason = ""
        if form is not None and form.is_valid():
            reason = form.cleaned_data["reason"]
        if form is None or form.is_valid():
            try:
                stages.move(
                    inspection=inspection, name=step.name, actor=request.user, reason=reason
                )
            except stages.MoveRefused as refused:
                reasons, missing = refused.reasons, refused.missing
            else:
                messages.success(request, _done_words(step))
                if not Inspection.objects.visible_to(request.user).filter(pk=inspection.pk):
                    # An approver off the team who returned it no longer reads it.
                    return redirect("inspection:home")
                return redirect("inspection:detail", reference=inspection.reference)
    return render(
        request,
        "inspection/stage_move.html",
        {
            "inspection": inspection,
            "move": step,
            "form": form,
            "reasons": reasons,
            "missing": missing,
            # Approving leaves the inspection in the approval stage, now approved.
            "target_label": "Approval: approved, ready to publish"
            if step.approves
            else Inspection.Status(step.target).label,
            "cancel_url": reverse("inspection:detail", args=[inspection.reference]),
        },
    )


def _done_words(step: stages.Move) -> str:
    if step.approves:
        return "The report has been approved for publication."
    return f"The inspection is now at the {Inspection.Status(step.target).label.lower()} stage."
