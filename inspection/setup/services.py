"""Writes for an inspection's set-up and team, each audited (InspectionChange) in the same
transaction as the change."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from .. import permissions
from ..access import role_on
from ..models import (
    Area,
    Framework,
    Inspection,
    InspectionChange,
    Inspectorate,
    Membership,
    Organisation,
    User,
)

Role = Membership.Role


@dataclass(frozen=True)
class NewArea:
    name: str
    police_force_area: str
    region: str


@dataclass(frozen=True)
class NewOrganisation:
    name: str
    kind: str
    area: Area | None = None
    new_area: NewArea | None = None


@dataclass(frozen=True)
class SetUp:
    """What the set-up form gives: everything about an inspection but its team."""

    title: str
    reference: str
    kind: str
    organisations: list[Organisation]
    framework: Framework
    fieldwork_start: date
    fieldwork_end: date
    partner_inspectorates: list[str]
    new_organisation: NewOrganisation | None = None


def _unique_slug(model, text: str) -> str:
    base = slugify(text)[:40] or "item"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _organisation_add(new: NewOrganisation) -> Organisation:
    area = new.area
    if area is None and new.new_area is not None:
        found = Area.objects.filter(name__iexact=new.new_area.name).first()
        area = found or Area.objects.create(
            slug=_unique_slug(Area, new.new_area.name),
            name=new.new_area.name,
            police_force_area=new.new_area.police_force_area,
            region=new.new_area.region,
        )
    if area is None:
        raise ValidationError({"new_organisation_area": "Select the area of the new organisation"})
    return Organisation.objects.create(
        slug=_unique_slug(Organisation, new.name), name=new.name, kind=new.kind, area=area
    )


def _describe_organisations(organisations) -> str:
    return ", ".join(sorted(o.name for o in organisations))


def _describe_partners(values) -> str:
    return ", ".join(Inspectorate(v).label for v in values) or "None"


def _values(inspection: Inspection) -> dict[str, str]:
    return {
        "Title": inspection.title,
        "Reference": inspection.reference,
        "Kind": Inspection.Kind(inspection.kind).label,
        "Framework": str(inspection.framework),
        "Fieldwork start": f"{inspection.fieldwork_start:%d %B %Y}",
        "Fieldwork end": f"{inspection.fieldwork_end:%d %B %Y}",
        "Partner inspectorates": _describe_partners(inspection.partner_inspectorates),
    }


def set_up_digest(inspection: Inspection) -> str:
    """A fingerprint of the set-up as it stands: a form carries the one it was opened with,
    so a save over someone else's change is refused rather than undoing it."""
    values = _values(inspection)
    values["Organisations"] = sorted(inspection.organisations.values_list("pk", flat=True))
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:32]


def _change(inspection, actor, now, action, subject, old="", new="", reason=""):
    return InspectionChange(
        inspection=inspection,
        actor=actor,
        at=now,
        action=action,
        subject=subject,
        old_value=old,
        new_value=new,
        reason=reason,
    )


def _reference_taken(reference: str, inspection: Inspection | None = None) -> bool:
    others = Inspection.objects.filter(reference__iexact=reference)
    if inspection is not None:
        others = others.exclude(pk=inspection.pk)
    return others.exists()


def _apply(inspection: Inspection, set_up: SetUp) -> list[Organisation]:
    inspection.title = set_up.title
    inspection.reference = set_up.reference
    inspection.kind = set_up.kind
    inspection.framework = set_up.framework
    inspection.fieldwork_start = set_up.fieldwork_start
    inspection.fieldwork_end = set_up.fieldwork_end
    inspection.partner_inspectorates = list(set_up.partner_inspectorates)
    organisations = list(set_up.organisations)
    if set_up.new_organisation is not None:
        organisations.append(_organisation_add(set_up.new_organisation))
    return organisations


@transaction.atomic
def inspection_create(*, set_up: SetUp, lead: User, actor) -> Inspection:
    """Create an inspection and make `lead` its lead inspector, audited."""
    if not permissions.may_set_up_inspections(actor):
        raise PermissionDenied("Only inspection managers create inspections.")
    if _reference_taken(set_up.reference):
        raise ValidationError({"reference": "An inspection with this reference already exists"})
    inspection = Inspection(status=Inspection.Status.PLANNING)
    organisations = _apply(inspection, set_up)
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError as error:  # the same reference, saved by someone else just now
        raise ValidationError(
            {"reference": "An inspection with this reference already exists"}
        ) from error
    inspection.organisations.set(organisations)
    Membership.objects.create(inspection=inspection, user=lead, role=Role.LEAD)
    now = timezone.now()
    changes = [
        _change(inspection, actor, now, InspectionChange.Action.CREATED, name, "", value)
        for name, value in _values(inspection).items()
    ]
    changes.append(
        _change(
            inspection,
            actor,
            now,
            InspectionChange.Action.CREATED,
            "Organisations",
            "",
            _describe_organisations(organisations),
        )  # fmt: skip
    )
    changes.append(
        _change(
            inspection,
            actor,
            now,
            InspectionChange.Action.MEMBER_ADDED,
            f"Team: {lead}",
            "",
            Role.LEAD.label,
        )  # fmt: skip
    )
    InspectionChange.objects.bulk_create(changes)
    return inspection


@transaction.atomic
def inspection_update(
    *, inspection: Inspection, set_up: SetUp, actor, seen: str | None = None
) -> Inspection:
    """Change the set-up of an inspection still being set up; one history row per field.

    `seen`: the set_up_digest the form was opened with; refused if the set-up has changed since.
    """
    inspection = (
        Inspection.objects.select_for_update().select_related("framework").get(pk=inspection.pk)
    )
    if not permissions.may_set_up_inspection(actor, role_on(actor, inspection)):
        raise PermissionDenied("Only inspection managers and the lead change the set-up.")
    refusal = permissions.stage_refusal(inspection.status, "set_up")
    if refusal:
        raise ValidationError(refusal)
    if seen is not None and seen != set_up_digest(inspection):
        raise ValidationError(
            "Someone else changed the set-up after you opened this page. Their change is "
            "shown below: make yours again and save."
        )
    if _reference_taken(set_up.reference, inspection):
        raise ValidationError({"reference": "An inspection with this reference already exists"})
    # Cases are reached through the reverse relation: this app imports nothing above it.
    has_cases = inspection.cases.exists()
    if set_up.framework.pk != inspection.framework_id and has_cases:
        raise ValidationError(
            {"framework": "The framework cannot be changed once the inspection has cases"}
        )
    before = _values(inspection)
    before_organisations = list(inspection.organisations.all())
    organisations = _apply(inspection, set_up)
    removed = set(before_organisations) - set(organisations)
    if removed and inspection.cases.filter(organisation__in=removed).exists():
        names = _describe_organisations(
            {o for o in removed if inspection.cases.filter(organisation=o).exists()}
        )
        raise ValidationError(
            {"organisations": f"{names} cannot be taken out: the inspection has cases there"}
        )
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError as error:
        raise ValidationError(
            {"reference": "An inspection with this reference already exists"}
        ) from error
    inspection.organisations.set(organisations)
    now = timezone.now()
    after = _values(inspection)
    changes = [
        _change(
            inspection, actor, now, InspectionChange.Action.CHANGED, name, before[name], after[name]
        )  # fmt: skip
        for name in after
        if before[name] != after[name]
    ]
    old, new = _describe_organisations(before_organisations), _describe_organisations(organisations)
    if old != new:
        changes.append(
            _change(
                inspection, actor, now, InspectionChange.Action.CHANGED, "Organisations", old, new
            )  # fmt: skip
        )
    InspectionChange.objects.bulk_create(changes)
    return inspection


# --------------------------------------------------------------------------- the team


def _check_team_change(inspection: Inspection, actor) -> None:
    if not permissions.may_manage_team(role_on(actor, inspection)):
        raise PermissionDenied("Only the lead inspector changes the team.")
    refusal = permissions.stage_refusal(inspection.status, "team")
    if refusal:
        raise ValidationError(refusal)


def _member_words(membership: Membership) -> str:
    if membership.role == Role.PARTNER:
        return f"{membership.get_role_display()} ({membership.get_inspectorate_display()})"
    return membership.get_role_display()


@transaction.atomic
def member_add(
    *, inspection: Inspection, user: User, role: str, inspectorate: str = "", actor
) -> Membership:
    """Put someone on the team with a role (a partner with their inspectorate), audited."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _check_team_change(inspection, actor)
    if role not in Role.values:
        raise ValidationError({"role": "Select a role"})
    if role == Role.PARTNER:
        if inspectorate not in Inspectorate.values or inspectorate == Inspectorate.HMI_PROBATION:
            raise ValidationError({"inspectorate": "Select the partner inspector's inspectorate"})
    else:
        inspectorate = Inspectorate.HMI_PROBATION
    if not user.is_active:
        raise ValidationError({"user": "This person's account is not active"})
    if Membership.objects.filter(inspection=inspection, user=user).exists():
        raise ValidationError({"user": f"{user} is already on the team"})
    membership = Membership.objects.create(
        inspection=inspection, user=user, role=role, inspectorate=inspectorate
    )
    InspectionChange.objects.create(
        inspection=inspection,
        actor=actor,
        at=timezone.now(),
        action=InspectionChange.Action.MEMBER_ADDED,
        subject=f"Team: {user}",
        new_value=_member_words(membership),
    )
    return membership


def removal_refusal(membership: Membership) -> str | None:
    """Why this member cannot be taken off the team now, or None."""
    inspection = membership.inspection
    if (
        membership.role == Role.LEAD
        and not inspection.memberships.filter(role=Role.LEAD).exclude(pk=membership.pk).exists()
    ):
        return (
            f"{membership.user} is the only lead inspector. Add another lead inspector "
            "before removing them."
        )
    # Cases are reached through the reverse relation: this app imports nothing above it.
    assigned = inspection.cases.filter(inspector_id=membership.user_id).count()
    if assigned:
        return (
            f"{membership.user} has {assigned} case{'s' if assigned != 1 else ''} assigned. "
            f"Reassign their {assigned} case{'s' if assigned != 1 else ''} first."
        )
    return None


@transaction.atomic
def member_remove(*, membership: Membership, actor) -> None:
    """Take someone off the team, audited; refused for the last lead or someone with cases."""
    inspection = Inspection.objects.select_for_update().get(pk=membership.inspection_id)
    _check_team_change(inspection, actor)
    membership = Membership.objects.filter(pk=membership.pk).select_related("user").first()
    if membership is None:
        raise ValidationError("This person is no longer on the team.")
    membership.inspection = inspection
    refusal = removal_refusal(membership)
    if refusal:
        raise ValidationError(refusal)
    InspectionChange.objects.create(
        inspection=inspection,
        actor=actor,
        at=timezone.now(),
        action=InspectionChange.Action.MEMBER_REMOVED,
        subject=f"Team: {membership.user}",
        old_value=_member_words(membership),
    )
    membership.delete()
