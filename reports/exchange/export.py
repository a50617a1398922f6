"""Exporting a whole inspection as the exchange format's data (docs/data-exchange.md).

Inside a file everything is named by the identifiers people use (inspection reference, slugs,
usernames, question codes, public ids), never by a database key, so a file exported from one
database imports into another.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from django.db.models import DateField, Prefetch

from casefiles.models import Case
from casefiles.parts import PARTS, Part
from inspection.models import Inspection, User
from judgements.models import Answer, ModerationDecision, OrganisationRating, ReturnedQuestion
from reports.exchange.format import FORMAT, FORMAT_VERSION, date_text, datetime_text
from reports.models import Pseudonym, Report

# Cases are read and written this many at a time (with their parts, answers and decisions),
# so the memory an export needs does not grow with the number of cases.
CASE_CHUNK = 200


def inspection_export(inspection: Inspection) -> dict:
    """The whole inspection as the exchange format's data (a fixed number of queries).

    Every list is in a fixed order that does not depend on database keys, so exporting,
    importing elsewhere and exporting again gives the same file byte for byte. For a large
    inspection, write the file with ``inspection_export_write``, which holds a few hundred
    cases in memory at a time instead of all of them.
    """
    parts = _ExportParts(inspection)
    data = parts.values()
    data["cases"] = list(parts.cases())
    return {key: value() if callable(value) else value for key, value in data.items()}


def inspection_export_write(
    inspection: Inspection, out: TextIO, *, progress: Callable[[int, int], None] | None = None
) -> None:
    """Write the inspection's exchange file to ``out`` (a text file), case by case.

    The text is exactly ``exchange_json(inspection_export(inspection))``: the top-level keys
    in sorted order, two-space indent, characters kept as they are, a final newline. Each
    case is turned into text on its own and written, so memory is bounded by CASE_CHUNK
    cases, not by the size of the inspection. ``progress(done, total)`` is called after
    each case.
    """
    parts = _ExportParts(inspection)
    data = parts.values()
    total = parts.case_count() if progress else 0

    def write_cases() -> None:
        out.write("[")
        first = True
        for done, case in enumerate(parts.cases(), start=1):
            out.write("\n    " if first else ",\n    ")
            out.write(_json_text(case, depth=2))
            first = False
            if progress:
                progress(done, total)
        out.write("]" if first else "\n  ]")

    # The ratings and the report are small: read them first, so that everyone they name is
    # among the people. "cases" sorts first and "people" after it, so everyone the cases
    # name is known by the time the people are written.
    for key in ("organisation_ratings", "report"):
        data[key] = data[key]()
    out.write("{")
    data["cases"] = write_cases
    for index, key in enumerate(sorted(data)):
        out.write(f"{'' if index == 0 else ','}\n  {json.dumps(key)}: ")
        value = data[key]
        if value is write_cases:
            write_cases()
        else:
            out.write(_json_text(value() if callable(value) else value, depth=1))
    out.write("\n}\n")


def _json_text(value: Any, *, depth: int) -> str:
    """``value`` as exchange_json writes it when nested ``depth`` levels deep. Newlines only
    come from the indenting: json.dumps writes a newline inside text as \\n."""
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * depth)


class _ExportParts:
    """The pieces of an inspection's file, read as they are needed.

    ``person`` collects everyone the file names, for its ``people`` list; that list is built
    last (it is a callable in ``values()``), after the cases, ratings and report named them.
    """

    def __init__(self, inspection: Inspection):
        self.inspection = inspection
        self.organisations = sorted(
            inspection.organisations.select_related("area"), key=lambda o: o.slug
        )
        self.members = sorted(
            inspection.memberships.select_related("user"), key=lambda m: m.user.username
        )
        self.people: dict[str, User] = {m.user.username: m.user for m in self.members}

    def person(self, user: User | None) -> str | None:
        if user is None:
            return None
        self.people[user.username] = user
        return user.username

    def case_count(self) -> int:
        return Case.objects.filter(inspection=self.inspection).count()

    def cases(self) -> Iterator[dict]:
        """Each case's part of the file, by reference, read CASE_CHUNK cases at a time."""
        cases = (
            Case.objects.filter(inspection=self.inspection)
            .select_related("organisation", "inspector")
            .prefetch_related(
                *(part.prefetch(shown=False) for part in PARTS),
                Prefetch(
                    "answers", queryset=Answer.objects.select_related("question", "answered_by")
                ),
                Prefetch(
                    "moderation",
                    queryset=ModerationDecision.objects.select_related(
                        "moderator"
                    ).prefetch_related(
                        Prefetch(
                            "returned_questions",
                            queryset=ReturnedQuestion.objects.select_related("question"),
                        )
                    ),
                ),
            )
            .order_by("reference")
        )
        for case in cases.iterator(chunk_size=CASE_CHUNK):
            yield _case_export(case, self.person)
            _forget_prefetched(case)

    def ratings(self) -> list[dict]:
        ratings = sorted(
            OrganisationRating.objects.filter(inspection=self.inspection).select_related(
                "organisation", "standard", "rated_by"
            ),
            key=lambda r: (r.organisation.slug, r.standard.position),
        )
        return [
            {
                "public_id": str(r.public_id),
                "organisation": r.organisation.slug,
                "standard": r.standard.code,
                "rating": r.rating,
                "narrative": r.narrative,
                "evidence": r.evidence,
                "version": r.version,
                "rated_by": self.person(r.rated_by),
                "updated_at": datetime_text(r.updated_at),
            }
            for r in ratings
        ]

    def people_list(self) -> list[dict]:
        return [
            {"username": u.username, "first_name": u.first_name, "last_name": u.last_name}
            for _, u in sorted(self.people.items())
        ]

    def values(self) -> dict[str, Any]:
        """The file's top-level keys; a callable is a value read when it is needed (the
        ratings, the report and the people); "cases" is filled in by the caller."""
        inspection, framework = self.inspection, self.inspection.framework
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "inspection": {
                "reference": inspection.reference,
                "title": inspection.title,
                "kind": inspection.kind,
                "status": inspection.status,
                "fieldwork_start": date_text(inspection.fieldwork_start),
                "fieldwork_end": date_text(inspection.fieldwork_end),
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
                for o in self.organisations
            ],
            "team": [
                {"username": m.user.username, "role": m.role, "inspectorate": m.inspectorate}
                for m in self.members
            ],
            "organisation_ratings": self.ratings,
            "report": lambda: report_text_export(inspection, self.person),
            "people": self.people_list,
        }


def _forget_prefetched(instance) -> None:
    """Drop what was prefetched for a case, and for what was prefetched with it.

    A prefetched answer points back at its case, so each case and its rows form reference
    cycles that only the cyclic garbage collector frees, when it next runs: until then
    several chunks' worth of cases stay in memory. Breaking the cycles frees each case as
    soon as it is written.
    """
    cache = getattr(instance, "_prefetched_objects_cache", None)
    if not cache:
        return
    for related in cache.values():
        for item in related:
            _forget_prefetched(item)
    instance._prefetched_objects_cache = {}


def _case_export(case: Case, person) -> dict:
    child_ids = {c.pk: str(c.public_id) for c in case.children.all()}
    return {
        "public_id": str(case.public_id),
        "reference": case.reference,
        "organisation": case.organisation.slug,
        "sample_type": case.sample_type,
        "subject_kind": case.subject_kind,
        "subject_name": case.subject_name,
        "gender": case.gender,
        "ethnicity": case.ethnicity,
        "date_of_birth": date_text(case.date_of_birth),
        "risk_of_serious_harm": case.risk_of_serious_harm,
        "safety_and_wellbeing": case.safety_and_wellbeing,
        "mappa_level": case.mappa_level,
        "main_source_of_risk": case.main_source_of_risk,
        "case_manager": case.case_manager,
        "inspector": person(case.inspector),
        "status": case.status,
        "selected_for_qa": case.selected_for_qa,
        "submitted_at": datetime_text(case.submitted_at),
        "added_outside_draw": case.added_outside_draw,
        "added_reason": case.added_reason,
        **{part.slug: _parts_export(part, case, child_ids) for part in PARTS},
        "answers": [
            {
                "question": a.question.code,
                "value": a.value,
                "note": a.note,
                "version": a.version,
                "answered_by": person(a.answered_by),
                "updated_at": datetime_text(a.updated_at),
            }
            for a in sorted(case.answers.all(), key=lambda a: a.question.position)
        ],
        # Decisions made in the same microsecond keep the order they were saved in.
        "moderation": [
            {
                "decision": d.decision,
                "moderator": person(d.moderator),
                "at": datetime_text(d.at),
                "reason": d.reason,
                "returned_questions": [
                    {"question": rq.question.code, "reason": rq.reason, "resolved": rq.resolved}
                    for rq in sorted(d.returned_questions.all(), key=lambda q: q.question.position)
                ],
            }
            for d in sorted(case.moderation.all(), key=lambda d: (d.at, d.pk))
        ],
    }


def _parts_export(part: Part, case: Case, child_ids: dict[int, str]) -> list[dict]:
    """The case's parts of one kind (casefiles.parts), in the registry's export order."""
    items = sorted(
        part.of(case),
        key=lambda item: (
            *(getattr(item, name) for name in part.export_order),
            str(item.public_id),
        ),
    )
    fields = [part.model._meta.get_field(name) for name in part.fields]
    exported = []
    for item in items:
        data: dict[str, Any] = {"public_id": str(item.public_id)}
        for field in fields:
            if field.is_relation:  # the linked child it is about: by public id
                data[field.name] = child_ids.get(getattr(item, field.attname))
            elif isinstance(field, DateField):
                data[field.name] = date_text(getattr(item, field.name))
            else:
                data[field.name] = getattr(item, field.name)
        if part.sub_parts:  # an order's requirements
            data[part.sub_parts] = [
                {"requirement_type": r.requirement_type, "detail": r.detail}
                for r in sorted(
                    getattr(item, part.sub_parts).all(), key=lambda r: r.requirement_type
                )
            ]
        exported.append(data)
    return exported


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
        updated_at=datetime_text(report.updated_at),
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
