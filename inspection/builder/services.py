"""Every change to a framework version made in the service, audited (``FrameworkChange``) in
the same transaction. Only a draft changes; a published version, or one an inspection uses,
refuses every change."""

import hashlib
import json

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..models import Domain, Framework, FrameworkChange, Question, Standard
from ..services import FrameworkError, framework_create, framework_document
from .checks import document_problems, framework_problems

BLANK_RULES = {
    "rating_bands": [
        {"rating": "Outstanding", "min_percent": 80},
        {"rating": "Good", "min_percent": 65},
        {"rating": "Requires improvement", "min_percent": 50},
        {"rating": "Inadequate", "min_percent": 0},
    ],
    "rating_scores": {"Outstanding": 3, "Good": 2, "Requires improvement": 1, "Inadequate": 0},
    "overall_thresholds": [
        {"rating": "Outstanding", "above_per_standard": 2.5},
        {"rating": "Good", "above_per_standard": 1.5},
        {"rating": "Requires improvement", "above_per_standard": 0.5},
        {"rating": "Inadequate", "above_per_standard": None},
    ],
}


class PublishRefused(FrameworkError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _audit(framework, actor, action, target="", old=None, new=None) -> None:
    FrameworkChange.objects.create(
        framework=framework,
        framework_label=str(framework),
        actor=actor,
        action=action,
        target=target,
        old=old,
        new=new,
    )


class StaleDraft(FrameworkError):
    """Someone else changed the draft after the form was opened."""


def _locked_draft(framework: Framework, seen: int | None = None) -> Framework:
    """The draft, locked against a second editor's change until the transaction ends.

    ``seen``: how many changes the draft had when the form was opened; a different number now
    means someone else changed it meanwhile, and the change is refused."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if not framework.is_draft or framework.inspections.exists():
        raise FrameworkError(f"{framework} is published and never changes: start a new draft")
    if seen is not None and framework.changes.count() != seen:
        raise StaleDraft(
            "Not saved: someone else changed this draft after you opened this page. "
            "Reload the page to see their change, then make yours again."
        )
    return framework


def _version_free(slug: str, version: str) -> None:
    if Framework.objects.filter(slug=slug, version=version).exists():
        raise FrameworkError(f"Version {version} of {slug} already exists")


@transaction.atomic
def draft_start(
    *, actor, source: Framework | None, slug: str, name: str, version: str
) -> Framework:
    """A new draft: a deep copy of ``source`` under a new version, or an empty framework."""
    if source is not None:
        data = framework_document(source)
        slug = source.slug
    else:
        data = {
            "slug": slug,
            "description": "",
            "source": "",
            "sample_types": [],
            **BLANK_RULES,
            "domains": [],
        }
    _version_free(slug, version)
    data |= {"name": name, "version": version}
    framework = framework_create(data, status=Framework.Status.DRAFT)
    _audit(
        framework,
        actor,
        "started",
        new={"from": str(source) if source else None},
    )
    return framework


@transaction.atomic
def draft_import(*, actor, raw: bytes) -> Framework:
    """A framework file (the one format) as a new draft, checked as a file to be loaded is."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PublishRefused([f"The file is not valid JSON ({error})"]) from error
    problems = document_problems(data)
    if problems:
        raise PublishRefused(problems)
    _version_free(data["slug"], data["version"])
    framework = framework_create(data, status=Framework.Status.DRAFT)
    _audit(framework, actor, "imported", new={"sha256": hashlib.sha256(raw).hexdigest()})
    return framework


@transaction.atomic
def framework_publish(*, framework: Framework, actor) -> Framework:
    framework = _locked_draft(framework)
    problems = framework_problems(framework)
    if problems:
        raise PublishRefused(problems)
    document = json.dumps(framework_document(framework), indent=2, ensure_ascii=False)
    framework.status = Framework.Status.PUBLISHED
    framework.published_at = timezone.now()
    framework.checksum = hashlib.sha256(document.encode()).hexdigest()
    framework.save(update_fields=["status", "published_at", "checksum"])
    _audit(framework, actor, "published", old={"status": "draft"}, new={"status": "published"})
    return framework


FRAMEWORK_FIELDS = (
    "name",
    "description",
    "source",
    "sample_types",
    "rating_bands",
    "rating_scores",
    "overall_thresholds",
    "rating_options",
)


@transaction.atomic
def framework_details_update(
    *, framework: Framework, actor, seen: int | None = None, **values
) -> Framework:
    framework = _locked_draft(framework, seen)
    old = {name: getattr(framework, name) for name in values}
    for name, value in values.items():
        if name not in FRAMEWORK_FIELDS:
            raise ValueError(f"not a framework field: {name}")
        setattr(framework, name, value)
    framework.save(update_fields=list(values))
    _audit(framework, actor, "changed rules and details", "framework", old, values)
    return framework


def _snapshot(item) -> dict:
    if isinstance(item, Domain):
        return {"code": item.code, "title": item.title}
    if isinstance(item, Standard):
        return {
            "code": item.code,
            "domain": item.domain.code,
            "title": item.title,
            "statement": item.statement,
            "judged_by": item.judged_by,
            "counts_toward_overall": item.counts_toward_overall,
            "source": item.source,
            "case_facts": list(item.case_facts),
        }
    return {
        "code": item.code,
        "key_question": item.parent.code if item.parent_id else None,
        "text": item.text,
        "source": item.source,
        "guidance": item.guidance,
        "applies_to": list(item.applies_to),
        "organisation_kinds": list(item.organisation_kinds),
    }


KINDS = {"domain": Domain, "standard": Standard, "question": Question}


def _next_position(framework, model) -> int:
    return (model.objects.filter(framework=framework).aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def item_save(
    *, framework: Framework, actor, kind: str, item=None, seen: int | None = None, **values
):
    """Add (``item`` None) or change a domain, standard or question of a draft."""
    framework = _locked_draft(framework, seen)
    model = KINDS[kind]
    old = None
    if item is None:
        item = model(framework=framework, position=_next_position(framework, model))
    else:
        item = model.objects.get(pk=item.pk, framework=framework)
        old = _snapshot(item)
    for name, value in values.items():
        setattr(item, name, value)
    if isinstance(item, Question) and item.parent_id:
        item.standard_id = Question.objects.get(pk=item.parent_id).standard_id
    item.save()
    if isinstance(item, Question) and item.parent_id is None:
        item.prompts.update(standard=item.standard_id)
    _renumber(framework)
    item.refresh_from_db()
    new = _snapshot(item)
    _audit(framework, actor, "added" if old is None else "changed", f"{kind} {item.code}", old, new)
    return item


@transaction.atomic
def item_remove(*, framework: Framework, actor, kind: str, item) -> None:
    framework = _locked_draft(framework)
    item = KINDS[kind].objects.get(pk=item.pk, framework=framework)
    old = _snapshot(item)
    # What goes with it, so that the record says everything that was removed.
    if isinstance(item, Domain):
        old["standards"] = [_snapshot(s) for s in item.standards.all()]
    if not isinstance(item, Question) or item.parent_id is None:
        inner = Question.objects.filter(framework=framework).select_related("parent")
        inner = (
            inner.filter(standard__domain=item)
            if isinstance(item, Domain)
            else inner.filter(standard=item)
            if isinstance(item, Standard)
            else inner.filter(parent=item)
        )
        old["questions"] = [_snapshot(q) for q in inner]
    item.delete()
    _renumber(framework)
    _audit(framework, actor, "removed", f"{kind} {old['code']}", old, None)


def _siblings(item) -> list:
    if isinstance(item, Domain):
        return list(Domain.objects.filter(framework=item.framework_id))
    if isinstance(item, Standard):
        return list(Standard.objects.filter(domain=item.domain_id))
    return list(Question.objects.filter(standard=item.standard_id, parent=item.parent_id))


@transaction.atomic
def item_move(*, framework: Framework, actor, kind: str, item, up: bool) -> bool:
    """Swap an item with the one above (or below) it among its siblings; False at the end."""
    framework = _locked_draft(framework)
    item = KINDS[kind].objects.get(pk=item.pk, framework=framework)
    siblings = sorted(_siblings(item), key=lambda x: x.position)
    index = [s.pk for s in siblings].index(item.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(siblings):
        return False
    other = siblings[other_index]
    item.position, other.position = other.position, item.position
    type(item).objects.bulk_update([item, other], ["position"])
    _renumber(framework)
    _audit(
        framework,
        actor,
        "moved up" if up else "moved down",
        f"{kind} {item.code}",
        {"position": index + 1},
        {"position": other_index + 1},
    )
    return True


def _renumber(framework: Framework) -> None:
    """Positions in the walk-through's order: domains, their standards, each key question
    followed by its prompts."""
    domains = list(Domain.objects.filter(framework=framework).order_by("position", "pk"))
    standards = list(Standard.objects.filter(framework=framework))
    questions = list(Question.objects.filter(framework=framework))
    domain_rank = {d.pk: i for i, d in enumerate(domains)}
    standards.sort(key=lambda s: (domain_rank[s.domain_id], s.position, s.pk))
    for i, domain in enumerate(domains):
        domain.position = i
    for i, standard in enumerate(standards, start=1):
        standard.position = i
    key_questions = sorted(
        (q for q in questions if q.parent_id is None), key=lambda q: (q.position, q.pk)
    )
    prompts = sorted((q for q in questions if q.parent_id), key=lambda q: (q.position, q.pk))
    ordered = []
    for standard in standards:
        for kq in key_questions:
            if kq.standard_id == standard.pk:
                ordered.append(kq)
                ordered += [p for p in prompts if p.parent_id == kq.pk]
    for i, question in enumerate(ordered, start=1):
        question.position = i
    Domain.objects.bulk_update(domains, ["position"])
    Standard.objects.bulk_update(standards, ["position"])
    Question.objects.bulk_update(ordered, ["position"])
