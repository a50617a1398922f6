"""The lead inspector's ratings of the standards judged from interviews and documents."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inspection import permissions
from inspection.models import Inspection, Organisation, Standard
from judgements.models import (
    AuditEvent,
    OrganisationRating,
)
from judgements.services._common import (
    Action,
    StaleEdit,
    _audit,
    _require,
    _require_stage,
)
from judgements.tallies import figures_changed


@transaction.atomic
def organisation_rating_record(
    *,
    inspection: Inspection,
    organisation: Organisation,
    standard: Standard,
    rating: str,
    narrative: str,
    evidence: str,
    actor,
    seen_version: int | None = None,
) -> OrganisationRating:
    """The lead rates a standard judged from interviews and documents, with the narrative."""
    _require(
        permissions.may_rate_organisations,
        inspection,
        actor,
        "rates standards at organisation level",
    )
    # The stage as stored now, not as the caller's copy of the inspection says.
    _require_stage(Inspection.objects.get(pk=inspection.pk), "rate_organisations")
    if not inspection.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": "This organisation is not part of the inspection"})
    if standard.is_case_judged or standard.framework_id != inspection.framework_id:
        raise ValidationError({"standard": "This standard is not rated at organisation level"})
    if rating not in OrganisationRating.Rating.values:
        raise ValidationError({"rating": "Select a rating"})
    if not narrative.strip():
        raise ValidationError({"narrative": "Enter the narrative that explains the rating"})
    Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
    current = OrganisationRating.objects.filter(
        inspection=inspection, organisation=organisation, standard=standard
    ).first()
    if seen_version is not None and seen_version != (current.version if current else 0):
        raise StaleEdit([])
    now = timezone.now()
    fields = {"rating": rating, "narrative": narrative.strip(), "evidence": evidence.strip()}
    events = []
    subject = f"{standard.code} {standard.title} ({organisation.name})"
    for name, new in fields.items():
        old = getattr(current, name) if current else ""
        if old != new:
            events.append(
                _audit(
                    inspection=inspection,
                    case=None,
                    actor=actor,
                    now=now,
                    action=Action.ORG_RATING_CHANGED,
                    subject=f"{subject}: {name}",
                    old=old,
                    new=new,
                )
            )
    if not events:
        return current
    if current is None:
        current = OrganisationRating(
            inspection=inspection, organisation=organisation, standard=standard, version=0
        )
    for name, new in fields.items():
        setattr(current, name, new)
    current.version += 1
    current.rated_by, current.updated_at = actor, now
    current.save()
    AuditEvent.objects.bulk_create(events)
    figures_changed([inspection.pk])  # the dashboards show this rating
    return current
