"""What stops a framework version being published (or a file being imported as a draft).

Every problem is listed at once, each naming where it is: the file format (the same schema
that ``framework_load`` reads files with), codes that repeat, a standard without a key
question, a question asked of a sample or kind of organisation the framework does not have,
and rating bands or overall thresholds that overlap or leave gaps.
"""

import json
from collections import Counter

import jsonschema

from ..models import Framework
from ..rating_rules import RatingRules
from ..services import SCHEMA_PATH, framework_document, framework_rule_problems

KINDS = (
    "probation_trust",
    "nps_division",
    "crc",
    "pdu",
    "yot",
    "yos",
    "yjs",
)


def framework_problems(framework: Framework) -> list[str]:
    """Everything that stops this version being published."""
    return document_problems(framework_document(framework))


def document_problems(data: dict) -> list[str]:
    problems = _schema_problems(data)
    if not isinstance(data, dict):
        return problems
    domains = [d for d in data.get("domains") or [] if isinstance(d, dict)]
    standards = [s for d in domains for s in d.get("standards") or [] if isinstance(s, dict)]
    questions = [q for s in standards for q in s.get("key_questions") or [] if isinstance(q, dict)]
    prompts = [p for q in questions for p in q.get("prompts") or [] if isinstance(p, dict)]
    for what, items in (
        ("domain", domains),
        ("standard", standards),
        ("question", questions + prompts),
    ):
        counts = Counter(str(item.get("code")) for item in items)
        for code, count in sorted(counts.items()):
            if count > 1:
                problems.append(f"The {what} code {code} is used {count} times")
    if not domains:
        problems.append("The framework has no domain")
    for domain in domains:
        if not domain.get("standards"):
            problems.append(f"Domain {domain.get('code')} has no standard")
    for standard in standards:
        if not standard.get("key_questions"):
            problems.append(f"Standard {standard.get('code')} has no key question")
    samples = set(data.get("sample_types") or [])
    if not samples:
        problems.append("The framework draws no sample (sample_types is empty)")
    for question in questions + prompts:
        for sample in question.get("applies_to") or []:
            if sample not in samples:
                problems.append(
                    f"Question {question.get('code')} applies to the '{sample}' sample, "
                    "which the framework does not draw"
                )
        for kind in question.get("organisation_kinds") or []:
            if kind not in KINDS:
                problems.append(
                    f"Question {question.get('code')} is asked of '{kind}', "
                    "which is not a kind of organisation"
                )
    for standard in standards:
        if standard.get("judged_by") != "cases":
            continue  # an organisation's standard is rated from interviews and documents
        for question in standard.get("key_questions") or []:
            if isinstance(question, dict) and not question.get("applies_to"):
                problems.append(f"Question {question.get('code')} applies to no sample")
    problems += _rule_problems(data)
    try:
        problems += [
            line
            for line in framework_rule_problems(data)
            if "which sample_types does not list" not in line  # said above in words
        ]
    except (KeyError, TypeError, AttributeError):
        pass  # the schema problems above already say what is missing
    return list(dict.fromkeys(problems))


def _schema_problems(data) -> list[str]:
    schema = json.loads(SCHEMA_PATH.read_text())
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path)
    )
    return [
        f"File format: {'/'.join(map(str, e.path)) or '(top)'}: {e.message}"
        for e in errors
        # Said in words by the checks below.
        if not (e.validator == "minItems" and e.instance == [])
    ]


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _rule_problems(data: dict) -> list[str]:
    """Bands and thresholds that overlap or leave gaps, each said, then anything else the
    rating engine refuses."""
    problems = []
    bands = [b for b in data.get("rating_bands") or [] if isinstance(b, dict)]
    mins = [_number(b.get("min_percent")) for b in bands]
    names = [b.get("rating") for b in bands]
    for name, count in Counter(names).items():
        if count > 1:
            problems.append(f"Rating bands: {name} has {count} bands, which overlap")
    for (a, b), (name_a, name_b) in zip(
        zip(mins, mins[1:], strict=False), zip(names, names[1:], strict=False), strict=False
    ):
        if a is not None and b is not None and a <= b:
            problems.append(
                f"Rating bands: {name_b} starts at {b}%, not below {name_a} ({a}%): "
                "the bands overlap"
            )
    if mins and mins[-1] is not None and mins[-1] > 0:
        problems.append(
            f"Rating bands: the last band ({names[-1]}) starts at {mins[-1]}%, leaving a gap "
            "below it: it must start at 0%"
        )
    scores = data.get("rating_scores") or {}
    for name in names:
        if isinstance(scores, dict) and name not in scores:
            problems.append(f"Rating scores: {name} has no score")
    rows = [r for r in data.get("overall_thresholds") or [] if isinstance(r, dict)]
    limits = [
        _number(r.get("above_per_standard", r.get("above")))
        if r.get("above_per_standard", r.get("above")) is not None
        else None
        for r in rows
    ]
    if rows and limits[-1] is not None:
        problems.append(
            "Overall thresholds: the last row has a limit, leaving a gap below it: "
            "leave its limit empty"
        )
    for row, limit in zip(rows[:-1], limits[:-1], strict=False):
        if limit is None:
            problems.append(
                f"Overall thresholds: {row.get('rating')} has no limit; only the last row "
                "may have none"
            )
    upper = [limit for limit in limits[:-1] if limit is not None]
    for a, b in zip(upper, upper[1:], strict=False):
        if a <= b:
            problems.append(
                f"Overall thresholds: a limit of {b} is not below {a}: the thresholds overlap"
            )
    if not problems:
        try:
            RatingRules.from_framework_dict(data)
        except (ValueError, TypeError) as error:
            problems.append(f"Rating rules: {error}")
    return problems
