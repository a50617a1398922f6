"""The ratings roll-up as plain data, in the format of docs/ratings-json.md.

Printed by ``manage.py inspection_ratings --json`` and frozen by the retention purge.
"""

from typing import Any

from inspection.rating_rules import NOT_RATED, Tally
from reports.ratings.engine import JUDGED_BY_CASES, KeyQuestionResult, StandardResult
from reports.ratings.selectors import RatingSummary

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
        "counts_toward_overall": standard.counts_toward_overall,
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
            "rated_separately": list(result.rated_separately),
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
        lines.append(f"{standard.code} {standard.title}: {standard.rating or NOT_RATED}")
        lines.append(f"  {standard.explanation}")
        if standard.judged_by == JUDGED_BY_CASES:
            lines.append(f"  {'':<7} {'Yes':>4} {'No':>4} {'N/A':>4}  Result")
            for kq in standard.key_questions:
                t = kq.tally
                lines.append(
                    f"  {kq.code:<7} {t.yes:>4} {t.no:>4} {t.not_applicable:>4}  {kq.summary}"
                )
        lines.append("")
    lines.append(f"Overall: {result.rating or NOT_RATED} ({result.explanation})")
    return lines
