"""Moving a whole inspection between databases (JSON), and the answers extract for analysts.

The JSON format is described in docs/data-exchange.md, and checked against the JSON Schema
in docs/inspection-exchange.schema.json. Inside a file everything is named by the identifiers
people use (inspection reference, slugs, usernames, question codes, public ids), never by a
database key, so a file exported from one database imports into another.

An import checks the whole file first and reports every problem with its JSON path; then it
saves everything in one transaction, or nothing. It writes judgements (answers, moderation
decisions, organisation ratings) and report text directly rather than through
judgements.services and reports.writing.services, because it restores what was already done
(with its authors, times and versions) rather than doing it again now; it writes the audit
rows for what it creates (AuditEvent, and ReportEdit for report text) in the same
transaction, as the services do.

The answers extract has one row per case and question, with the case's classifications, for
analysis in a spreadsheet: as CSV (streamed, row by row) and as an Excel workbook.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import jsonschema
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from casefiles.models import (
    AgencyCheck,
    Case,
    ChildProtectionPlan,
    HomeVisit,
    LinkedChild,
    Meeting,
    Order,
    Referral,
    Requirement,
)
from inspection.models import (
    Area,
    Domain,
    Framework,
    Inspection,
    Membership,
    Organisation,
    Question,
    Standard,
    User,
)
from judgements.models import (
    Answer,
    AnswerValue,
    AuditEvent,
    ModerationDecision,
    OrganisationRating,
    ReturnedQuestion,
)
from judgements.rules import case_questions, note_problem
from reports.models import (
    DomainFindings,
    KeyFact,
    PracticeExample,
    Pseudonym,
    Recommendation,
    Report,
    ReportEdit,
    StandardText,
)

FORMAT = "case-audit-inspection"
FORMAT_VERSION = 1
SCHEMA_PATH = (
    Path(__file__).resolve().parent.parent.parent / "docs" / "inspection-exchange.schema.json"
)

Action = AuditEvent.Action


# ------------------------------------------------------------------------------ formats


def _date_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime_text(value: datetime | None) -> str | None:
    """Always UTC with microseconds, so the same moment is always written the same way."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def parse_date(value: str) -> date:
    """A date written YYYY-MM-DD (ValueError for anything else, or a day that does not exist)."""
    if not _DATE.fullmatch(value):
        raise ValueError(value)
    return date.fromisoformat(value)


def parse_datetime(value: str) -> datetime:
    """An ISO 8601 date and time with a time zone (Z or an offset)."""
    if not _DATETIME.fullmatch(value):
        raise ValueError(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    try:
        # Stored and written in UTC: 9999-12-31T23:59:59-14:00 would be in the year 10000.
        moment.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(value) from error
    return moment


_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    if isinstance(value, str):
        parse_date(value)
    return True


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    if isinstance(value, str):
        parse_datetime(value)
    return True


@cache
def exchange_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def exchange_json(data: dict) -> str:
    """The file's text: sorted keys, two-space indent, UTF-8 characters kept, a final newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file: where (a JSON path) and why, in plain words."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class ImportRefused(Exception):
    """The file was not imported; nothing was saved. ``problems`` says every reason."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"Nothing was imported: {len(self.problems)} problem(s) found.\n{lines}")


# ------------------------------------------------------------------------------ export


def inspection_export(inspection: Inspection) -> dict:
    """The whole inspection as the exchange format's data (a fixed number of queries).

    Every list is in a fixed order that does not depend on database keys, so exporting,
    importing elsewhere and exporting again gives the same file byte for byte.
    """
    framework = inspection.framework
    organisations = sorted(inspection.organisations.select_related("area"), key=lambda o: o.slug)
    members = sorted(inspection.memberships.select_related("user"), key=lambda m: m.user.username)
    cases = list(
        Case.objects.filter(inspection=inspection)
        .select_related("organisation", "inspector")
        .prefetch_related(
            "orders__requirements",
            "children",
            "plans",
            "referrals",
            "checks",
            "meetings",
            "visits",
            Prefetch("answers", queryset=Answer.objects.select_related("question", "answered_by")),
            Prefetch(
                "moderation",
                queryset=ModerationDecision.objects.select_related("moderator").prefetch_related(
                    Prefetch(
                        "returned_questions",
                        queryset=ReturnedQuestion.objects.select_related("question"),
                    )
                ),
            ),
        )
        .order_by("reference")
    )
    ratings = sorted(
        OrganisationRating.objects.filter(inspection=inspection).select_related(
            "organisation", "standard", "rated_by"
        ),
        key=lambda r: (r.organisation.slug, r.standard.position),
    )

    people: dict[str, User] = {m.user.username: m.user for m in members}

    def person(user: User | None) -> str | None:
        if user is None:
            return None
        people[user.username] = user
        return user.username

    exported_cases = [_case_export(case, person) for case in cases]
    exported_ratings = [
        {
            "public_id": str(r.public_id),
            "organisation": r.organisation.slug,
            "standard": r.standard.code,
            "rating": r.rating,
            "narrative": r.narrative,
            "evidence": r.evidence,
            "version": r.version,
            "rated_by": person(r.rated_by),
            "updated_at": _datetime_text(r.updated_at),
        }
        for r in ratings
    ]
    report_text = report_text_export(inspection, person)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "inspection": {
            "reference": inspection.reference,
            "title": inspection.title,
            "kind": inspection.kind,
            "status": inspection.status,
            "fieldwork_start": _date_text(inspection.fieldwork_start),
            "fieldwork_end": _date_text(inspection.fieldwork_end),
        },
        "framework": {
            "slug": framework.slug,
            "name": framework.name,
            "version": framework.version,
        },
        "organisations": [
            {
                "slug": o.slug,
                "name": o.name,
                "kind": o.kind,
                "area": {
                    "slug": o.area.slug,
                    "name": o.area.name,
                    "police_force_area": o.area.police_force_area,
                    "region": o.area.region,
                },
            }
            for o in organisations
        ],
        "people": [
            {"username": u.username, "first_name": u.first_name, "last_name": u.last_name}
            for _, u in sorted(people.items())
        ],
        "team": [
            {"username": m.user.username, "role": m.role, "inspectorate": m.inspectorate}
            for m in members
        ],
        "cases": exported_cases,
        "organisation_ratings": exported_ratings,
        "report": report_text,
    }


def _case_export(case: Case, person) -> dict:
    children = sorted(case.children.all(), key=lambda c: (c.name, str(c.public_id)))
    child_ids = {c.pk: str(c.public_id) for c in children}

    def by_date(parts, field):
        return sorted(parts, key=lambda p: (getattr(p, field), str(p.public_id)))

    return {
        "public_id": str(case.public_id),
        "reference": case.reference,
        "organisation": case.organisation.slug,
        "sample_type": case.sample_type,
        "subject_kind": case.subject_kind,
        "subject_name": case.subject_name,
        "gender": case.gender,
        "ethnicity": case.ethnicity,
        "date_of_birth": _date_text(case.date_of_birth),
        "risk_of_serious_harm": case.risk_of_serious_harm,
        "safety_and_wellbeing": case.safety_and_wellbeing,
        "mappa_level": case.mappa_level,
        "main_source_of_risk": case.main_source_of_risk,
        "case_manager": case.case_manager,
        "inspector": person(case.inspector),
        "status": case.status,
        "selected_for_qa": case.selected_for_qa,
        "submitted_at": _datetime_text(case.submitted_at),
        "orders": [
            {
                "public_id": str(o.public_id),
                "order_type": o.order_type,
                "start_date": _date_text(o.start_date),
                "end_date": _date_text(o.end_date),
                "requirements": [
                    {"requirement_type": r.requirement_type, "detail": r.detail}
                    for r in sorted(o.requirements.all(), key=lambda r: r.requirement_type)
                ],
            }
            for o in sorted(
                case.orders.all(), key=lambda o: (o.start_date, o.order_type, str(o.public_id))
            )
        ],
        "children": [
            {
                "public_id": str(c.public_id),
                "name": c.name,
                "date_of_birth": _date_text(c.date_of_birth),
                "address": c.address,
                "relationship": c.relationship,
                "lives_with_subject": c.lives_with_subject,
                "offender_role": c.offender_role,
            }
            for c in children
        ],
        "plans": [
            {
                "public_id": str(p.public_id),
                "child": child_ids.get(p.child_id),
                "category": p.category,
                "start_date": _date_text(p.start_date),
                "end_date": _date_text(p.end_date),
                "initial_conference_date": _date_text(p.initial_conference_date),
                "core_group_established": p.core_group_established,
            }
            for p in by_date(case.plans.all(), "start_date")
        ],
        "referrals": [
            {
                "public_id": str(r.public_id),
                "child": child_ids.get(r.child_id),
                "referral_date": _date_text(r.referral_date),
                "method": r.method,
                "included_child_details": r.included_child_details,
                "described_risk": r.described_risk,
                "stated_response_wanted": r.stated_response_wanted,
                "response_date": _date_text(r.response_date),
                "response_timely": r.response_timely,
                "response_satisfactory": r.response_satisfactory,
                "followed_up": r.followed_up,
                "escalated": r.escalated,
                "notes": r.notes,
            }
            for r in by_date(case.referrals.all(), "referral_date")
        ],
        "checks": [
            {
                "public_id": str(c.public_id),
                "agency": c.agency,
                "kind": c.kind,
                "requested_date": _date_text(c.requested_date),
                "response_date": _date_text(c.response_date),
                "outcome": c.outcome,
            }
            for c in by_date(case.checks.all(), "requested_date")
        ],
        "meetings": [
            {
                "public_id": str(m.public_id),
                "kind": m.kind,
                "meeting_date": _date_text(m.meeting_date),
                "invited": m.invited,
                "invitation_timely": m.invitation_timely,
                "attended": m.attended,
                "report_submitted": m.report_submitted,
            }
            for m in by_date(case.meetings.all(), "meeting_date")
        ],
        "visits": [
            {
                "public_id": str(v.public_id),
                "visit_date": _date_text(v.visit_date),
                "announced": v.announced,
                "children_seen": v.children_seen,
                "purpose": v.purpose,
            }
            for v in by_date(case.visits.all(), "visit_date")
        ],
        "answers": [
            {
                "question": a.question.code,
                "value": a.value,
                "note": a.note,
                "version": a.version,
                "answered_by": person(a.answered_by),
                "updated_at": _datetime_text(a.updated_at),
            }
            for a in sorted(case.answers.all(), key=lambda a: a.question.position)
        ],
        # Decisions made in the same microsecond keep the order they were saved in.
        "moderation": [
            {
                "decision": d.decision,
                "moderator": person(d.moderator),
                "at": _datetime_text(d.at),
                "reason": d.reason,
                "returned_questions": [
                    {"question": rq.question.code, "reason": rq.reason, "resolved": rq.resolved}
                    for rq in sorted(d.returned_questions.all(), key=lambda q: q.question.position)
                ],
            }
            for d in sorted(case.moderation.all(), key=lambda d: (d.at, d.pk))
        ],
    }


# ------------------------------------------------------------------------------ report text


def report_text_export(inspection: Inspection, person) -> dict | None:
    """The report text the lead inspector wrote, and the inspection's pseudonyms, as the
    file's ``report`` value; None when nothing has been written or chosen.

    ``person`` is called with every user the text names, so that they are listed in people.
    """
    report = Report.objects.filter(inspection=inspection).select_related("updated_by").first()
    pseudonyms = [
        {"part": part, "real_key": real_key, "pseudonym": pseudonym}
        for part, real_key, pseudonym in sorted(
            Pseudonym.objects.filter(inspection=inspection).values_list(
                "part", "real_key", "pseudonym"
            )
        )
    ]
    if report is None and not pseudonyms:
        return None
    text: dict[str, Any] = {
        "foreword": "",
        "updated_by": None,
        "updated_at": None,
        "domain_findings": [],
        "standard_texts": [],
        "recommendations": [],
        "key_facts": [],
        "practice_examples": [],
        "pseudonyms": pseudonyms,
    }
    if report is None:
        return text

    def in_order(items):
        return sorted(items, key=lambda item: (item.position, str(item.public_id)))

    text.update(
        foreword=report.foreword,
        updated_by=person(report.updated_by),
        updated_at=_datetime_text(report.updated_at),
        domain_findings=[
            {"domain": f.domain.code, "key_findings": f.key_findings}
            for f in sorted(
                report.domain_findings.select_related("domain"), key=lambda f: f.domain.position
            )
        ],
        standard_texts=[
            {
                "standard": s.standard.code,
                "narrative": s.narrative,
                "strengths": s.strengths,
                "areas_for_improvement": s.areas_for_improvement,
            }
            for s in sorted(
                report.standard_texts.select_related("standard"),
                key=lambda s: s.standard.position,
            )
        ],
        recommendations=[
            {
                "public_id": str(r.public_id),
                "position": r.position,
                "addressed_to": r.addressed_to,
                "text": r.text,
            }
            for r in in_order(report.recommendations.all())
        ],
        key_facts=[
            {
                "public_id": str(k.public_id),
                "position": k.position,
                "label": k.label,
                "value": k.value,
                "comparison": k.comparison,
                "source": k.source,
            }
            for k in in_order(report.key_facts.all())
        ],
        practice_examples=[
            {
                "public_id": str(e.public_id),
                "position": e.position,
                "case": e.case.reference if e.case else None,
                "standard": e.standard.code if e.standard else None,
                "title": e.title,
                "quote": e.quote,
            }
            for e in in_order(report.practice_examples.select_related("case", "standard"))
        ],
    )
    return text


# ------------------------------------------------------------------------------ import


def inspection_import(*, raw: bytes | str) -> Inspection:
    """Import a whole inspection from an exchange file, all or nothing.

    Raises ImportRefused, with every problem found, if the file cannot be imported; the
    database is then unchanged. People the file names who have no account here are created
    as inactive accounts without a password.
    """
    data = _parse(raw)
    problems = schema_problems(data) + unstorable_text(data)
    try:
        with transaction.atomic():
            checked = _Checker(data)
            try:
                checked.run()
            except Exception:
                # A file that breaks the format can trip the detailed checks; the format
                # problems already found explain it.
                if not problems:
                    raise
            problems += checked.problems
            if problems:
                raise ImportRefused(problems)
            return _Writer(data, checked).run()
    except IntegrityError as error:
        raise ImportRefused([Problem("$", f"the database refused the import: {error}")]) from error


def _parse(raw: bytes | str) -> Any:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRefused([Problem("$", f"the file is not UTF-8 text ({error})")]) from error
    try:
        return json.loads(raw)
    except RecursionError as error:
        raise ImportRefused(
            [
                Problem(
                    "$", "lists and objects are nested too deeply to read (is it the right file?)"
                )
            ]
        ) from error
    except json.JSONDecodeError as error:
        raise ImportRefused(
            [
                Problem(
                    "$",
                    f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno} "
                    "(is the file complete?)",
                )
            ]
        ) from error


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_FORMAT_WORDS = {
    "date": "a date written YYYY-MM-DD",
    "date-time": "a date and time in ISO 8601 with a time zone, e.g. 2018-04-16T09:30:00Z",
}


def _show(value: Any) -> str:
    """A value from the file, as a reader would recognise it."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"


def _path_key(error) -> list:
    return [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in error.absolute_path]


def schema_problems(data: Any) -> list[Problem]:
    """Everything in the file that does not match the format, each with its path."""
    validator = jsonschema.Draft202012Validator(exchange_schema(), format_checker=_FORMATS)
    return [_schema_problem(e) for e in sorted(validator.iter_errors(data), key=_path_key)]


def unstorable_text(data: Any) -> list[Problem]:
    """Text holding a NUL character, which the database cannot store, wherever it is (keys
    too). A loop, not recursion: the file may nest deeply."""
    problems = []
    stack = [("$", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str) and "\x00" in node:
            problems.append(Problem(path, "contains a NUL character, which cannot be stored"))
        elif isinstance(node, dict):
            for key, value in node.items():
                if "\x00" in key:
                    problems.append(
                        Problem(path, "a key contains a NUL character, which cannot be stored")
                    )
                stack.append((f"{path}.{key}", value))
        elif isinstance(node, list):
            stack.extend((f"{path}[{index}]", value) for index, value in enumerate(node))
    return sorted(problems, key=lambda problem: problem.path)


def _schema_problem(error) -> Problem:
    path, kind, schema, instance = error.json_path, error.validator, error.schema, error.instance
    if kind == "required":
        match = re.match(r"'(.+)' is a required property", error.message)
        key = match.group(1) if match else "?"
        return Problem(f"{path}.{key}", "this key is required but missing")
    if kind == "additionalProperties":
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        names = ", ".join(f"'{k}'" for k in extra)
        return Problem(path, f"unexpected key {names}: the format does not have it")
    if kind == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else expected
        words = [_FORMAT_WORDS.get(schema.get("format"), _TYPE_WORDS[expected[0]])]
        words += [_TYPE_WORDS[t] for t in expected[1:]]
        return Problem(path, f"expected {' or '.join(words)}, got {_show(instance)}")
    if kind == "format":
        return Problem(
            path, f"expected {_FORMAT_WORDS[error.validator_value]}, got {_show(instance)}"
        )
    if kind == "enum":
        allowed = ", ".join(f"'{v}'" for v in error.validator_value)
        return Problem(path, f"{_show(instance)} is not one of {allowed}")
    if kind == "const":
        return Problem(path, f"expected {json.dumps(error.validator_value)}, got {_show(instance)}")
    if kind == "maxLength":
        return Problem(path, f"too long: at most {error.validator_value} characters")
    if kind == "minLength":
        return Problem(path, "must not be empty")
    if kind == "minimum":
        return Problem(path, f"must be {error.validator_value} or more, got {instance}")
    if kind == "maximum":
        return Problem(path, f"must be {error.validator_value} or less, got {instance}")
    if kind == "pattern":
        form = schema.get("description") or f"it must match {schema['pattern']}"
        return Problem(path, f"{_show(instance)} is not in the right form: {form}")
    return Problem(path, error.message)


def _get(obj: Any, key: str, kind: type | tuple = str) -> Any:
    """A value of the expected type from an object in the file, else None (the format check
    reports a wrong type; the detailed checks then leave that value alone)."""
    if not isinstance(obj, dict):
        return None
    value = obj.get(key)
    if isinstance(value, bool) and kind is not bool:
        return None
    return value if isinstance(value, kind) else None


def _list(obj: Any, key: str) -> list[tuple[int, dict]]:
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _as_date(value: Any) -> date | None:
    try:
        return parse_date(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


_PART_MODELS = {
    "orders": Order,
    "children": LinkedChild,
    "plans": ChildProtectionPlan,
    "referrals": Referral,
    "checks": AgencyCheck,
    "meetings": Meeting,
    "visits": HomeVisit,
}


class _Checker:
    """The checks that need the database or the whole file: names that must match, dates in
    order, nothing named twice. Collects every problem; the writer runs only if none."""

    def __init__(self, data: Any):
        self.data = data if isinstance(data, dict) else {}
        self.problems: list[Problem] = []
        self.framework: Framework | None = None
        self.questions: dict[str, Question] = {}
        self.standards: dict[str, Standard] = {}
        self.people: set[str] = set()
        self.organisations: set[str] = set()
        self.lead: str | None = None
        self.domains: dict[str, Domain] = {}
        self.case_references: set[str] = set()
        # public id -> (model, first path), to find ids used twice or already taken
        self.public_ids: dict[uuid.UUID, tuple[type, str]] = {}

    def add(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

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
        slug, version = _get(fw, "slug"), _get(fw, "version")
        if slug is None or version is None:
            return
        self.framework = Framework.objects.filter(slug=slug, version=version).first()
        if self.framework is None:
            name = _get(fw, "name") or slug
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
        reference = _get(inspection, "reference")
        if reference and Inspection.objects.filter(reference=reference).exists():
            self.add(
                "$.inspection.reference",
                f"an inspection with reference '{reference}' already exists in this database; "
                "an import never changes an existing inspection",
            )
        start = _as_date(_get(inspection, "fieldwork_start"))
        end = _as_date(_get(inspection, "fieldwork_end"))
        if start and end and end < start:
            self.add(
                "$.inspection.fieldwork_end",
                f"fieldwork cannot end ({end}) before it starts ({start})",
            )

    def check_organisations(self) -> None:
        areas: dict[str, tuple[str, tuple]] = {}
        area_names: dict[str, str] = {}
        for i, org in _list(self.data, "organisations"):
            path = f"$.organisations[{i}]"
            slug = _get(org, "slug")
            if slug is None:
                continue
            if slug in self.organisations:
                self.add(f"{path}.slug", f"organisation '{slug}' is listed twice")
            self.organisations.add(slug)
            area = org.get("area")
            area_slug, area_name = _get(area, "slug"), _get(area, "name")
            details = (area_name, _get(area, "police_force_area"), _get(area, "region"))
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
                ours = (_get(org, "name"), _get(org, "kind"), area_slug)
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
        for i, person in _list(self.data, "people"):
            username = _get(person, "username")
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
        for i, member in _list(self.data, "team"):
            path = f"$.team[{i}]"
            username = _get(member, "username")
            self.check_person(f"{path}.username", username)
            if username in team:
                self.add(f"{path}.username", f"'{username}' has two places on the team")
            if username:
                team.add(username)
            role, inspectorate = _get(member, "role"), _get(member, "inspectorate")
            if role == Membership.Role.LEAD and self.lead is None:
                self.lead = username
            if role and role != Membership.Role.PARTNER and inspectorate not in (None, "hmip"):
                self.add(
                    f"{path}.inspectorate",
                    "only partner inspectors come from another inspectorate",
                )

    def check_cases(self) -> None:
        seen: dict[str, tuple[int, str | None]] = {}
        sample_types = self.framework.sample_types if self.framework else None
        for i, case in _list(self.data, "cases"):
            path = f"$.cases[{i}]"
            reference, sample = _get(case, "reference"), _get(case, "sample_type")
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
            organisation = _get(case, "organisation")
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
            inspector = _get(case, "inspector")
            self.check_person(f"{path}.inspector", inspector)
            born = _as_date(_get(case, "date_of_birth"))
            if born and born > timezone.localdate():
                self.add(f"{path}.date_of_birth", "date of birth must be today or in the past")
            status = _get(case, "status")
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
        value = _as_uuid(_get(obj, "public_id"))
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

    def _in_order(self, path: str, obj: dict, first: str, then: str, reason: str) -> None:
        early, late = _as_date(_get(obj, first)), _as_date(_get(obj, then))
        if early and late and late < early:
            self.add(f"{path}.{then}", reason.format(early=early, late=late))

    def check_case_file(self, path: str, case: dict) -> None:
        for key, model in _PART_MODELS.items():
            for j, part in _list(case, key):
                self.note_public_id(model, f"{path}.{key}[{j}].public_id", part)
        for j, order in _list(case, "orders"):
            here = f"{path}.orders[{j}]"
            self._in_order(
                here,
                order,
                "start_date",
                "end_date",
                "the order cannot end ({late}) before it starts ({early})",
            )
            kinds: set[str] = set()
            for k, requirement in _list(order, "requirements"):
                kind = _get(requirement, "requirement_type")
                if kind in kinds:
                    self.add(
                        f"{here}.requirements[{k}].requirement_type",
                        f"requirement '{kind}' is listed twice for this order",
                    )
                if kind:
                    kinds.add(kind)
        children = {
            str(v)
            for v in (_as_uuid(_get(c, "public_id")) for _, c in _list(case, "children"))
            if v
        }
        for key in ("plans", "referrals"):
            for j, part in _list(case, key):
                child = _get(part, "child")
                if child is not None and _as_uuid(child) is not None and child not in children:
                    self.add(
                        f"{path}.{key}[{j}].child",
                        f"no linked child of this case has the public id '{child}' "
                        f"(see {path}.children)",
                    )
        for j, plan in _list(case, "plans"):
            self._in_order(
                f"{path}.plans[{j}]",
                plan,
                "start_date",
                "end_date",
                "the plan cannot end ({late}) before it starts ({early})",
            )
        for j, referral in _list(case, "referrals"):
            self._in_order(
                f"{path}.referrals[{j}]",
                referral,
                "referral_date",
                "response_date",
                "the response ({late}) cannot come before the referral ({early})",
            )
        for j, check in _list(case, "checks"):
            self._in_order(
                f"{path}.checks[{j}]",
                check,
                "requested_date",
                "response_date",
                "the response ({late}) cannot come before the check was made ({early})",
            )
        for j, meeting in _list(case, "meetings"):
            if meeting.get("invited") is False and isinstance(
                meeting.get("invitation_timely"), bool
            ):
                self.add(
                    f"{path}.meetings[{j}].invitation_timely",
                    "the invitation's timeliness needs an invitation: set it to null when "
                    "'invited' is false",
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
        for j, answer in _list(case, "answers"):
            here = f"{path}.answers[{j}]"
            code = _get(answer, "question")
            question = self.question(f"{here}.question", code)
            self.check_person(f"{here}.answered_by", _get(answer, "answered_by"))
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
            value, note = _get(answer, "value"), _get(answer, "note")
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

    def check_moderation(self, path: str, case: dict) -> None:
        for j, decision in _list(case, "moderation"):
            here = f"{path}.moderation[{j}]"
            self.check_person(f"{here}.moderator", _get(decision, "moderator"))
            codes: set[str] = set()
            for k, returned in _list(decision, "returned_questions"):
                code = _get(returned, "question")
                self.question(f"{here}.returned_questions[{k}].question", code)
                if code in codes:
                    self.add(
                        f"{here}.returned_questions[{k}].question", f"{code} is returned twice"
                    )
                if code:
                    codes.add(code)
                reason = _get(returned, "reason")
                if reason is not None and reason and not reason.strip():
                    self.add(f"{here}.returned_questions[{k}].reason", "the reason is blank")

    def check_ratings(self) -> None:
        rated: dict[tuple[str, str], int] = {}
        for i, rating in _list(self.data, "organisation_ratings"):
            path = f"$.organisation_ratings[{i}]"
            self.note_public_id(OrganisationRating, f"{path}.public_id", rating)
            organisation, code = _get(rating, "organisation"), _get(rating, "standard")
            if organisation is not None and organisation not in self.organisations:
                self.add(
                    f"{path}.organisation",
                    f"'{organisation}' is not one of the inspection's organisations "
                    "($.organisations)",
                )
            self.check_person(f"{path}.rated_by", _get(rating, "rated_by"))
            narrative = _get(rating, "narrative")
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
        updated_by = _get(report, "updated_by")
        self.check_person(f"{path}.updated_by", updated_by)
        has_text = bool(_get(report, "foreword")) or any(
            _list(report, key)
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
        for key, field, known, what in (
            ("domain_findings", "domain", self.domains, "domain"),
            ("standard_texts", "standard", self.standards, "standard"),
        ):
            seen: dict[str, int] = {}
            for i, item in _list(report, key):
                here = f"{path}.{key}[{i}].{field}"
                code = _get(item, field)
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
            for i, item in _list(report, key):
                self.note_public_id(model, f"{path}.{key}[{i}].public_id", item)
        for i, example in _list(report, "practice_examples"):
            here = f"{path}.practice_examples[{i}]"
            case, code = _get(example, "case"), _get(example, "standard")
            if case is not None and case not in self.case_references:
                self.add(f"{here}.case", f"'{case}' is not the reference of a case in $.cases")
            if code is not None and framework is not None and code not in self.standards:
                self.add(f"{here}.standard", f"unknown standard '{code}' for framework {framework}")
        names: dict[tuple, int] = {}
        chosen: dict[tuple, int] = {}
        for i, item in _list(report, "pseudonyms"):
            here = f"{path}.pseudonyms[{i}]"
            part, real, pseudonym = (_get(item, k) for k in ("part", "real_key", "pseudonym"))
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


class _Writer:
    """Saves a checked file (called inside the import's transaction)."""

    def __init__(self, data: dict, checked: _Checker):
        self.data = data
        self.checked = checked
        self.now = timezone.now()
        self.events: list[AuditEvent] = []

    def run(self) -> Inspection:
        organisations = self.write_organisations()
        users = self.write_people()
        header = self.data["inspection"]
        inspection = Inspection.objects.create(
            reference=header["reference"],
            title=header["title"],
            kind=header["kind"],
            status=header["status"],
            framework=self.checked.framework,
            fieldwork_start=parse_date(header["fieldwork_start"]),
            fieldwork_end=parse_date(header["fieldwork_end"]),
        )
        inspection.organisations.set(organisations.values())
        Membership.objects.bulk_create(
            Membership(
                inspection=inspection,
                user=users[m["username"]],
                role=m["role"],
                inspectorate=m["inspectorate"],
            )
            for m in self.data["team"]
        )
        self.inspection, self.users, self.organisations = inspection, users, organisations
        self.write_cases()
        self.write_ratings()
        AuditEvent.objects.bulk_create(self.events)
        self.write_report()
        return inspection

    def audit(self, *, case, actor, action, subject, new) -> None:
        self.events.append(
            AuditEvent(
                inspection=self.inspection,
                case=case,
                actor=actor,
                at=self.now,
                action=action,
                subject=subject[:200],
                new_value=new,
            )
        )

    def write_organisations(self) -> dict[str, Organisation]:
        result = {}
        for org in self.data["organisations"]:
            area_data = org["area"]
            area = Area.objects.filter(slug=area_data["slug"]).first() or Area.objects.create(
                slug=area_data["slug"],
                name=area_data["name"],
                police_force_area=area_data["police_force_area"],
                region=area_data["region"],
            )
            result[org["slug"]] = Organisation.objects.filter(
                slug=org["slug"]
            ).first() or Organisation.objects.create(
                slug=org["slug"], name=org["name"], kind=org["kind"], area=area
            )
        return result

    def write_people(self) -> dict[str, User]:
        listed = {p["username"]: p for p in self.data["people"]}
        users = {u.username: u for u in User.objects.filter(username__in=list(listed))}
        created = []
        for username, person in sorted(listed.items()):
            if username in users:
                continue
            user = User(
                username=username,
                first_name=person["first_name"],
                last_name=person["last_name"],
                is_active=False,
            )
            user.set_unusable_password()
            created.append(user)
        for user in User.objects.bulk_create(created):
            users[user.username] = user
        return users

    @staticmethod
    def _public_id(obj: dict) -> uuid.UUID:
        return uuid.UUID(obj["public_id"]) if obj.get("public_id") else uuid.uuid4()

    def write_cases(self) -> None:
        users, questions = self.users, self.checked.questions
        lead = users.get(self.checked.lead) if self.checked.lead else None
        cases = Case.objects.bulk_create(
            Case(
                public_id=self._public_id(c),
                inspection=self.inspection,
                organisation=self.organisations[c["organisation"]],
                reference=c["reference"],
                sample_type=c["sample_type"],
                subject_kind=c["subject_kind"],
                subject_name=c["subject_name"],
                gender=c["gender"],
                ethnicity=c["ethnicity"],
                date_of_birth=_as_date(c["date_of_birth"]),
                risk_of_serious_harm=c["risk_of_serious_harm"],
                safety_and_wellbeing=c["safety_and_wellbeing"],
                mappa_level=c["mappa_level"],
                main_source_of_risk=c["main_source_of_risk"],
                case_manager=c["case_manager"],
                inspector=users[c["inspector"]] if c["inspector"] else None,
                status=c["status"],
                selected_for_qa=c["selected_for_qa"],
                submitted_at=parse_datetime(c["submitted_at"]) if c["submitted_at"] else None,
            )
            for c in self.data["cases"]
        )
        self.cases = {case.reference: case for case in cases}
        orders, requirements, children, plans, referrals = [], [], [], [], []
        checks, meetings, visits, answers, decisions, returns = [], [], [], [], [], []
        for case, c in zip(cases, self.data["cases"], strict=True):
            for o in c["orders"]:
                order = Order(
                    public_id=self._public_id(o),
                    case=case,
                    order_type=o["order_type"],
                    start_date=parse_date(o["start_date"]),
                    end_date=_as_date(o["end_date"]),
                )
                orders.append(order)
                requirements += [(order, r) for r in o["requirements"]]
            by_id = {}
            for ch in c["children"]:
                child = LinkedChild(
                    public_id=self._public_id(ch),
                    case=case,
                    name=ch["name"],
                    date_of_birth=_as_date(ch["date_of_birth"]),
                    address=ch["address"],
                    relationship=ch["relationship"],
                    lives_with_subject=ch["lives_with_subject"],
                    offender_role=ch["offender_role"],
                )
                children.append(child)
                by_id[str(child.public_id)] = child
            plans += [(case, by_id, p) for p in c["plans"]]
            referrals += [(case, by_id, r) for r in c["referrals"]]
            checks += [
                AgencyCheck(
                    public_id=self._public_id(k),
                    case=case,
                    agency=k["agency"],
                    kind=k["kind"],
                    requested_date=parse_date(k["requested_date"]),
                    response_date=_as_date(k["response_date"]),
                    outcome=k["outcome"],
                )
                for k in c["checks"]
            ]
            meetings += [
                Meeting(
                    public_id=self._public_id(m),
                    case=case,
                    kind=m["kind"],
                    meeting_date=parse_date(m["meeting_date"]),
                    invited=m["invited"],
                    invitation_timely=m["invitation_timely"],
                    attended=m["attended"],
                    report_submitted=m["report_submitted"],
                )
                for m in c["meetings"]
            ]
            visits += [
                HomeVisit(
                    public_id=self._public_id(v),
                    case=case,
                    visit_date=parse_date(v["visit_date"]),
                    announced=v["announced"],
                    children_seen=v["children_seen"],
                    purpose=v["purpose"],
                )
                for v in c["visits"]
            ]
            for a in c["answers"]:
                answers.append(
                    Answer(
                        case=case,
                        question=questions[a["question"]],
                        value=a["value"],
                        note=a["note"],
                        version=a["version"],
                        answered_by=users[a["answered_by"]],
                        updated_at=parse_datetime(a["updated_at"]),
                    )
                )
                self.audit(
                    case=case,
                    actor=users[a["answered_by"]],
                    action=Action.ANSWER_CREATED,
                    subject=a["question"],
                    new=f"{AnswerValue(a['value']).label}\n{a['note']}".strip(),
                )
            for d in c["moderation"]:
                decision = ModerationDecision(
                    case=case,
                    decision=d["decision"],
                    moderator=users[d["moderator"]],
                    at=parse_datetime(d["at"]),
                    reason=d["reason"],
                )
                decisions.append(decision)
                returns += [(decision, r) for r in d["returned_questions"]]
                label = ModerationDecision.Decision(d["decision"]).label
                self.audit(
                    case=case,
                    actor=decision.moderator,
                    action=Action.MODERATED,
                    subject="Quality assurance",
                    new=f"{label}\n{d['reason']}".strip(),
                )
                for r in d["returned_questions"]:
                    self.audit(
                        case=case,
                        actor=decision.moderator,
                        action=Action.MODERATED,
                        subject=f"Returned {r['question']}",
                        new=r["reason"],
                    )
            if case.status != Case.Status.NOT_STARTED:
                self.audit(
                    case=case,
                    actor=case.inspector or lead,
                    action=Action.STATUS_CHANGED,
                    subject="Imported from an inspection file",
                    new=Case.Status(case.status).label,
                )

        Order.objects.bulk_create(orders)
        Requirement.objects.bulk_create(
            Requirement(order=order, requirement_type=r["requirement_type"], detail=r["detail"])
            for order, r in requirements
        )
        LinkedChild.objects.bulk_create(children)
        ChildProtectionPlan.objects.bulk_create(
            ChildProtectionPlan(
                public_id=self._public_id(p),
                case=case,
                child=by_id[p["child"]] if p["child"] else None,
                category=p["category"],
                start_date=parse_date(p["start_date"]),
                end_date=_as_date(p["end_date"]),
                initial_conference_date=_as_date(p["initial_conference_date"]),
                core_group_established=p["core_group_established"],
            )
            for case, by_id, p in plans
        )
        Referral.objects.bulk_create(
            Referral(
                public_id=self._public_id(r),
                case=case,
                child=by_id[r["child"]] if r["child"] else None,
                referral_date=parse_date(r["referral_date"]),
                method=r["method"],
                included_child_details=r["included_child_details"],
                described_risk=r["described_risk"],
                stated_response_wanted=r["stated_response_wanted"],
                response_date=_as_date(r["response_date"]),
                response_timely=r["response_timely"],
                response_satisfactory=r["response_satisfactory"],
                followed_up=r["followed_up"],
                escalated=r["escalated"],
                notes=r["notes"],
            )
            for case, by_id, r in referrals
        )
        AgencyCheck.objects.bulk_create(checks)
        Meeting.objects.bulk_create(meetings)
        HomeVisit.objects.bulk_create(visits)
        Answer.objects.bulk_create(answers)
        ModerationDecision.objects.bulk_create(decisions)
        ReturnedQuestion.objects.bulk_create(
            ReturnedQuestion(
                decision=decision,
                question=questions[r["question"]],
                reason=r["reason"],
                resolved=r["resolved"],
            )
            for decision, r in returns
        )

    def write_ratings(self) -> None:
        standards = self.checked.standards
        ratings = []
        for r in self.data["organisation_ratings"]:
            organisation, standard = self.organisations[r["organisation"]], standards[r["standard"]]
            rated_by = self.users[r["rated_by"]]
            ratings.append(
                OrganisationRating(
                    public_id=self._public_id(r),
                    inspection=self.inspection,
                    organisation=organisation,
                    standard=standard,
                    rating=r["rating"],
                    narrative=r["narrative"],
                    evidence=r["evidence"],
                    version=r["version"],
                    rated_by=rated_by,
                    updated_at=parse_datetime(r["updated_at"]),
                )
            )
            subject = f"{standard.code} {standard.title} ({organisation.name})"
            for name in ("rating", "narrative", "evidence"):
                if r[name]:
                    self.audit(
                        case=None,
                        actor=rated_by,
                        action=Action.ORG_RATING_CHANGED,
                        subject=f"{subject}: {name}",
                        new=r[name],
                    )
        OrganisationRating.objects.bulk_create(ratings)

    def write_report(self) -> None:
        """The report text and pseudonyms, with a line in the report's history for each
        section created (ReportEdit, as reports.writing.services writes)."""
        data = self.data["report"]
        if data is None:
            return
        users, checked = self.users, self.checked
        updated_by = users[data["updated_by"]] if data["updated_by"] else None
        report = Report.objects.create(
            inspection=self.inspection,
            foreword=data["foreword"],
            updated_by=updated_by,
            updated_at=parse_datetime(data["updated_at"]) if data["updated_at"] else None,
        )
        sections = ["Foreword"] if data["foreword"] else []
        findings = []
        for f in data["domain_findings"]:
            domain = checked.domains[f["domain"]]
            findings.append(
                DomainFindings(report=report, domain=domain, key_findings=f["key_findings"])
            )
            sections.append(f"Key findings: {domain.code}. {domain.title}")
        DomainFindings.objects.bulk_create(findings)
        texts = []
        for s in data["standard_texts"]:
            standard = checked.standards[s["standard"]]
            texts.append(
                StandardText(
                    report=report,
                    standard=standard,
                    narrative=s["narrative"],
                    strengths=s["strengths"],
                    areas_for_improvement=s["areas_for_improvement"],
                )
            )
            sections.append(f"Standard {standard.code} {standard.title}")
        StandardText.objects.bulk_create(texts)
        Recommendation.objects.bulk_create(
            Recommendation(
                report=report,
                public_id=self._public_id(r),
                position=r["position"],
                addressed_to=r["addressed_to"],
                text=r["text"],
            )
            for r in data["recommendations"]
        )
        sections += [f"Recommendation to {r['addressed_to']}" for r in data["recommendations"]]
        KeyFact.objects.bulk_create(
            KeyFact(
                report=report,
                public_id=self._public_id(k),
                position=k["position"],
                label=k["label"],
                value=k["value"],
                comparison=k["comparison"],
                source=k["source"],
            )
            for k in data["key_facts"]
        )
        sections += [f"Key fact: {k['label']}" for k in data["key_facts"]]
        PracticeExample.objects.bulk_create(
            PracticeExample(
                report=report,
                public_id=self._public_id(e),
                position=e["position"],
                case=self.cases[e["case"]] if e["case"] else None,
                standard=checked.standards[e["standard"]] if e["standard"] else None,
                title=e["title"],
                quote=e["quote"],
            )
            for e in data["practice_examples"]
        )
        sections += [f"Practice example: {e['title']}" for e in data["practice_examples"]]
        Pseudonym.objects.bulk_create(
            Pseudonym(
                inspection=self.inspection,
                part=p["part"],
                real_key=p["real_key"],
                pseudonym=p["pseudonym"],
            )
            for p in data["pseudonyms"]
        )
        actor = updated_by or users.get(checked.lead or "")
        if actor is not None:
            ReportEdit.objects.bulk_create(
                ReportEdit(
                    report=report,
                    actor=actor,
                    at=self.now,
                    action=ReportEdit.Action.SAVED,
                    section=f"Imported: {section}"[:250],
                )
                for section in sections
            )


# ------------------------------------------------------------------ the answers extract

ANSWER_COLUMNS = (
    "Inspection",
    "Case reference",
    "Sample type",
    "Organisation",
    "Gender",
    "Ethnicity",
    "Risk of serious harm",
    "Safety and wellbeing",
    "MAPPA level",
    "Case status",
    "Standard",
    "Standard title",
    "Key question or prompt",
    "Key question",
    "Question code",
    "Question",
    "Answer",
    "Evidence note",
)


def answer_rows(inspection: Inspection) -> Iterator[list[str]]:
    """One row per case and question (ANSWER_COLUMNS), cases by reference, questions in
    framework order: every question that applies to the case's sample, answered or not,
    and any other question the case has an answer for.

    Reads the answers as a stream (three queries in all), so memory does not grow with the
    size of the inspection.
    """
    questions = case_questions(inspection.framework)
    parents = {q.pk: q.code for q in questions if q.is_key_question}
    cases = list(
        Case.objects.filter(inspection=inspection)
        .select_related("organisation")
        .order_by("reference", "pk")
    )
    answers = (
        Answer.objects.filter(case__inspection=inspection)
        .order_by("case__reference", "case_id", "question__position")
        .values_list("case_id", "question_id", "value", "note")
        .iterator(chunk_size=2000)
    )
    groups = groupby(answers, key=itemgetter(0))
    group = next(groups, None)
    labels = {value: label for value, label in AnswerValue.choices}
    for case in cases:
        given: dict[int, tuple[str, str]] = {}
        if group is not None and group[0] == case.pk:
            given = {question_id: (value, note) for _, question_id, value, note in group[1]}
            group = next(groups, None)
        classifications = [
            inspection.reference,
            case.reference,
            case.get_sample_type_display(),
            case.organisation.name,
            case.get_gender_display(),
            case.get_ethnicity_display(),
            case.get_risk_of_serious_harm_display(),
            case.get_safety_and_wellbeing_display(),
            case.get_mappa_level_display(),
            case.get_status_display(),
        ]
        for question in questions:
            if not question.applies(case.sample_type) and question.pk not in given:
                continue
            value, note = given.get(question.pk, ("", ""))
            yield [
                *classifications,
                question.standard.code,
                question.standard.title,
                "Key question" if question.is_key_question else "Prompt",
                parents.get(question.parent_id, question.code),
                question.code,
                question.text,
                labels.get(value, ""),
                note,
            ]


def _csv_safe(value: str) -> str:
    """Stop a spreadsheet reading text such as '=SUM(...)' in a note as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def answers_csv_lines(inspection: Inspection) -> Iterator[str]:
    """The answers extract as CSV text, one line at a time (UTF-8 with a byte order mark,
    which spreadsheet programs need to read the characters right)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(ANSWER_COLUMNS)
    for row in answer_rows(inspection):
        yield writer.writerow([_csv_safe(value) for value in row])


def answers_xlsx(inspection: Inspection) -> bytes:
    """The answers extract as an Excel workbook with one sheet, Answers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Answers")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in ANSWER_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in answer_rows(inspection):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text stays text, even when it starts with "="
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
