"""Print an inspection's ratings: every standard, its key questions and the overall rating.

    python manage.py inspection_ratings yos-bd-2018
    python manage.py inspection_ratings yos-bd-2018 --json
    python manage.py inspection_ratings cp-thematic-2014 --organisation reading-yot --json

The figures are the ratings page's (reports.selectors.inspection_rating): only cases
submitted, in quality assurance or agreed count. The JSON format is described in
docs/ratings-json.md.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspection.models import Inspection
from reports.rating import KeyQuestionResult, StandardResult, Tally
from reports.selectors import RatingSummary, inspection_rating

FORMAT_VERSION = 1


def _percent(tally: Tally) -> float | None:
    """One decimal place, rounded half up; None with no applicable cases."""
    rounded = tally.rounded_percent
    return None if rounded is None else float(rounded)


def _counts(tally: Tally) -> dict[str, Any]:
    return {
        "yes": tally.yes,
        "no": tally.no,
        "not_applicable": tally.not_applicable,
        "percent": _percent(tally),
    }


def _key_question(kq: KeyQuestionResult) -> dict[str, Any]:
    return {
        "code": kq.code,
        "text": kq.text,
        **_counts(kq.tally),
        "whole_percent": kq.tally.whole_percent,
        "display": kq.tally.display,
        "band": kq.band,
        "explanation": kq.explanation,
        "cases_answered_no": list(kq.no_case_ids),
        "by_organisation": [
            {"organisation": row.organisation, **_counts(row.tally)} for row in kq.by_organisation
        ],
    }


def _standard(standard: StandardResult) -> dict[str, Any]:
    return {
        "code": standard.code,
        "title": standard.title,
        "judged_by": standard.judged_by,
        "rating": standard.rating,
        "score": standard.score,
        "explanation": standard.explanation,
        "lowest_key_question": standard.lowest.code if standard.lowest else None,
        "key_questions": [_key_question(kq) for kq in standard.key_questions],
    }


def rating_document(summary: RatingSummary) -> dict[str, Any]:
    """The roll-up as plain data, in the format of docs/ratings-json.md."""
    inspection, result = summary.inspection, summary.result
    return {
        "format_version": FORMAT_VERSION,
        "inspection": inspection.reference,
        "title": inspection.title,
        "organisation": summary.organisation.name if summary.organisation else None,
        "organisations": [org.name for org in summary.organisations],
        "framework": {
            "name": inspection.framework.name,
            "version": inspection.framework.version,
        },
        "cases_in_sample": summary.cases_in_sample,
        "cases_counted": summary.cases_counted,
        "cases_left_out": [{"status": row.status, "cases": row.cases} for row in summary.left_out],
        "standards": [_standard(standard) for standard in result.standards],
        "overall": {
            "score": result.score,
            "rating": result.rating,
            "standards_rated": result.standards_rated,
            "unrated_standards": list(result.unrated_standards),
            "explanation": result.explanation,
        },
    }


def rating_table(summary: RatingSummary) -> list[str]:
    """The roll-up as lines of text for a person to read."""
    inspection, result = summary.inspection, summary.result
    lines = [
        f"{inspection.title} ({inspection.reference})",
        f"Framework: {inspection.framework.name} ({inspection.framework.version})",
    ]
    if summary.organisation is not None:
        lines.append(f"Organisation: {summary.organisation.name}")
    lines.append(f"Cases counted: {summary.cases_counted} of {summary.cases_in_sample}")
    if summary.left_out:
        lines.append(
            "Left out, not submitted: "
            + ", ".join(f"{row.cases} {row.status.lower()}" for row in summary.left_out)
        )
    lines.append("")
    for standard in result.standards:
        lines.append(f"{standard.code} {standard.title}: {standard.rating or 'Not rated'}")
        lines.append(f"  {standard.explanation}")
        if standard.judged_by == "cases":
            lines.append(f"  {'':<7} {'Yes':>4} {'No':>4} {'N/A':>4}  Result")
            for kq in standard.key_questions:
                t = kq.tally
                lines.append(
                    f"  {kq.code:<7} {t.yes:>4} {t.no:>4} {t.not_applicable:>4}  {kq.summary}"
                )
        lines.append("")
    lines.append(f"Overall: {result.rating or 'Not rated'} ({result.explanation})")
    return lines


class Command(BaseCommand):
    help = (
        "Print an inspection's ratings from its submitted cases and the lead inspector's "
        "organisation-level ratings, as a table or (--json) as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The inspection's reference, e.g. yos-bd-2018.")
        parser.add_argument(
            "--json", action="store_true", help="Print JSON (see docs/ratings-json.md)."
        )
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="Rate one of the inspection's organisations only (a thematic inspection).",
        )

    def handle(self, *args, **options) -> None:
        reference = options["reference"]
        inspection = (
            Inspection.objects.select_related("framework").filter(reference=reference).first()
        )
        if inspection is None:
            raise CommandError(f"There is no inspection with the reference {reference!r}.")
        organisation = None
        if options["organisation"]:
            organisation = inspection.organisations.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    f"{options['organisation']!r} is not one of the organisations of {reference}."
                )
        summary = inspection_rating(inspection, organisation=organisation)
        if options["json"]:
            self.stdout.write(json.dumps(rating_document(summary), indent=2, ensure_ascii=False))
        else:
            self.stdout.write("\n".join(rating_table(summary)))
