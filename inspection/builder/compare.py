"""What changed between two framework versions: questions, standards, domains and rules."""

from dataclasses import dataclass, field

from ..models import Framework
from ..services import framework_document

RULE_FIELDS = (
    "sample_types",
    "rating_bands",
    "rating_scores",
    "overall_thresholds",
    "minimum_cases",
    "small_organisation",
)


@dataclass
class Change:
    code: str
    old: dict | None
    new: dict | None
    fields: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, object, object]]:
        """Each changed field: its name, what it was, what it is now."""
        return [
            (name.replace("_", " "), (self.old or {}).get(name), (self.new or {}).get(name))
            for name in self.fields
        ]


@dataclass
class Comparison:
    domains: dict[str, list[Change]]
    standards: dict[str, list[Change]]
    questions: dict[str, list[Change]]
    rules: list[Change]

    @property
    def same(self) -> bool:
        groups = (self.domains, self.standards, self.questions)
        return not self.rules and not any(changes for g in groups for changes in g.values())


def _flatten(data: dict) -> tuple[dict, dict, dict]:
    domains, standards, questions = {}, {}, {}
    for domain in data["domains"]:
        domains[domain["code"]] = {"title": domain["title"]}
        for standard in domain["standards"]:
            standards[standard["code"]] = {
                "domain": domain["code"],
                "title": standard["title"],
                "statement": standard.get("statement", ""),
                "judged_by": standard["judged_by"],
                "counts_toward_overall": standard.get("counts_toward_overall", True),
                "source": standard.get("source", ""),
            }
            for kq in standard["key_questions"]:
                questions[kq["code"]] = {
                    "standard": standard["code"],
                    "key_question": "",
                    "text": kq["text"],
                    "source": kq["source"],
                    "guidance": kq.get("guidance", ""),
                    "applies_to": kq.get("applies_to", []),
                    "organisation_kinds": kq.get("organisation_kinds", []),
                }
                for prompt in kq.get("prompts", []):
                    questions[prompt["code"]] = {
                        "standard": standard["code"],
                        "key_question": kq["code"],
                        "text": prompt["text"],
                        "source": prompt["source"],
                        "guidance": prompt.get("guidance", ""),
                        "applies_to": prompt.get("applies_to", kq.get("applies_to", [])),
                        "organisation_kinds": prompt.get(
                            "organisation_kinds", kq.get("organisation_kinds", [])
                        ),
                    }
    return domains, standards, questions


def _diff(old: dict, new: dict) -> dict[str, list[Change]]:
    added = [Change(code, None, new[code]) for code in new if code not in old]
    removed = [Change(code, old[code], None) for code in old if code not in new]
    changed = []
    for code in old:
        if code in new and old[code] != new[code]:
            fields = [name for name in new[code] if old[code].get(name) != new[code][name]]
            changed.append(Change(code, old[code], new[code], fields))
    return {"added": added, "removed": removed, "changed": changed}


def framework_compare(old: Framework, new: Framework) -> Comparison:
    """The differences from ``old`` to ``new`` (8 queries)."""
    a, b = framework_document(old), framework_document(new)
    domains_a, standards_a, questions_a = _flatten(a)
    domains_b, standards_b, questions_b = _flatten(b)
    rules = []
    for name in RULE_FIELDS:
        if a.get(name) != b.get(name):
            rules.append(Change(name, {"value": a.get(name)}, {"value": b.get(name)}, [name]))
    return Comparison(
        domains=_diff(domains_a, domains_b),
        standards=_diff(standards_a, standards_b),
        questions=_diff(questions_a, questions_b),
        rules=rules,
    )
