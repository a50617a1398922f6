"""The import's checks that need the database or the whole file (see importer/__init__):
names that must match something in the file or in the database, things named twice, and each
object checked with its model's rules (importer/validation.py).

One module of about 500 lines, because it is one thing: the Checker walks the file once, top
to bottom, and what it learns early (the framework, the people, the lead inspector, the case
references) is what the later checks test against.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from casefiles.models import (
    Case,
    Requirement,
)
from casefiles.parts import PARTS
from inspection.models import (
    Area,
    Domain,
    Framework,
    Inspection,
    Membership,
    Organisation,
    Question,
    Standard,
)
from judgements.models import (
    Answer,
    AnswerValue,
    ModerationDecision,
    OrganisationRating,
    ReturnedQuestion,
)
from judgements.rules import note_problem, question_refusal
from reports.exchange.format import Problem
from reports.exchange.importer.reading import as_uuid, objects_at, value_at
from reports.exchange.importer.validation import model_problems
from reports.models import (
    DomainFindings,
    KeyFact,
    PracticeExample,
    Pseudonym,
    Recommendation,
    Report,
    StandardText,
)


class Checker:
    """The checks that need the database or the whole file: names that must match, nothing
    named twice, and each object checked with its model's rules (``validate``). Collects every
    problem; the writer runs only if none.

    ``refused`` holds the paths the format check already reported, so that a value the schema
    refused is not reported a second time by its model.
    """

    def __init__(self, data: Any, refused: Iterable[str] = ()):
        self.data = data if isinstance(data, dict) else {}
        self.refused = set(refused)
        self.problems: list[Problem] = []
        self.framework: Framework | None = None
        self.questions: dict[str, Question] = {}
        self.standards: dict[str, Standard] = {}
        self.people: set[str] = set()
        self.organisations: set[str] = set()
        self.organisation_kinds: dict[str, Any] = {}  # slug -> kind, for the questions asked
        self.lead: str | None = None
        self.domains: dict[str, Domain] = {}
        self.case_references: set[str] = set()
        # public id -> (model, first path), to find ids used twice or already taken
        self.public_ids: dict[uuid.UUID, tuple[type, str]] = {}

    def add(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def validate(self, model: type, obj: dict, path: str) -> None:
        """The object at ``path`` checked with its model's rules (fields, clean, constraints)."""
        refused = [p for p in self.refused if p.startswith(path)]
        self.problems += model_problems(model, obj, path, refused)

    def run(self) -> None:
        self.check_framework()
        self.check_inspection()
        self.check_organisations()
        self.check_people()
        self.check_team()
        self.check_cases()
        self.check_ratings()
        self.check_report()
        self.check_public_ids()

    def check_framework(self) -> None:
        fw = self.data.get("framework")
        slug, version = value_at(fw, "slug"), value_at(fw, "version")
        if slug is None or version is None:
            return
        self.framework = Framework.objects.filter(
            slug=slug, version=version, status=Framework.Status.PUBLISHED
        ).first()
        if self.framework is None:
            name = value_at(fw, "name") or slug
            self.add(
                "$.framework",
                f"framework {name} ({version}) is not loaded in this database: load that "
                "version first (python manage.py load_frameworks), then import again",
            )
            return
        self.questions = {
            q.code: q
            for q in Question.objects.filter(framework=self.framework).select_related(
                "standard", "parent"
            )
        }
        self.standards = {s.code: s for s in Standard.objects.filter(framework=self.framework)}
        self.domains = {d.code: d for d in Domain.objects.filter(framework=self.framework)}

    def check_inspection(self) -> None:
        inspection = self.data.get("inspection")
        reference = value_at(inspection, "reference")
        if reference and Inspection.objects.filter(reference=reference).exists():
            self.add(
                "$.inspection.reference",
                f"an inspection with reference '{reference}' already exists in this database; "
                "an import never changes an existing inspection",
            )
        if isinstance(inspection, dict):
            self.validate(Inspection, inspection, "$.inspection")

    def check_organisations(self) -> None:
        areas: dict[str, tuple[str, tuple]] = {}
        area_names: dict[str, str] = {}
        for i, org in objects_at(self.data, "organisations"):
            path = f"$.organisations[{i}]"
            slug = value_at(org, "slug")
            if slug is None:
                continue
            if slug in self.organisations:
                self.add(f"{path}.slug", f"organisation '{slug}' is listed twice")
            self.organisations.add(slug)
            self.organisation_kinds[slug] = value_at(org, "kind")
            area = org.get("area")
            area_slug, area_name = value_at(area, "slug"), value_at(area, "name")
            details = (area_name, value_at(area, "police_force_area"), value_at(area, "region"))
            if area_slug is not None:
                seen = areas.setdefault(area_slug, (path, details))
                if seen[1] != details:
                    self.add(
                        f"{path}.area",
                        f"area '{area_slug}' is described differently at {seen[0]}.area",
                    )
                if area_name is not None and area_names.setdefault(area_name, area_slug) != (
                    area_slug
                ):
                    self.add(
                        f"{path}.area.name",
                        f"two areas are called '{area_name}'; an area's name is unique",
                    )
            existing = Organisation.objects.filter(slug=slug).select_related("area").first()
            if existing is not None:
                theirs = (existing.name, existing.kind, existing.area.slug)
                ours = (value_at(org, "name"), value_at(org, "kind"), area_slug)
                if theirs != ours:
                    self.add(
                        path,
                        f"organisation '{slug}' already exists in this database as "
                        f"'{existing.name}' ({existing.kind}) in area '{existing.area.slug}'; "
                        "the file must describe it the same way",
                    )
            if area_slug is None:
                continue
            existing_area = Area.objects.filter(slug=area_slug).first()
            if existing_area is not None:
                theirs = (
                    existing_area.name,
                    existing_area.police_force_area,
                    existing_area.region,
                )
                if theirs != details:
                    self.add(
                        f"{path}.area",
                        f"area '{area_slug}' already exists in this database as "
                        f"'{existing_area.name}' ({existing_area.police_force_area}, "
                        f"{existing_area.region}); the file must describe it the same way",
                    )
            elif area_name and Area.objects.filter(name=area_name).exists():
                self.add(
                    f"{path}.area.name",
                    f"an area called '{area_name}' already exists in this database under "
                    "another slug",
                )

    def check_people(self) -> None:
        for i, person in objects_at(self.data, "people"):
            username = value_at(person, "username")
            if username is None:
                continue
            if username in self.people:
                self.add(f"$.people[{i}].username", f"'{username}' is listed twice")
            self.people.add(username)

    def check_person(self, path: str, username: Any) -> None:
        if isinstance(username, str) and username not in self.people:
            self.add(path, f"'{username}' is not one of the people listed in $.people")

    def check_team(self) -> None:
        team: set[str] = set()
        for i, member in objects_at(self.data, "team"):
            path = f"$.team[{i}]"
            username = value_at(member, "username")
            self.check_person(f"{path}.username", username)
            if username in team:
                self.add(f"{path}.username", f"'{username}' has two places on the team")
            if username:
                team.add(username)
            role = value_at(member, "role")
            if role == Membership.Role.LEAD and self.lead is None:
                self.lead = username
            self.validate(Membership, member, path)

    def check_cases(self) -> None:
        seen: dict[str, tuple[int, str | None]] = {}
        sample_types = self.framework.sample_types if self.framework else None
        for i, case in objects_at(self.data, "cases"):
            path = f"$.cases[{i}]"
            reference, sample = value_at(case, "reference"), value_at(case, "sample_type")
            if reference is not None:
                if reference in seen:
                    first, first_sample = seen[reference]
                    if sample and first_sample and sample != first_sample:
                        reason = (
                            f"case '{reference}' is also at $.cases[{first}]: the file puts it "
                            f"in two samples ('{first_sample}' and '{sample}'), but a case "
                            "belongs to one sample"
                        )
                    else:
                        reason = f"case '{reference}' is also at $.cases[{first}]"
                    self.add(f"{path}.reference", reason)
                else:
                    seen[reference] = (i, sample)
                self.case_references.add(reference)
            self.note_public_id(Case, f"{path}.public_id", case)
            organisation = value_at(case, "organisation")
            if organisation is not None and organisation not in self.organisations:
                self.add(
                    f"{path}.organisation",
                    f"'{organisation}' is not one of the inspection's organisations "
                    "($.organisations)",
                )
            if sample and sample_types is not None and sample not in sample_types:
                self.add(
                    f"{path}.sample_type",
                    f"framework {self.framework} draws no '{sample}' sample; its samples are "
                    + ", ".join(f"'{s}'" for s in sample_types),
                )
            inspector = value_at(case, "inspector")
            self.check_person(f"{path}.inspector", inspector)
            self.validate(Case, case, path)
            status = value_at(case, "status")
            if status and status != Case.Status.NOT_STARTED and not inspector and not self.lead:
                self.add(
                    f"{path}.inspector",
                    f"the case is '{status}' but has no inspector and the team has no lead "
                    "inspector, so nobody can be named in the audit trail for it",
                )
            self.check_case_file(path, case)
            self.check_answers(path, case)
            self.check_moderation(path, case)

    def note_public_id(self, model: type, path: str, obj: dict) -> None:
        value = as_uuid(value_at(obj, "public_id"))
        if value is None:
            return
        if value in self.public_ids:
            self.add(path, f"public id '{value}' is also used at {self.public_ids[value][1]}")
        else:
            self.public_ids[value] = (model, path)

    def check_public_ids(self) -> None:
        by_model: dict[type, dict[uuid.UUID, str]] = {}
        for value, (model, path) in self.public_ids.items():
            by_model.setdefault(model, {})[value] = path
        for model, paths in by_model.items():
            taken = set(
                model.objects.filter(public_id__in=list(paths)).values_list("public_id", flat=True)
            )
            for value, path in paths.items():
                if value in taken:
                    self.add(
                        path,
                        f"public id '{value}' is already used in this database "
                        f"(a {model._meta.verbose_name})",
                    )

    def check_case_file(self, path: str, case: dict) -> None:
        for kind in PARTS:
            for j, part in objects_at(case, kind.slug):
                self.note_public_id(kind.model, f"{path}.{kind.slug}[{j}].public_id", part)
                self.validate(kind.model, part, f"{path}.{kind.slug}[{j}]")
        for j, order in objects_at(case, "orders"):
            kinds: set[str] = set()
            for k, requirement in objects_at(order, "requirements"):
                here = f"{path}.orders[{j}].requirements[{k}]"
                self.validate(Requirement, requirement, here)
                kind = value_at(requirement, "requirement_type")
                if kind in kinds:
                    self.add(
                        f"{here}.requirement_type",
                        f"requirement '{kind}' is listed twice for this order",
                    )
                if kind:
                    kinds.add(kind)
        children = {
            str(v)
            for v in (as_uuid(value_at(c, "public_id")) for _, c in objects_at(case, "children"))
            if v
        }
        for key in ("plans", "referrals"):
            for j, part in objects_at(case, key):
                child = value_at(part, "child")
                if child is not None and as_uuid(child) is not None and child not in children:
                    self.add(
                        f"{path}.{key}[{j}].child",
                        f"no linked child of this case has the public id '{child}' "
                        f"(see {path}.children)",
                    )

    def question(self, path: str, code: Any) -> Question | None:
        """The framework's question with this code; a problem if there is none."""
        if not isinstance(code, str) or self.framework is None:
            return None
        question = self.questions.get(code)
        if question is None:
            self.add(path, f"unknown question code '{code}' for framework {self.framework}")
        return question

    def check_answers(self, path: str, case: dict) -> None:
        answered: dict[str, int] = {}
        for j, answer in objects_at(case, "answers"):
            here = f"{path}.answers[{j}]"
            self.validate(Answer, answer, here)
            code = value_at(answer, "question")
            question = self.question(f"{here}.question", code)
            self.check_person(f"{here}.answered_by", value_at(answer, "answered_by"))
            if code in answered:
                self.add(
                    f"{here}.question",
                    f"{code} is answered twice (also at answers[{answered[code]}])",
                )
            elif code:
                answered[code] = j
            if question is None:
                continue
            if not question.standard.is_case_judged:
                self.add(
                    f"{here}.question",
                    f"{code} belongs to standard {question.standard.code}, which is rated at "
                    "organisation level, not answered for each case",
                )
                continue
            refusal = self.not_asked(question, case)
            if refusal:
                self.add(f"{here}.question", refusal)
                continue
            value, note = value_at(answer, "value"), value_at(answer, "note")
            if (
                value in AnswerValue.values
                and note is not None
                and note_problem(question, value, note)
            ):
                why = (
                    f"key question {code} needs an evidence note"
                    if question.is_key_question
                    else f"{code} is answered No, so it needs an evidence note"
                )
                self.add(f"{here}.note", why)

    def not_asked(self, question: Question, case: dict) -> str | None:
        """Why the case may not answer the question (judgements.rules.question_refusal): a
        question of another sample, or of another kind of organisation."""
        sample = value_at(case, "sample_type")
        kind = self.organisation_kinds.get(value_at(case, "organisation"))
        if not isinstance(sample, str):
            return None
        return question_refusal(question, sample, kind if isinstance(kind, str) else None)

    def check_moderation(self, path: str, case: dict) -> None:
        for j, decision in objects_at(case, "moderation"):
            here = f"{path}.moderation[{j}]"
            self.validate(ModerationDecision, decision, here)
            self.check_person(f"{here}.moderator", value_at(decision, "moderator"))
            codes: set[str] = set()
            for k, returned in objects_at(decision, "returned_questions"):
                self.validate(ReturnedQuestion, returned, f"{here}.returned_questions[{k}]")
                code = value_at(returned, "question")
                self.question(f"{here}.returned_questions[{k}].question", code)
                if code in codes:
                    self.add(
                        f"{here}.returned_questions[{k}].question", f"{code} is returned twice"
                    )
                if code:
                    codes.add(code)
                reason = value_at(returned, "reason")
                if reason is not None and reason and not reason.strip():
                    self.add(f"{here}.returned_questions[{k}].reason", "the reason is blank")

    def check_ratings(self) -> None:
        rated: dict[tuple[str, str], int] = {}
        for i, rating in objects_at(self.data, "organisation_ratings"):
            path = f"$.organisation_ratings[{i}]"
            self.validate(OrganisationRating, rating, path)
            self.note_public_id(OrganisationRating, f"{path}.public_id", rating)
            organisation, code = value_at(rating, "organisation"), value_at(rating, "standard")
            if organisation is not None and organisation not in self.organisations:
                self.add(
                    f"{path}.organisation",
                    f"'{organisation}' is not one of the inspection's organisations "
                    "($.organisations)",
                )
            self.check_person(f"{path}.rated_by", value_at(rating, "rated_by"))
            narrative = value_at(rating, "narrative")
            if narrative and not narrative.strip():
                self.add(f"{path}.narrative", "the narrative is blank")
            if code is None or self.framework is None:
                continue
            standard = self.standards.get(code)
            if standard is None:
                self.add(
                    f"{path}.standard", f"unknown standard '{code}' for framework {self.framework}"
                )
            elif standard.is_case_judged:
                self.add(
                    f"{path}.standard",
                    f"standard {code} is judged from cases, not rated at organisation level",
                )
            key = (organisation, code)
            if key in rated:
                self.add(
                    f"{path}.standard",
                    f"standard {code} is rated twice for '{organisation}' "
                    f"(also at $.organisation_ratings[{rated[key]}])",
                )
            else:
                rated[key] = i

    def check_report(self) -> None:
        report = self.data.get("report")
        if not isinstance(report, dict):
            return
        path = "$.report"
        self.validate(Report, report, path)
        updated_by = value_at(report, "updated_by")
        self.check_person(f"{path}.updated_by", updated_by)
        has_text = bool(value_at(report, "foreword")) or any(
            objects_at(report, key)
            for key in (
                "domain_findings",
                "standard_texts",
                "recommendations",
                "key_facts",
                "practice_examples",
            )
        )
        if has_text and not updated_by and not self.lead:
            self.add(
                f"{path}.updated_by",
                "the report has text but names nobody who wrote it, and the team has no lead "
                "inspector, so nobody can be named in the report's history",
            )
        framework = self.framework
        for key, model, field, known, what in (
            ("domain_findings", DomainFindings, "domain", self.domains, "domain"),
            ("standard_texts", StandardText, "standard", self.standards, "standard"),
        ):
            seen: dict[str, int] = {}
            for i, item in objects_at(report, key):
                self.validate(model, item, f"{path}.{key}[{i}]")
                here = f"{path}.{key}[{i}].{field}"
                code = value_at(item, field)
                if code is None:
                    continue
                if framework is not None and code not in known:
                    self.add(here, f"unknown {what} '{code}' for framework {framework}")
                if code in seen:
                    self.add(here, f"{what} {code} has text twice (also at {key}[{seen[code]}])")
                else:
                    seen[code] = i
        for key, model in (
            ("recommendations", Recommendation),
            ("key_facts", KeyFact),
            ("practice_examples", PracticeExample),
        ):
            for i, item in objects_at(report, key):
                self.note_public_id(model, f"{path}.{key}[{i}].public_id", item)
                self.validate(model, item, f"{path}.{key}[{i}]")
        for i, example in objects_at(report, "practice_examples"):
            here = f"{path}.practice_examples[{i}]"
            case, code = value_at(example, "case"), value_at(example, "standard")
            if case is not None and case not in self.case_references:
                self.add(f"{here}.case", f"'{case}' is not the reference of a case in $.cases")
            if code is not None and framework is not None and code not in self.standards:
                self.add(f"{here}.standard", f"unknown standard '{code}' for framework {framework}")
        names: dict[tuple, int] = {}
        chosen: dict[tuple, int] = {}
        for i, item in objects_at(report, "pseudonyms"):
            here = f"{path}.pseudonyms[{i}]"
            self.validate(Pseudonym, item, here)
            part, real, pseudonym = (value_at(item, k) for k in ("part", "real_key", "pseudonym"))
            if (part, real) in names:
                self.add(
                    f"{here}.real_key",
                    f"'{real}' has two pseudonyms (also at pseudonyms[{names[part, real]}])",
                )
            elif real is not None:
                names[part, real] = i
            if (part, pseudonym) in chosen:
                self.add(
                    f"{here}.pseudonym",
                    f"'{pseudonym}' stands in for two names (also at "
                    f"pseudonyms[{chosen[part, pseudonym]}])",
                )
            elif pseudonym is not None:
                chosen[part, pseudonym] = i
