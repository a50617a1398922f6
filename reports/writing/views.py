"""Writing the report (lead inspector only), checking it, previewing it and making the PDF.

Everyone on the team, managers and administrators read; only the lead writes (others get 403);
anyone else gets 404 from inspection_access.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from inspection import readiness
from inspection.access import inspection_access
from inspection.models import Domain, Standard
from reports import jobs
from reports.models import KeyFact, PracticeExample, Recommendation
from reports.writing import services
from reports.writing.check import grouped, publication_check, report_of, report_texts
from reports.writing.document import report_document
from reports.writing.forms import (
    DomainFindingsForm,
    ForewordForm,
    KeyFactForm,
    PracticeExampleForm,
    RecommendationForm,
    StandardTextForm,
)


def _overview_url(inspection) -> str:
    return reverse("reports:report", args=[inspection.reference])


def _posted(request):
    """The form's data: bound on every POST, even an empty one, so that 'required' is said."""
    return request.POST if request.method == "POST" else None


def _lead_access(request, reference):
    access = inspection_access(request.user, reference)
    access.require(access.may_write_report)
    return access


def _form_page(request, *, inspection, form, title, caption="", intro="", extra=None, status=200):
    return render(
        request,
        "reports/report_form.html",
        {
            "inspection": inspection,
            "form": form,
            "page_title": title,
            "caption": caption,
            "intro": intro,
            "cancel_url": _overview_url(inspection),
            **(extra or {}),
        },
        status=status,
    )


def _save(request, form, save) -> bool:
    """Call the service with the cleaned data; its refusals become the form's errors."""
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return False
    return True


# --------------------------------------------------------------------------- overview


@require_GET
def report(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    texts = report_texts(inspection)
    standards = [
        {
            "standard": standard,
            "written": standard.pk in texts.standard_texts,
            "from_rating": texts.narrative_of(standard)[1] == "rating",
        }
        for standard in texts.standards
    ]
    return render(
        request,
        "reports/report_overview.html",
        {
            "inspection": inspection,
            "access": access,
            "texts": texts,
            "domains": [{"domain": d, "findings": texts.findings.get(d.pk)} for d in texts.domains],
            "standards": standards,
            "findings_count": len(publication_check(inspection)),
            "missing_count": len(readiness.missing(inspection)),
            "active_tab": "report",
        },
    )


# --------------------------------------------------------------------------- sections


@require_http_methods(["GET", "POST"])
def foreword(request, reference):
    access = _lead_access(request, reference)
    inspection = access.inspection
    current = report_of(inspection)
    form = ForewordForm(_posted(request), initial={"foreword": current.foreword})
    if request.method == "POST" and form.is_valid():

        def save(data):
            services.report_foreword_save(
                inspection=inspection, foreword=data["foreword"], actor=request.user
            )

        if _save(request, form, save):
            messages.success(request, "Foreword saved")
            return redirect(_overview_url(inspection))
    return _form_page(request, inspection=inspection, form=form, title="Foreword")


@require_http_methods(["GET", "POST"])
def findings(request, reference, domain):
    access = _lead_access(request, reference)
    inspection = access.inspection
    domain = get_object_or_404(Domain, framework=inspection.framework, code=domain)
    current = report_texts(inspection).findings.get(domain.pk)
    form = DomainFindingsForm(
        _posted(request), initial={"key_findings": current.key_findings if current else ""}
    )
    if request.method == "POST" and form.is_valid():

        def save(data):
            services.domain_findings_save(
                inspection=inspection,
                domain=domain,
                key_findings=data["key_findings"],
                actor=request.user,
            )

        if _save(request, form, save):
            messages.success(request, f"Key findings about {domain.title.lower()} saved")
            return redirect(_overview_url(inspection))
    return _form_page(
        request,
        inspection=inspection,
        form=form,
        title=f"Key findings: {domain.code}. {domain.title}",
        caption="Overall findings",
    )


@require_http_methods(["GET", "POST"])
def standard(request, reference, code):
    access = _lead_access(request, reference)
    inspection = access.inspection
    standard = get_object_or_404(Standard, framework=inspection.framework, code=code)
    texts = report_texts(inspection)
    current = texts.standard_texts.get(standard.pk)
    narrative, origin = texts.narrative_of(standard)
    initial = {
        "narrative": narrative,
        "strengths": current.strengths if current else "",
        "areas_for_improvement": current.areas_for_improvement if current else "",
    }
    form = StandardTextForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():

        def save(data):
            services.standard_text_save(
                inspection=inspection,
                standard=standard,
                narrative=data["narrative"],
                strengths=data["strengths"],
                areas_for_improvement=data["areas_for_improvement"],
                actor=request.user,
            )

        if _save(request, form, save):
            messages.success(request, f"Standard {standard.code} {standard.title} saved")
            return redirect(_overview_url(inspection))
    intro = standard.statement
    if origin == "rating":
        intro += (
            " The narrative below is the one written with the organisation rating; "
            "saving it here keeps the report's own copy."
        )
    return _form_page(
        request,
        inspection=inspection,
        form=form,
        title=f"{standard.code} {standard.title}",
        caption="Standard",
        intro=intro.strip(),
    )


# --------------------------------------------------------------------------- lists


@dataclass(frozen=True)
class ItemKind:
    model: type
    form: type
    noun: str
    plural: str

    def form_for(self, inspection, data=None, instance=None):
        initial = {}
        if instance is not None:
            initial = {name: getattr(instance, name) for name in self.form.base_fields}
        if self.form is PracticeExampleForm:
            return self.form(data, initial=initial, inspection=inspection)
        return self.form(data, initial=initial)

    def save(self, *, inspection, data, actor, instance=None):
        if self.model is Recommendation:
            return services.recommendation_save(
                inspection=inspection,
                addressed_to=data["addressed_to"],
                text=data["text"],
                actor=actor,
                recommendation=instance,
            )
        if self.model is KeyFact:
            return services.key_fact_save(
                inspection=inspection,
                label=data["label"],
                value=data["value"],
                comparison=data["comparison"],
                source=data["source"],
                actor=actor,
                key_fact=instance,
            )
        return services.practice_example_save(
            inspection=inspection,
            case=data["case"],
            standard=data["standard"],
            title=data["title"],
            quote=data["quote"],
            actor=actor,
            example=instance,
        )


ITEM_KINDS = {
    "recommendations": ItemKind(
        Recommendation, RecommendationForm, "recommendation", "recommendations"
    ),
    "key-facts": ItemKind(KeyFact, KeyFactForm, "key fact", "key facts"),
    "practice-examples": ItemKind(
        PracticeExample, PracticeExampleForm, "practice example", "practice examples"
    ),
}


def _kind(kind: str) -> ItemKind:
    try:
        return ITEM_KINDS[kind]
    except KeyError:
        raise Http404("No such part of the report") from None


def _item(kind: ItemKind, inspection, public_id):
    """An item of this inspection's report; another inspection's is 'not found'."""
    return get_object_or_404(kind.model, report__inspection=inspection, public_id=public_id)


@require_http_methods(["GET", "POST"])
def item_edit(request, reference, kind, public_id=None):
    access = _lead_access(request, reference)
    inspection = access.inspection
    item_kind = _kind(kind)
    instance = _item(item_kind, inspection, public_id) if public_id else None
    form = item_kind.form_for(inspection, _posted(request), instance)
    if request.method == "POST" and form.is_valid():

        def save(data):
            item_kind.save(inspection=inspection, data=data, actor=request.user, instance=instance)

        if _save(request, form, save):
            messages.success(request, f"{item_kind.noun.capitalize()} saved")
            return redirect(_overview_url(inspection) + f"#{kind}")
    verb = "Change" if instance else "Add"
    return _form_page(request, inspection=inspection, form=form, title=f"{verb} {item_kind.noun}")


@require_http_methods(["GET", "POST"])
def item_remove(request, reference, kind, public_id):
    access = _lead_access(request, reference)
    inspection = access.inspection
    item_kind = _kind(kind)
    instance = _item(item_kind, inspection, public_id)
    if request.method == "POST":
        services.report_item_remove(item=instance, actor=request.user)
        messages.success(request, f"{item_kind.noun.capitalize()} removed")
        return redirect(_overview_url(inspection) + f"#{kind}")
    return render(
        request,
        "reports/report_remove.html",
        {
            "inspection": inspection,
            "noun": item_kind.noun,
            "item": instance,
            "cancel_url": _overview_url(inspection),
        },
    )


# --------------------------------------------------------------------------- checking and output


@require_GET
def check(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    findings = publication_check(inspection)
    found = readiness.missing(inspection)
    return render(
        request,
        "reports/report_check.html",
        {
            "inspection": inspection,
            "access": access,
            "findings": findings,
            "missing": found,
            "groups": grouped(found),
        },
    )


@require_GET
def preview(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    return render(
        request,
        "reports/report_preview.html",
        {"inspection": inspection, "doc": report_document(inspection)},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def pdf(request, reference):
    """The report PDF, made in the background (reports/jobs.py): GET offers "Create the
    file", POST starts the job and sends the person to its page."""
    access = inspection_access(request.user, reference)
    return jobs.job_start_page(
        request,
        access,
        kind=jobs.REPORT_PDF,
        title="Report PDF",
        description=(
            "The report as a PDF, laid out like a published report, with the changed names "
            "used in its text."
        ),
        back_url=_overview_url(access.inspection),
        back_label="Back to the report",
    )
