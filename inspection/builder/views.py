"""The framework builder's pages, for framework editors (and administrators) only."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from ..models import Framework
from ..permissions import may_edit_frameworks
from ..services import FrameworkError, framework_document
from . import services
from .checks import framework_problems
from .compare import framework_compare
from .forms import DetailsForm, DomainForm, ImportForm, QuestionForm, StandardForm, StartForm

FORMS = {"domain": DomainForm, "standard": StandardForm, "question": QuestionForm}


def _editor(request) -> None:
    if not may_edit_frameworks(request.user):
        raise PermissionDenied


def _posted(request):
    return request.POST if request.method == "POST" else None


def _seen_now(request, framework) -> int:
    """The number to carry in the form: what it was opened with, through a refused POST."""
    seen = _seen(request) if request.method == "POST" else None
    return framework.changes.count() if seen is None else seen


def _seen(request) -> int | None:
    """How many changes the draft had when the form was opened (the form's hidden field)."""
    value = request.POST.get("seen", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _framework(request, slug, version) -> Framework:
    _editor(request)
    return get_object_or_404(Framework, slug=slug, version=version)


def _draft(request, slug, version) -> Framework:
    framework = _framework(request, slug, version)
    if not framework.is_draft or framework.inspections.exists():
        # A published version never changes: its forms are not offered.
        raise PermissionDenied
    return framework


def _detail(framework):
    return redirect("frameworks:detail", slug=framework.slug, version=framework.version)


@require_GET
def framework_list(request):
    _editor(request)
    frameworks = Framework.objects.order_by("name", "-version")
    return render(request, "inspection/frameworks/list.html", {"frameworks": frameworks})


def framework_start(request):
    _editor(request)
    form = StartForm(_posted(request), frameworks=Framework.objects.order_by("name", "-version"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            framework = services.draft_start(
                actor=request.user,
                source=data["source_framework"],
                slug=data.get("slug") or "",
                name=data["name"],
                version=data["version"],
            )
        except FrameworkError as error:
            form.add_error("version", str(error))
        else:
            messages.success(request, f"Draft {framework} started")
            return _detail(framework)
    return render(
        request,
        "inspection/frameworks/form.html",
        {"form": form, "title": "Start a new framework version", "multipart": False},
    )


def framework_import(request):
    _editor(request)
    form = ImportForm(_posted(request), request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.draft_import(
                actor=request.user, raw=form.cleaned_data["file"].read()
            )
        except services.PublishRefused as refused:
            problems = refused.problems
            form.add_error("file", "The file was not imported: the problems are listed below")
        except FrameworkError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, f"Draft {framework} imported")
            return _detail(framework)
    return render(
        request,
        "inspection/frameworks/form.html",
        {
            "form": form,
            "title": "Import a framework file as a draft",
            "multipart": True,
            "problems": problems,
        },
    )


@require_GET
def framework_detail(request, slug, version):
    framework = _framework(request, slug, version)
    domains = list(framework.domains.all())
    standards = list(framework.standards.all())
    questions = list(framework.questions.all())
    for domain in domains:
        domain.items = [s for s in standards if s.domain_id == domain.pk]
        for standard in domain.items:
            standard.items = [
                q for q in questions if q.standard_id == standard.pk and q.parent_id is None
            ]
            for question in standard.items:
                question.items = [q for q in questions if q.parent_id == question.pk]
    return render(
        request,
        "inspection/frameworks/detail.html",
        {
            "framework": framework,
            "domains": domains,
            "editable": framework.is_draft and not framework.inspections.exists(),
            "in_use": framework.inspections.count(),
            "changes": framework.changes.select_related("actor").order_by("-at", "-pk")[:20],
            "rules": json.dumps(framework.rules_dict(), indent=2),
        },
    )


def framework_details(request, slug, version):
    framework = _draft(request, slug, version)
    form = DetailsForm(_posted(request), initial=DetailsForm.initial_for(framework))
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_details_update(
                framework=framework, actor=request.user, seen=_seen(request), **form.values()
            )
        except FrameworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Details and rules saved")
            return _detail(framework)
    return render(
        request,
        "inspection/frameworks/form.html",
        {
            "form": form,
            "framework": framework,
            "title": "Details, samples and rules",
            "seen": _seen_now(request, framework),
        },
    )


def _item(framework, kind, code):
    if kind not in FORMS:
        raise Http404
    return get_object_or_404(services.KINDS[kind], framework=framework, code=code)


def _initial(kind, item) -> dict:
    if item is None:
        return {"counts_toward_overall": "yes", "judged_by": "cases"}
    if kind == "domain":
        return {"code": item.code, "title": item.title}
    if kind == "standard":
        return {
            "domain": item.domain.code,
            "code": item.code,
            "title": item.title,
            "statement": item.statement,
            "judged_by": item.judged_by,
            "counts_toward_overall": "yes" if item.counts_toward_overall else "no",
            "source": item.source,
            "case_facts": list(item.case_facts),
        }
    return {
        "key_question": item.parent.code if item.parent_id else "",
        "standard": item.standard.code,
        "code": item.code,
        "text": item.text,
        "source": item.source,
        "guidance": item.guidance,
        "applies_to": list(item.applies_to),
        "organisation_kinds": list(item.organisation_kinds),
    }


def _item_form(request, framework, kind, item):
    initial = _initial(kind, item)
    if item is None:
        initial |= {k: v for k, v in request.GET.items() if k in ("standard", "key_question")}
    form = FORMS[kind](_posted(request), framework=framework, item=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.item_save(
                framework=framework,
                actor=request.user,
                kind=kind,
                item=item,
                seen=_seen(request),
                **form.values(),
            )
        except FrameworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{kind.capitalize()} {saved.code} saved")
            return redirect(f"{framework_url(framework)}#{kind}-{saved.code}")
    title = f"Add a {kind}" if item is None else f"Change {kind} {item.code}"
    return render(
        request,
        "inspection/frameworks/form.html",
        {
            "form": form,
            "framework": framework,
            "title": title,
            "seen": _seen_now(request, framework),
        },
    )


def framework_url(framework) -> str:
    from django.urls import reverse

    return reverse("frameworks:detail", args=[framework.slug, framework.version])


def item_add(request, slug, version, kind):
    framework = _draft(request, slug, version)
    if kind not in FORMS:
        raise Http404
    return _item_form(request, framework, kind, None)


def item_edit(request, slug, version, kind, code):
    framework = _draft(request, slug, version)
    return _item_form(request, framework, kind, _item(framework, kind, code))


@require_POST
def item_move(request, slug, version, kind, code):
    framework = _draft(request, slug, version)
    item = _item(framework, kind, code)
    up = request.POST.get("direction") == "up"
    if request.POST.get("direction") not in ("up", "down"):
        messages.error(request, "Choose Move up or Move down")
    elif services.item_move(framework=framework, actor=request.user, kind=kind, item=item, up=up):
        messages.success(request, f"{kind.capitalize()} {code} moved {'up' if up else 'down'}")
    return redirect(f"{framework_url(framework)}#{kind}-{code}")


@require_POST
def item_remove(request, slug, version, kind, code):
    framework = _draft(request, slug, version)
    item = _item(framework, kind, code)
    services.item_remove(framework=framework, actor=request.user, kind=kind, item=item)
    messages.success(request, f"{kind.capitalize()} {code} removed")
    return _detail(framework)


@require_GET
def step_preview(request, slug, version, code):
    framework = _framework(request, slug, version)
    standard = get_object_or_404(framework.standards.select_related("domain"), code=code)
    questions = list(standard.questions.all())
    key_questions = [q for q in questions if q.parent_id is None]
    for question in key_questions:
        question.items = [q for q in questions if q.parent_id == question.pk]
    standards = list(framework.standards.filter(judged_by="cases"))
    return render(
        request,
        "inspection/frameworks/preview.html",
        {
            "framework": framework,
            "standard": standard,
            "key_questions": key_questions,
            "step_number": next(
                (i for i, s in enumerate(standards, 1) if s.pk == standard.pk), None
            ),
            "steps": len(standards),
        },
    )


def framework_publish(request, slug, version):
    framework = _framework(request, slug, version)
    if not framework.is_draft:
        messages.info(request, f"{framework} is already published")
        return _detail(framework)
    problems = framework_problems(framework)
    if request.method == "POST":
        try:
            services.framework_publish(framework=framework, actor=request.user)
        except services.PublishRefused as refused:
            problems = refused.problems
        except FrameworkError as error:
            problems = [str(error)]
        else:
            messages.success(request, f"{framework} published: it can now be used by inspections")
            return _detail(framework)
    return render(
        request,
        "inspection/frameworks/publish.html",
        {"framework": framework, "problems": problems, "tried": request.method == "POST"},
    )


@require_GET
def framework_compare_page(request):
    _editor(request)
    frameworks = {
        f"{f.slug}/{f.version}": f for f in Framework.objects.order_by("name", "-version")
    }
    old = frameworks.get(request.GET.get("old", ""))
    new = frameworks.get(request.GET.get("new", ""))
    error = None
    if ("old" in request.GET or "new" in request.GET) and not (old and new):
        error = "Choose the two versions to compare"
    return render(
        request,
        "inspection/frameworks/compare.html",
        {
            "frameworks": frameworks,
            "old": old,
            "new": new,
            "old_key": request.GET.get("old", ""),
            "new_key": request.GET.get("new", ""),
            "error": error,
            "comparison": framework_compare(old, new) if old and new else None,
        },
    )


@require_GET
def framework_export(request, slug, version):
    framework = _framework(request, slug, version)
    body = json.dumps(framework_document(framework), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{framework.slug}-{framework.version}.json"'
    )
    return response
