"""Writes for inspections and frameworks."""

import hashlib
import json
from pathlib import Path

import jsonschema
from django.db import transaction

from .models import Domain, Framework, Question, Standard
from .rating_rules import DEFAULT_MINIMUM_CASES, RatingRules

#: The framework file's rule options kept in Framework.rating_options (docs/frameworks.md).
RATING_OPTIONS = ("minimum_cases", "small_organisation")
SCHEMA_PATH = Path(__file__).resolve().parent / "frameworks" / "schema.json"


class FrameworkError(Exception):
    """A framework file that cannot be loaded, with a message saying why."""


def framework_file_read(path: Path) -> tuple[dict, str]:
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise FrameworkError(f"{path.name}: not valid JSON ({error})") from error
    schema = json.loads(SCHEMA_PATH.read_text())
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path)
    )
    if errors:
        lines = [f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors[:20]]
        raise FrameworkError(
            f"{path.name} does not match the framework format:\n" + "\n".join(lines)
        )
    return data, hashlib.sha256(raw).hexdigest()


@transaction.atomic
def framework_load(*, path: Path) -> tuple[Framework, str]:
    """Load one framework version from its file; returns the framework and what happened.

    A version already loaded from the same file is left alone. A changed file for a version
    that an inspection already uses is refused: inspections keep the version they started
    with, so a change must come as a new version. A rating method that would leave some
    percent or score without a rating (bands out of order, no band from 0, a missing score,
    overall thresholds out of order) is refused before anything is written.
    """
    data, checksum = framework_file_read(path)
    try:
        RatingRules.from_framework_dict(data)
    except ValueError as error:
        raise FrameworkError(f"{path.name}: the rating method is not valid: {error}") from error
    problems = framework_rule_problems(data)
    if problems:
        raise FrameworkError(
            f"{path.name} refers to what the framework does not have:\n" + "\n".join(problems)
        )
    existing = Framework.objects.filter(slug=data["slug"], version=data["version"]).first()
    if existing and existing.checksum == checksum:
        return existing, "unchanged"
    if existing and existing.inspections.exists() and _same_content(existing, data):
        # The only change is to which kinds of organisation answer some questions, or the
        # file now writes out a rule it used to leave to its default.
        changed = _organisation_kinds_update(existing, data, path=path)
        existing.checksum = checksum
        existing.save(update_fields=["checksum"])
        return existing, "organisation kinds updated" if changed else "unchanged"
    if existing and existing.inspections.exists():
        raise FrameworkError(
            f"{path.name}: version {data['version']} of {data['name']} is used by inspections "
            "and has changed. Give the changed framework a new version."
        )
    outcome = "replaced" if existing else "loaded"
    if existing:
        existing.delete()
    return framework_create(data, checksum=checksum), outcome


def framework_create(
    data: dict, *, checksum: str = "", status: str = Framework.Status.PUBLISHED
) -> Framework:
    """Write a checked framework document as a new version with its domains, standards and
    questions, in the document's order."""
    framework = Framework.objects.create(
        slug=data["slug"],
        name=data["name"],
        version=data["version"],
        description=data.get("description", ""),
        source=data.get("source", ""),
        sample_types=data["sample_types"],
        rating_bands=data["rating_bands"],
        rating_scores=data["rating_scores"],
        overall_thresholds=data["overall_thresholds"],
        rating_options=_rating_options(data),
        checksum=checksum,
        status=status,
    )
    standard_position = question_position = 0
    for domain_position, domain_data in enumerate(data["domains"]):
        domain = Domain.objects.create(
            framework=framework,
            code=domain_data["code"],
            title=domain_data["title"],
            position=domain_position,
        )
        for standard_data in domain_data["standards"]:
            standard_position += 1
            standard = Standard.objects.create(
                framework=framework,
                domain=domain,
                code=standard_data["code"],
                title=standard_data["title"],
                statement=standard_data.get("statement", ""),
                judged_by=standard_data["judged_by"],
                source=standard_data.get("source", ""),
                case_facts=standard_data.get("case_facts", []),
                counts_toward_overall=standard_data.get("counts_toward_overall", True),
                position=standard_position,
            )
            for kq_data in standard_data["key_questions"]:
                question_position += 1
                key_question = Question.objects.create(
                    framework=framework,
                    standard=standard,
                    code=kq_data["code"],
                    text=kq_data["text"],
                    source=kq_data["source"],
                    guidance=kq_data.get("guidance", ""),
                    applies_to=kq_data.get("applies_to", []),
                    organisation_kinds=kq_data.get("organisation_kinds", []),
                    position=question_position,
                )
                prompts = []
                for prompt_data in kq_data.get("prompts", []):
                    question_position += 1
                    prompts.append(
                        Question(
                            framework=framework,
                            standard=standard,
                            parent=key_question,
                            code=prompt_data["code"],
                            text=prompt_data["text"],
                            source=prompt_data["source"],
                            guidance=prompt_data.get("guidance", ""),
                            applies_to=prompt_data.get("applies_to", key_question.applies_to),
                            organisation_kinds=prompt_data.get(
                                "organisation_kinds", key_question.organisation_kinds
                            ),
                            position=question_position,
                        )
                    )
                Question.objects.bulk_create(prompts)
    return framework


def _rating_options(data: dict) -> dict:
    """The rule options beyond bands, scores and thresholds, as the file writes them."""
    return {key: data[key] for key in RATING_OPTIONS if key in data}


def _rating_options_in_full(options: dict) -> dict:
    """The rule options with every default filled in, so that a file that writes a default
    out says the same as one that leaves it to the default."""
    return {
        "minimum_cases": {**DEFAULT_MINIMUM_CASES, **(options.get("minimum_cases") or {})},
        "small_organisation": options.get("small_organisation") or None,
    }


def framework_rule_problems(data: dict) -> list[str]:
    """What a framework file's rules refer to that the file does not define: a sample a
    question applies to that the framework does not draw, a prompt asked of a sample or kind
    its key question is not, no standard counting toward the overall rating. Each line names
    the field."""
    problems = []
    samples = set(data["sample_types"])
    counted = 0
    for d, domain_data in enumerate(data["domains"]):
        for s, standard_data in enumerate(domain_data["standards"]):
            counted += standard_data.get("counts_toward_overall", True)
            for k, kq_data in enumerate(standard_data["key_questions"]):
                where = f"domains/{d}/standards/{s}/key_questions/{k}"
                applies = kq_data.get("applies_to", [])
                kinds = kq_data.get("organisation_kinds") or []
                for sample in applies:
                    if sample not in samples:
                        problems.append(
                            f"{where}/applies_to: question {kq_data['code']} applies to the "
                            f"'{sample}' sample, which sample_types does not list"
                        )
                for p, prompt_data in enumerate(kq_data.get("prompts", [])):
                    here = f"{where}/prompts/{p}"
                    extra = set(prompt_data.get("applies_to", applies)) - set(applies)
                    if extra:
                        problems.append(
                            f"{here}/applies_to: prompt {prompt_data['code']} applies to "
                            f"{', '.join(sorted(extra))}, which its key question does not"
                        )
                    extra = set(prompt_data.get("organisation_kinds") or []) - set(kinds)
                    if kinds and extra:
                        problems.append(
                            f"{here}/organisation_kinds: prompt {prompt_data['code']} is asked "
                            f"of {', '.join(sorted(extra))}, which its key question is not"
                        )
    if not counted:
        problems.append(
            "domains: no standard counts toward the overall rating (counts_toward_overall)"
        )
    return problems


def _questions_in_file(data: dict) -> dict[str, tuple[dict, list[str]]]:
    """Each question of a framework file by code: its fields, and the organisation kinds that
    answer it (a prompt without its own takes its key question's)."""
    found = {}
    for domain_data in data["domains"]:
        for standard_data in domain_data["standards"]:
            for kq_data in standard_data["key_questions"]:
                kinds = kq_data.get("organisation_kinds", [])
                found[kq_data["code"]] = (kq_data, kinds)
                for prompt_data in kq_data.get("prompts", []):
                    found[prompt_data["code"]] = (
                        prompt_data,
                        prompt_data.get("organisation_kinds", kinds),
                    )
    return found


def _content_in_file(data: dict) -> list:
    """What a framework file says, leaving out which kinds of organisation answer each question."""
    framework = [
        data["name"],
        data.get("description", ""),
        data.get("source", ""),
        data["sample_types"],
        data["rating_bands"],
        data["rating_scores"],
        data["overall_thresholds"],
        _rating_options_in_full(data),
    ]
    standards = []
    for domain_data in data["domains"]:
        for standard_data in domain_data["standards"]:
            questions = []
            for kq_data in standard_data["key_questions"]:
                applies_to = kq_data.get("applies_to", [])
                questions.append(
                    [kq_data["code"], kq_data["text"], kq_data["source"], applies_to, None]
                )
                for prompt_data in kq_data.get("prompts", []):
                    questions.append(
                        [
                            prompt_data["code"],
                            prompt_data["text"],
                            prompt_data["source"],
                            prompt_data.get("applies_to", applies_to),
                            kq_data["code"],
                        ]
                    )
            standards.append(
                [
                    domain_data["code"],
                    domain_data["title"],
                    standard_data["code"],
                    standard_data["title"],
                    standard_data.get("statement", ""),
                    standard_data["judged_by"],
                    standard_data.get("source", ""),
                    standard_data.get("case_facts", []),
                    standard_data.get("counts_toward_overall", True),
                    questions,
                ]
            )
    return [framework, standards]


def _content_stored(framework: Framework) -> list:
    """The same as _content_in_file, read from a loaded framework (3 queries)."""
    head = [
        framework.name,
        framework.description,
        framework.source,
        framework.sample_types,
        framework.rating_bands,
        framework.rating_scores,
        framework.overall_thresholds,
        _rating_options_in_full(framework.rating_options),
    ]
    questions: dict[int, list] = {}
    for question in framework.questions.select_related("parent").order_by("position"):
        questions.setdefault(question.standard_id, []).append(
            [
                question.code,
                question.text,
                question.source,
                question.applies_to,
                question.parent.code if question.parent_id else None,
            ]
        )
    standards = [
        [
            standard.domain.code,
            standard.domain.title,
            standard.code,
            standard.title,
            standard.statement,
            standard.judged_by,
            standard.source,
            standard.case_facts,
            standard.counts_toward_overall,
            questions.get(standard.pk, []),
        ]
        for standard in Standard.objects.filter(framework=framework)
        .select_related("domain")
        .order_by("position")
    ]
    return [head, standards]


def _same_content(framework: Framework, data: dict) -> bool:
    # Through JSON both ways, so that a list read back from a JSONField compares equal; with
    # sorted keys, as PostgreSQL's jsonb keeps an object's keys in an order of its own.
    return json.dumps(_content_stored(framework), sort_keys=True) == json.dumps(
        _content_in_file(data), sort_keys=True
    )


def _organisation_kinds_update(framework: Framework, data: dict, *, path: Path) -> bool:
    """Narrow (or widen) which kinds of organisation answer questions of a version in use.

    Refused if a case of a kind no longer asked has already answered the question: its answer
    would drop out of ratings already given, which a version in use must never do.
    """
    wanted = {code: kinds for code, (_fields, kinds) in _questions_in_file(data).items()}
    changed = [
        question
        for question in framework.questions.all()
        if list(question.organisation_kinds) != list(wanted[question.code])
    ]
    for question in changed:
        kinds = wanted[question.code]
        # Answers are looked up through the reverse relation: this app imports nothing above it.
        answered_elsewhere = (
            question.answers.exclude(case__organisation__kind__in=kinds).exists()
            if kinds
            else False
        )
        if answered_elsewhere:
            raise FrameworkError(
                f"{path.name}: question {question.code} of version {data['version']} has been "
                "answered on cases of a kind of organisation the file no longer asks. "
                "Give the changed framework a new version."
            )
        question.organisation_kinds = kinds
    Question.objects.bulk_update(changed, ["organisation_kinds"])
    # The options as the file writes them (the same rules: _same_content compared them).
    framework.rating_options = _rating_options(data)
    framework.save(update_fields=["rating_options"])
    return bool(changed)


def framework_document(framework: Framework) -> dict:
    """A loaded framework version written out in the format it was loaded from (the one
    format, docs/frameworks.md): loading the document again gives the same version.

    Fields a file may leave to their default are written only where they differ from it, as
    the shipped files do: a question's ``guidance`` when it has any, a standard's
    ``counts_toward_overall`` when false, a prompt's
    ``applies_to`` and ``organisation_kinds`` when not its key question's, a key question's
    ``organisation_kinds`` when it names any (4 queries).
    """
    questions: dict[int, list[Question]] = {}
    for question in framework.questions.order_by("position"):
        questions.setdefault(question.standard_id, []).append(question)
    standards: dict[int, list[dict]] = {}
    for standard in framework.standards.order_by("position"):
        key_questions = []
        by_id: dict[int, dict] = {}
        parents: dict[int, Question] = {}
        for question in questions.get(standard.pk, []):
            if question.parent_id is None:
                entry = {
                    "code": question.code,
                    "text": question.text,
                    "source": question.source,
                    "applies_to": list(question.applies_to),
                }
                if question.guidance:
                    entry["guidance"] = question.guidance
                if question.organisation_kinds:
                    entry["organisation_kinds"] = list(question.organisation_kinds)
                entry["prompts"] = []
                key_questions.append(entry)
                by_id[question.pk] = entry
                parents[question.pk] = question
                continue
            parent = parents[question.parent_id]
            prompt = {"code": question.code, "text": question.text, "source": question.source}
            if question.guidance:
                prompt["guidance"] = question.guidance
            if list(question.applies_to) != list(parent.applies_to):
                prompt["applies_to"] = list(question.applies_to)
            if list(question.organisation_kinds) != list(parent.organisation_kinds):
                prompt["organisation_kinds"] = list(question.organisation_kinds)
            by_id[question.parent_id]["prompts"].append(prompt)
        entry = {
            "code": standard.code,
            "title": standard.title,
            "statement": standard.statement,
            "judged_by": standard.judged_by,
        }
        if not standard.counts_toward_overall:
            entry["counts_toward_overall"] = False
        entry |= {
            "source": standard.source,
            "case_facts": list(standard.case_facts),
            "key_questions": key_questions,
        }
        standards.setdefault(standard.domain_id, []).append(entry)
    return {
        "slug": framework.slug,
        "name": framework.name,
        "version": framework.version,
        "description": framework.description,
        "source": framework.source,
        "sample_types": list(framework.sample_types),
        "rating_bands": framework.rating_bands,
        "rating_scores": framework.rating_scores,
        "overall_thresholds": framework.overall_thresholds,
        **framework.rating_options,
        "domains": [
            {"code": domain.code, "title": domain.title, "standards": standards.get(domain.pk, [])}
            for domain in framework.domains.order_by("position")
        ],
    }
