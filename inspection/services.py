"""Writes for inspections and frameworks."""

import hashlib
import json
from pathlib import Path

import jsonschema
from django.db import transaction

from .models import Domain, Framework, Question, Standard
from .rating_rules import RatingRules

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
    existing = Framework.objects.filter(slug=data["slug"], version=data["version"]).first()
    if existing and existing.checksum == checksum:
        return existing, "unchanged"
    if existing and existing.inspections.exists():
        raise FrameworkError(
            f"{path.name}: version {data['version']} of {data['name']} is used by inspections "
            "and has changed. Give the changed framework a new version."
        )
    outcome = "replaced" if existing else "loaded"
    if existing:
        existing.delete()
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
        checksum=checksum,
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
                    applies_to=kq_data.get("applies_to", []),
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
                            applies_to=prompt_data.get("applies_to", key_question.applies_to),
                            position=question_position,
                        )
                    )
                Question.objects.bulk_create(prompts)
    return framework, outcome
