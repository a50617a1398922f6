"""The lead inspector's pages: assigning cases (one by one, the selected ones at once, or by
an automatic allocation the lead reviews), selecting a share for QA, organisation-level
ratings.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from casefiles.models import Case
from inspection.access import inspection_access
from inspection.models import Standard, User
from inspection.permissions import SCORING_ROLES
from judgements import services
from judgements.allocation import allocation_proposal
from judgements.forms import (
    OrganisationRatingForm,
    QaShareForm,
)
from judgements.models import OrganisationRating
from judgements.views._common import QA_STATUSES, _posted


def _scorers(inspection):
    return User.objects.filter(
        memberships__inspection=inspection,
        # Everyone who may be assigned cases (permissions.may_be_assigned_cases).
        memberships__role__in=SCORING_ROLES,
    ).order_by("last_name", "first_name")


@require_http_methods(["GET", "POST"])
def assign(request, reference):
    """The lead assigns cases to inspectors and selects cases for quality assurance."""
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    if request.method == "POST":
        access.require(
            access.may_assign_cases,
            tried="assign cases or select them for quality assurance",
            who="the lead inspector",
        )
    scorers = {u.username: u for u in _scorers(inspection)}
    cases = list(
        Case.objects.filter(inspection=inspection).select_related("inspector", "organisation")
    )
    share_form = QaShareForm(request.POST if "select-share" in request.POST else None)
    errors = []
    bulk_errors: list[tuple[str, str]] = []
    if request.method == "POST" and "bulk-assign" in request.POST:
        bulk_errors, response = _bulk_assign(request, inspection, cases, scorers)
        if response is not None:
            return response
    elif request.method == "POST" and "select-share" in request.POST:
        if share_form.is_valid():
            result = services.qa_select_share(
                inspection=inspection,
                percent=share_form.cleaned_data["percent"],
                seed=share_form.cleaned_data["seed"],
                actor=request.user,
            )
            messages.success(request, _share_message(result))
            return redirect("judgements:assign", reference=inspection.reference)
    elif request.method == "POST":
        # Only the cases the form listed: a case added since the page was opened, or a request
        # that lists none, is left as it was rather than unassigned and taken out of QA.
        listed = [case for case in cases if f"inspector-{case.public_id}" in request.POST]
        for case in listed:
            wanted = request.POST.get(f"inspector-{case.public_id}", "")
            if wanted and wanted not in scorers:
                errors.append((case, f"Select an inspector on the team for case {case.reference}"))
        if not errors:
            try:
                # All or nothing: a case someone may not take leaves every line as it was.
                with transaction.atomic():
                    for case in listed:
                        wanted = request.POST.get(f"inspector-{case.public_id}", "")
                        try:
                            services.case_assign(
                                case=case, inspector=scorers.get(wanted), actor=request.user
                            )
                        except ValidationError as error:
                            errors.append((case, " ".join(error.messages)))
                            raise
                        services.qa_select(
                            case=case,
                            selected=f"qa-{case.public_id}" in request.POST,
                            actor=request.user,
                        )
            except ValidationError:
                pass
            else:
                messages.success(request, "Assignments saved")
                return redirect("judgements:assign", reference=inspection.reference)
    return render(
        request,
        "judgements/assign.html",
        {
            "inspection": inspection,
            "access": access,
            "cases": cases,
            "scorers": scorers.values(),
            "share_form": share_form,
            "errors": errors,
            "bulk_errors": bulk_errors,
            "bulk_selected": set(request.POST.getlist("selected")) if bulk_errors else set(),
            "bulk_person": request.POST.get("bulk-inspector", "") if bulk_errors else "",
            "active_tab": "assign",
        },
        status=409 if any(anchor == "assignments" for anchor, _ in bulk_errors) else 200,
    )


def _seen(request, case, scorers) -> int | None:
    """The inspector of the case as the page showed it (its hidden field)."""
    username = request.POST.get(f"seen-{case.public_id}", "")
    person = scorers.get(username)
    return person.pk if person else None


def _bulk_assign(request, inspection, cases, scorers):
    """'Assign the selected cases to': (errors, None) or ([], a redirect)."""
    wanted = request.POST.get("bulk-inspector", "")
    selected = set(request.POST.getlist("selected"))
    chosen = [case for case in cases if str(case.public_id) in selected]
    errors = []
    if not selected:
        errors.append(("selected-cases", "Select the cases to assign"))
    elif len(chosen) != len(selected):
        errors.append(
            (
                "selected-cases",
                "Some of the selected cases are not in this inspection: reload the page",
            )
        )
    if wanted not in scorers and wanted != "-":
        errors.append(("bulk-inspector", "Select who to assign the selected cases to"))
    if errors:
        return errors, None
    person = scorers.get(wanted)
    try:
        services.cases_assign(
            inspection=inspection,
            assignments=[(case, person, _seen(request, case, scorers)) for case in chosen],
            actor=request.user,
        )
    except services.StaleAssignment as error:
        return [("assignments", f"{error}. Nothing was saved: check the cases and try again")], None
    except ValidationError as error:
        return [("bulk-inspector", message) for message in error.messages], None
    who = str(person) if person else "nobody (not assigned)"
    count = len(chosen)
    messages.success(request, f"{count} case{'s' if count != 1 else ''} assigned to {who}")
    return [], redirect("judgements:assign", reference=inspection.reference)


@require_http_methods(["GET", "POST"])
def allocate(request, reference):
    """The automatic allocation of the unassigned cases: a proposal the lead reviews, changes
    case by case if need be, and confirms. Nothing is saved until then."""
    access = inspection_access(request.user, reference)
    access.require(access.may_assign_cases)
    inspection = access.inspection
    proposal = allocation_proposal(inspection)
    errors: list[tuple[str, str]] = []
    chosen: dict[str, str] = {}
    if request.method == "POST":
        people = {p.key: p for p in proposal.people}
        users = {u.username: u for u in _scorers(inspection)}
        listed = []
        for line in proposal.lines:
            field = f"inspector-{line.case.public_id}"
            if field not in request.POST:
                continue
            wanted = request.POST[field]
            chosen[str(line.case.public_id)] = wanted
            if wanted and (
                wanted not in people
                or wanted not in users
                or wanted not in {p.key for p in line.choices}
            ):
                errors.append(
                    (field, f"Select someone on the team who may take case {line.case.reference}")
                )
            listed.append((line.case, users.get(wanted) if wanted else None))
        posted = {
            key.removeprefix("inspector-") for key in request.POST if key.startswith("inspector-")
        }
        known = {str(line.case.public_id) for line in proposal.lines}
        if not listed:
            errors.append(("allocation", "There are no unassigned cases to allocate"))
        elif posted - known and _valid_uuids(posted - known):
            errors.append(
                (
                    "allocation",
                    "Some cases in the proposal were assigned by someone else since you opened "
                    "it. Nothing was saved: here is the proposal again",
                )
            )
        if not errors:
            try:
                services.cases_assign(
                    inspection=inspection,
                    assignments=[(case, person, None) for case, person in listed],
                    actor=request.user,
                )
            except services.StaleAssignment as error:
                errors.append(("allocation", f"{error}. Nothing was saved"))
            except ValidationError as error:
                errors.extend(("allocation", message) for message in error.messages)
            else:
                count = sum(1 for _, person in listed if person is not None)
                messages.success(
                    request, f"{count} case{'s' if count != 1 else ''} allocated to the team"
                )
                return redirect("judgements:assign", reference=inspection.reference)
        if any(anchor == "allocation" for anchor, _ in errors):
            proposal = allocation_proposal(inspection)
            chosen = {}
    return render(
        request,
        "judgements/allocate.html",
        {
            "inspection": inspection,
            "access": access,
            "proposal": proposal,
            "lines": [
                (line, chosen.get(str(line.case.public_id), line.proposed or ""))
                for line in proposal.lines
            ],
            "errors": errors,
            "active_tab": "assign",
        },
    )


def _valid_uuids(values) -> bool:
    try:
        for value in values:
            uuid.UUID(value)
    except ValueError:
        return False
    return True


def _share_message(result) -> str:
    newly = len(result.newly_selected)
    cases = "case" if newly == 1 else "cases"
    if newly:
        return (
            f"{newly} {cases} newly selected for quality assurance "
            f"({newly + result.already_selected} selected in all)"
        )
    return (
        f"No cases newly selected: {result.already_selected} already selected, "
        f"which meets a share of {result.wanted}"
    )


@require_GET
def qa_list(request, reference):
    """Every case submitted or selected, with where it stands in quality assurance."""
    access = inspection_access(request.user, reference)
    cases = (
        Case.objects.filter(inspection=access.inspection)
        .filter(Q(selected_for_qa=True) | Q(status__in=QA_STATUSES))
        .select_related("inspector", "organisation")
        .order_by("reference")
    )
    return render(
        request,
        "judgements/qa_list.html",
        {"inspection": access.inspection, "access": access, "cases": cases, "active_tab": "qa"},
    )


@require_GET
def organisation_ratings(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    standards = list(
        Standard.objects.filter(framework=inspection.framework, judged_by="organisation")
    )
    ratings = {
        (r.organisation_id, r.standard_id): r
        for r in OrganisationRating.objects.filter(inspection=inspection).select_related("rated_by")
    }
    rows = [
        {
            "organisation": organisation,
            "standard": standard,
            "rating": ratings.get((organisation.pk, standard.pk)),
        }
        for organisation in inspection.organisations.all()
        for standard in standards
    ]
    return render(
        request,
        "judgements/organisation_ratings.html",
        {"inspection": inspection, "access": access, "rows": rows, "active_tab": "org"},
    )


@require_http_methods(["GET", "POST"])
def organisation_rating_edit(request, reference, organisation, code):
    access = inspection_access(request.user, reference)
    access.require(
        access.may_rate_organisations,
        tried="rate this standard for the organisation",
        who="the lead inspector",
    )
    inspection = access.inspection
    organisation = get_object_or_404(inspection.organisations, slug=organisation)
    standard = get_object_or_404(
        Standard, framework=inspection.framework, judged_by="organisation", code=code
    )
    current = OrganisationRating.objects.filter(
        inspection=inspection, organisation=organisation, standard=standard
    ).first()
    initial = {"version": current.version if current else 0}
    if current:
        initial.update(
            rating=current.rating, narrative=current.narrative, evidence=current.evidence
        )
    form = OrganisationRatingForm(_posted(request), initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_rating_record(
                inspection=inspection,
                organisation=organisation,
                standard=standard,
                rating=form.cleaned_data["rating"],
                narrative=form.cleaned_data["narrative"],
                evidence=form.cleaned_data["evidence"],
                actor=request.user,
                seen_version=form.cleaned_data["version"] or 0,
            )
        except services.StaleEdit:
            stale = True
        else:
            messages.success(request, f"Rating for {standard.code} {standard.title} saved")
            return redirect("judgements:organisation_ratings", reference=inspection.reference)
    return render(
        request,
        "judgements/organisation_rating_form.html",
        {
            "inspection": inspection,
            "organisation": organisation,
            "standard": standard,
            "form": form,
            "current": current,
            "stale": stale,
            "key_questions": standard.questions.filter(parent__isnull=True),
        },
        status=409 if stale else 200,
    )
