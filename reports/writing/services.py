"""Writing the report: keyword-only functions, one per section, each in a transaction that
also records a ReportEdit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casefiles.models import Case
from inspection.models import Domain, Inspection, Standard
from inspection.permissions import stage_refusal
from reports.models import (
    DomainFindings,
    KeyFact,
    PracticeExample,
    Recommendation,
    Report,
    ReportEdit,
    StandardText,
)


def _refuse_if_frozen(inspection_id: int) -> None:
    """Sent for approval or published, the report's text no longer changes (the stage as
    stored now, not as the caller's copy says)."""
    status = Inspection.objects.values_list("status", flat=True).get(pk=inspection_id)
    refusal = stage_refusal(status, "write_report")
    if refusal:
        raise ValidationError(refusal)


def _report_for_update(inspection: Inspection) -> Report:
    """The inspection's report, made on first write, locked for the rest of the transaction."""
    _refuse_if_frozen(inspection.pk)
    Report.objects.get_or_create(inspection=inspection)
    return Report.objects.select_for_update().get(inspection=inspection)


def _record(report: Report, *, actor, section: str, action=ReportEdit.Action.SAVED) -> None:
    now = timezone.now()
    report.updated_by, report.updated_at = actor, now
    report.save(update_fields=["updated_by", "updated_at"])
    ReportEdit.objects.create(report=report, actor=actor, at=now, action=action, section=section)


def _required(**fields: str) -> dict[str, str]:
    """Strip the fields; refuse (ValidationError) any that is blank."""
    cleaned = {name: (value or "").strip() for name, value in fields.items()}
    errors = {
        name: f"Enter the {name.replace('_', ' ')}" for name, value in cleaned.items() if not value
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def report_foreword_save(*, inspection: Inspection, foreword: str, actor) -> Report:
    cleaned = _required(foreword=foreword)
    report = _report_for_update(inspection)
    report.foreword = cleaned["foreword"]
    report.save(update_fields=["foreword"])
    _record(report, actor=actor, section="Foreword")
    return report


@transaction.atomic
def domain_findings_save(
    *, inspection: Inspection, domain: Domain, key_findings: str, actor
) -> DomainFindings:
    if domain.framework_id != inspection.framework_id:
        raise ValidationError({"domain": "This domain is not in the inspection's framework"})
    cleaned = _required(key_findings=key_findings)
    report = _report_for_update(inspection)
    findings, _ = DomainFindings.objects.update_or_create(
        report=report, domain=domain, defaults={"key_findings": cleaned["key_findings"]}
    )
    _record(report, actor=actor, section=f"Key findings: {domain.code}. {domain.title}")
    return findings


@transaction.atomic
def standard_text_save(
    *,
    inspection: Inspection,
    standard: Standard,
    narrative: str,
    strengths: str,
    areas_for_improvement: str,
    actor,
) -> StandardText:
    if standard.framework_id != inspection.framework_id:
        raise ValidationError({"standard": "This standard is not in the inspection's framework"})
    cleaned = _required(narrative=narrative)
    report = _report_for_update(inspection)
    text, _ = StandardText.objects.update_or_create(
        report=report,
        standard=standard,
        defaults={
            "narrative": cleaned["narrative"],
            "strengths": (strengths or "").strip(),
            "areas_for_improvement": (areas_for_improvement or "").strip(),
        },
    )
    _record(report, actor=actor, section=f"Standard {standard.code} {standard.title}")
    return text


def _next_position(model, report: Report) -> int:
    return (model.objects.filter(report=report).aggregate(n=Max("position"))["n"] or 0) + 1


def _item_for(model, report: Report, item):
    if item is None:
        return model(report=report, position=_next_position(model, report))
    if item.report_id != report.pk:
        raise ValidationError("This item belongs to another inspection's report")
    return item


@transaction.atomic
def recommendation_save(
    *,
    inspection: Inspection,
    addressed_to: str,
    text: str,
    actor,
    recommendation: Recommendation | None = None,
) -> Recommendation:
    cleaned = _required(addressed_to=addressed_to, text=text)
    report = _report_for_update(inspection)
    item = _item_for(Recommendation, report, recommendation)
    item.addressed_to, item.text = cleaned["addressed_to"], cleaned["text"]
    item.save()
    _record(report, actor=actor, section=f"Recommendation to {item.addressed_to}")
    return item


@transaction.atomic
def key_fact_save(
    *,
    inspection: Inspection,
    label: str,
    value: str,
    comparison: str,
    source: str,
    actor,
    key_fact: KeyFact | None = None,
) -> KeyFact:
    cleaned = _required(label=label, value=value)
    report = _report_for_update(inspection)
    item = _item_for(KeyFact, report, key_fact)
    item.label, item.value = cleaned["label"], cleaned["value"]
    item.comparison, item.source = (comparison or "").strip(), (source or "").strip()
    item.save()
    _record(report, actor=actor, section=f"Key fact: {item.label}")
    return item


@transaction.atomic
def practice_example_save(
    *,
    inspection: Inspection,
    case: Case,
    standard: Standard | None,
    title: str,
    quote: str,
    actor,
    example: PracticeExample | None = None,
) -> PracticeExample:
    if case is None or case.inspection_id != inspection.pk:
        raise ValidationError({"case": "Select one of this inspection's cases"})
    if standard is not None and standard.framework_id != inspection.framework_id:
        raise ValidationError({"standard": "This standard is not in the inspection's framework"})
    cleaned = _required(title=title, quote=quote)
    report = _report_for_update(inspection)
    item = _item_for(PracticeExample, report, example)
    item.case, item.standard = case, standard
    item.title, item.quote = cleaned["title"], cleaned["quote"]
    item.save()
    _record(report, actor=actor, section=f"Practice example: {item.title}")
    return item


@transaction.atomic
def report_item_remove(*, item: Recommendation | KeyFact | PracticeExample, actor) -> None:
    report = Report.objects.select_for_update().get(pk=item.report_id)
    _refuse_if_frozen(report.inspection_id)
    section = f"{item._meta.verbose_name.capitalize()}: {item}"
    item.delete()
    _record(report, actor=actor, section=section[:250], action=ReportEdit.Action.REMOVED)
