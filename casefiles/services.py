"""Writes to case files, each audited field by field in the same transaction.

Every create, change and delete of a case or of a part of its file writes CaseFileChange
rows (who, when, which field, the value before and after). Each save locks the case's row
first, as the answers' saves do, so saves to one case take turns; a save carries the
version its form showed, and one from a stale form is refused with what changed since
(StaleCaseFile). Once a case is submitted, or in quality assurance, only the lead inspector
changes its file, and must say why (the reason is kept on every row of the change).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from inspection.access import role_on
from inspection.models import Inspection
from inspection.permissions import is_lead, stage_refusal

from .models import Case, CaseFileChange, Order, Requirement
from .signals import case_details_changed

CASE = "case"
REASON_MAX = 1000


class CaseFileRefused(Exception):
    """A change that cannot be made, with a message naming the field and the problem."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleCaseFile(Exception):
    """The form showed an older version: the changes made since, newest first."""

    def __init__(self, changes: tuple[CaseFileChange, ...], current_version: int):
        super().__init__(describe_changes(changes))
        self.changes = changes
        self.current_version = current_version


def describe_changes(changes) -> str:
    """'Lead Tester changed Name from "Mia" to "Maya" (12 Mar 2026 10:02); ...'"""
    if not changes:
        return "It was changed by someone else since you opened it."
    parts = []
    for change in list(changes)[:10]:
        when = timezone.localtime(change.at).strftime("%-d %b %Y %H:%M")
        who = change.actor.get_full_name() or change.actor.username
        if change.action == CaseFileChange.Action.CHANGED:
            what = f'changed {change.field} from "{change.old_value}" to "{change.new_value}"'
        elif change.action == CaseFileChange.Action.CREATED:
            what = "added it"
        else:
            what = "removed it"
        parts.append(f"{who} {what} ({when})")
    return "; ".join(dict.fromkeys(parts))


def _display(instance: models.Model, name: str) -> str:
    """A field's value as the case page shows it, for the audit trail."""
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _label(form, name: str) -> str:
    field = form.fields.get(name)
    label = field.label if field is not None and field.label else name.replace("_", " ")
    return str(label)[:80]


def _snapshot(instance: models.Model, form) -> dict[str, str]:
    names = [name for name in form._meta.fields if name in form.fields]
    values = {name: _display(instance, name) for name in names}
    if isinstance(instance, Order) and instance.pk:
        values["requirements"] = ", ".join(sorted(str(r) for r in instance.requirements.all()))
    return values


def _is_lead(case: Case, actor) -> bool:
    return is_lead(role_on(actor, case.inspection))


def _lock_case(case: Case) -> Case:
    """The case read afresh and locked until the transaction ends (as answers' saves do)."""
    return Case.objects.select_for_update().select_related("inspection").get(pk=case.pk)


def _check_stage(inspection) -> None:
    refusal = stage_refusal(inspection.status, "case_file")
    if refusal:
        raise CaseFileRefused(refusal)


def _check_may_change(case: Case, actor, reason: str) -> None:
    _check_stage(case.inspection)
    if case.is_locked:
        raise CaseFileRefused(
            f"Case {case.reference} is agreed, so its file can no longer be changed."
        )
    if case.change_needs_reason:
        if not _is_lead(case, actor):
            raise PermissionDenied(
                "Only the lead inspector changes the file of a case that is submitted or in "
                "quality assurance."
            )
        if not reason.strip():
            raise CaseFileRefused(
                "Enter the reason for changing the file of a submitted case", field="reason"
            )
        if len(reason) > REASON_MAX:
            raise CaseFileRefused(
                f"Reason must be {REASON_MAX} characters or fewer", field="reason"
            )


def _refuse_stray_answers(current: Case, case: Case) -> None:
    """Refuse a new sample or organisation under which answers already given would answer
    questions the case is no longer asked (judgements.rules.question_refusal): a case answers
    only the questions of its own sample and kind of organisation, and the roll-ups count
    every answer given. (Read through the reverse relation: this app imports nothing above.)
    """
    if (current.sample_type, current.organisation_id) == (case.sample_type, case.organisation_id):
        return
    kind = case.organisation.kind
    stray = sorted(
        {
            code
            for code, applies_to, kinds in current.answers.values_list(
                "question__code", "question__applies_to", "question__organisation_kinds"
            )
            if case.sample_type not in applies_to or (kinds and kind not in kinds)
        }
    )
    if not stray:
        return
    moved_sample = current.sample_type != case.sample_type
    what = (
        f"{case.get_sample_type_display().lower()} cases"
        if moved_sample
        else f"cases of {case.organisation.name}"
    )
    shown = ", ".join(stray[:6]) + (f" and {len(stray) - 6} more" if len(stray) > 6 else "")
    raise CaseFileRefused(
        f"Case {current.reference} has answers to questions not asked on {what} ({shown}), "
        "so it cannot be moved there",
        field="sample_type" if moved_sample else "organisation",
    )


def _refuse_if_stale(case: Case, part: str, instance, seen_version: int | None) -> None:
    if seen_version is None or instance.pk is None or seen_version == instance.version:
        return
    changes = (
        CaseFileChange.objects.filter(
            case=case, part_public_id=instance.public_id, version__gt=seen_version
        )
        .select_related("actor")
        .order_by("-at", "-pk")
    )
    raise StaleCaseFile(tuple(changes), instance.version)


def _record(
    *,
    case: Case,
    part: str,
    instance,
    action: str,
    before: dict[str, str],
    after: dict[str, str],
    labels: dict[str, str],
    actor,
    reason: str,
) -> list[CaseFileChange]:
    now = timezone.now()
    rows = [
        CaseFileChange(
            case=case,
            part=part,
            part_public_id=instance.public_id,
            action=action,
            field=labels.get(name, name),
            field_name=name,
            old_value=before.get(name, ""),
            new_value=after.get(name, ""),
            version=instance.version,
            actor=actor,
            at=now,
            reason=reason.strip(),
        )
        for name in dict.fromkeys([*before, *after])
        if before.get(name, "") != after.get(name, "")
    ]
    return CaseFileChange.objects.bulk_create(rows)


@transaction.atomic
def case_save(*, form, actor, seen_version: int | None = None, reason: str = "") -> Case:
    """Add a case, or save a change to its details, writing one audit row per field."""
    labels = {name: _label(form, name) for name in form.fields}
    if form.instance.pk is None:
        _check_stage(Inspection.objects.select_for_update().get(pk=form.instance.inspection_id))
        case = form.save()
        after = _snapshot(case, form)
        _record(
            case=case,
            part=CASE,
            instance=case,
            action=CaseFileChange.Action.CREATED,
            before={},
            after=after,
            labels=labels,
            actor=actor,
            reason=reason,
        )
        return case
    current = _lock_case(form.instance)
    _check_may_change(current, actor, reason)
    _refuse_if_stale(current, CASE, current, seen_version)
    before = _snapshot(current, form)
    case = form.save(commit=False)
    _refuse_stray_answers(current, case)
    case.version = current.version + 1
    case.save()
    case_details_changed.send(
        sender=Case,
        case=case,
        organisation_id=current.organisation_id,
        sample_type=current.sample_type,
    )
    _record(
        case=case,
        part=CASE,
        instance=case,
        action=CaseFileChange.Action.CHANGED,
        before=before,
        after=_snapshot(case, form),
        labels=labels,
        actor=actor,
        reason=reason,
    )
    return case


@transaction.atomic
def casefile_part_save(
    *, form, case: Case, part: str, actor, seen_version: int | None = None, reason: str = ""
):
    """Save one part of a case file; an order's requirements are kept in step with the form."""
    case = _lock_case(case)
    _check_may_change(case, actor, reason)
    labels = {name: _label(form, name) for name in form.fields}
    instance = form.instance
    creating = instance.pk is None
    if creating:
        before: dict[str, str] = {}
    else:
        current = type(instance).objects.get(pk=instance.pk)
        _refuse_if_stale(case, part, current, seen_version)
        before = _snapshot(current, form)
    saved = form.save(commit=False)
    saved.case = case
    saved.version = 1 if creating else current.version + 1
    saved.save()
    if isinstance(saved, Order):
        wanted = set(form.cleaned_data.get("requirements") or [])
        saved.requirements.exclude(requirement_type__in=wanted).delete()
        existing = set(saved.requirements.values_list("requirement_type", flat=True))
        Requirement.objects.bulk_create(
            Requirement(order=saved, requirement_type=kind) for kind in sorted(wanted - existing)
        )
    _record(
        case=case,
        part=part,
        instance=saved,
        action=CaseFileChange.Action.CREATED if creating else CaseFileChange.Action.CHANGED,
        before=before,
        after=_snapshot(saved, form),
        labels=labels,
        actor=actor,
        reason=reason,
    )
    return saved


@transaction.atomic
def casefile_part_delete(
    *, part, name: str, form, actor, seen_version: int | None = None, reason: str = ""
) -> None:
    """Remove a part of a case file, keeping every value it held in the audit trail.

    ``form`` is the part's (unbound) form, for the field labels and which fields to keep.
    """
    case = _lock_case(part.case)
    _check_may_change(case, actor, reason)
    current = type(part).objects.get(pk=part.pk)
    _refuse_if_stale(case, name, current, seen_version)
    before = _snapshot(current, form)
    labels = {field: _label(form, field) for field in form.fields}
    current.version += 1
    _record(
        case=case,
        part=name,
        instance=current,
        action=CaseFileChange.Action.DELETED,
        before=before,
        after={},
        labels=labels,
        actor=actor,
        reason=reason,
    )
    current.delete()
