"""Every dashboard table as a CSV download (?format=csv&table=<name>).

Each file is UTF-8 with a byte order mark, so that a spreadsheet opens it with its accents
intact, and uses the words the pages use ("Not applicable", "Small sample"). Cells that a
spreadsheet would run as a formula are quoted with a leading apostrophe.
"""

from __future__ import annotations

import csv

from django.http import Http404, HttpResponse

from inspection.rating_rules import NO, NOT_APPLICABLE, NOT_RATED, YES, Tally
from reports.dashboards.cases import CellCases
from reports.dashboards.figures import Figure
from reports.dashboards.filters import framework_key
from reports.dashboards.national import National
from reports.dashboards.referrals import why_listed

# The answer values in the words the pages use (judgements.models.AnswerValue's labels).
ANSWER_WORDS = {YES: "Yes", NO: "No", NOT_APPLICABLE: "Not applicable"}

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_response(filename: str, rows) -> HttpResponse:
    """A CSV download. Cells that a spreadsheet would run as a formula are quoted with '."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The byte order mark tells a spreadsheet the file is UTF-8 (else "Zoë" reads "ZoÃ«").
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(
            [
                f"'{value}"
                if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS)
                else value
                for value in row
            ]
        )
    return response


def unknown_table(table: str):
    raise Http404(f"There is no table called {table!r} on this page.")


def national_figures_csv_rows(national: National) -> list[list]:
    """The key questions nationally, as CSV rows (header first)."""
    rows: list[list] = [
        [
            "key question",
            "text",
            "yes",
            "applicable",
            "percent",
            "95% interval low",
            "95% interval high",
            "small sample",
        ]
    ]
    for row in national.questions:
        rows.append([row.key_question.code, row.key_question.text, *figure_columns(row.figure)])
    return rows


def figure_columns(figure: Figure) -> list:
    """yes, applicable, percent, 95% low, 95% high, small sample."""
    low, high = figure.interval or ("", "")
    return [
        figure.yes,
        figure.applicable,
        "" if figure.percent is None else figure.percent,
        low,
        high,
        "Yes" if figure.small_sample else "No",
    ]


def national_csv(view, table: str) -> HttpResponse:
    key = framework_key(view.structure.framework)
    if table == "ratings":
        rows = [
            [
                "organisation",
                "type",
                "area",
                "region",
                "inspection",
                "fieldwork start",
                "cases scored",
                *[f"{s.code} {s.title}" for s in view.standards],
                "overall",
            ]
        ]
        for row in view.rows:
            rows.append(
                [
                    row.organisation.name,
                    row.organisation.kind_label,
                    row.organisation.area_name,
                    row.organisation.region,
                    row.inspection.reference,
                    row.inspection.fieldwork_start.isoformat(),
                    row.cases_counted,
                    *[cell.label for cell in row.cells],
                    row.overall or NOT_RATED,
                ]
            )
        return csv_response(f"ratings-{key}.csv", rows)
    if table == "distribution":
        rows = [["standard", "title", *view.rating_names]]
        rows += [[r.standard.code, r.standard.title, *r.counts] for r in view.distribution]
        return csv_response(f"ratings-by-standard-{key}.csv", rows)
    if table == "questions":
        return csv_response(f"key-questions-{key}.csv", national_figures_csv_rows(view))
    unknown_table(table)


def question_csv(code: str, framework, rows) -> HttpResponse:
    """One key question across the organisations of the national view."""
    header = ["organisation", "area", "region", "inspection", "fieldwork start"]
    header += ["yes", "applicable", "percent", "95% interval low", "95% interval high"]
    header += ["small sample"]
    return csv_response(
        f"key-question-{code}-{framework_key(framework)}.csv",
        [header]
        + [
            [
                r.row.organisation.name,
                r.row.organisation.area_name,
                r.row.organisation.region,
                r.row.inspection.reference,
                r.row.inspection.fieldwork_start.isoformat(),
                *figure_columns(r.figure),
            ]
            for r in rows
        ],
    )


def area_csv(view, table: str, filename: str) -> HttpResponse:
    if table == "ratings":
        rows = [
            [
                "organisation",
                "inspection",
                "fieldwork start",
                "cases scored",
                *[f"{s.code} {s.title}" for s in view.standards],
                "overall",
            ]
        ]
        for row in view.rows:
            rows.append(
                [
                    row.organisation.name,
                    row.inspection.reference,
                    row.inspection.fieldwork_start.isoformat(),
                    row.cases_counted,
                    *[c.label for c in row.cells],
                    row.overall or NOT_RATED,
                ]
            )
        return csv_response(f"ratings-{filename}.csv", rows)
    if table == "questions":
        header = ["organisation", "inspection", "fieldwork start", "key question", "text"]
        header += ["yes", "applicable", "percent", "95% interval low", "95% interval high"]
        header += ["small sample"]
        if view.with_national:
            header += ["national yes", "national applicable", "national percent", "compared"]
        rows = [header]
        for row in view.rows:
            for q in row.questions:
                line = [
                    row.organisation.name,
                    row.inspection.reference,
                    row.inspection.fieldwork_start.isoformat(),
                    q.key_question.code,
                    q.key_question.text,
                    *figure_columns(q.figure),
                ]
                if view.with_national:
                    national = q.national or Figure(Tally())
                    line += [
                        national.yes,
                        national.applicable,
                        "" if national.percent is None else national.percent,
                        q.comparison.verdict if q.comparison else "",
                    ]
                rows.append(line)
        return csv_response(f"key-questions-{filename}.csv", rows)
    unknown_table(table)


def cases_csv(table: str, name: str, behind: CellCases) -> HttpResponse:
    """The figures or the cases behind one cell; ``name`` ends the file name."""
    if table == "figures":
        header = ["key question", "text", "yes", "applicable", "percent"]
        header += ["95% interval low", "95% interval high"]
        return csv_response(
            f"figures-{name}.csv",
            [header + ["small sample"]]
            + [
                [kq.code, kq.text, *figure_columns(figure)]
                for kq, figure in zip(behind.key_questions, behind.figures, strict=True)
            ],
        )
    if table != "cases":
        unknown_table(table)
    header = ["case", "sample", "status", *[kq.code for kq in behind.key_questions]]
    return csv_response(
        f"cases-{name}.csv",
        [header]
        + [
            [r.reference, r.sample_type, r.status, *[ANSWER_WORDS.get(v, "") for v in r.answers]]
            for r in behind.rows
        ],
    )


def _tracker_columns(row) -> list:
    return [
        row.referrals,
        row.no_response,
        row.not_followed_up,
        "" if row.average_days is None else row.average_days,
        "" if row.longest_days is None else row.longest_days,
    ]


def referrals_csv(table, by_organisation, by_area, waiting) -> HttpResponse:
    counts = [
        "referrals",
        "no response",
        "not followed up",
        "average days waited",
        "longest days waited",
    ]
    if table == "organisations":
        return csv_response(
            "referrals-by-organisation.csv",
            [["organisation", "area", "region", *counts]]
            + [[r.name, r.area_name, r.region, *_tracker_columns(r)] for r in by_organisation],
        )
    if table == "areas":
        return csv_response(
            "referrals-by-area.csv",
            [["area", "region", *counts]]
            + [[r.area_name, r.region, *_tracker_columns(r)] for r in by_area],
        )
    if table == "waiting":
        rows = [
            [
                "case",
                "organisation",
                "area",
                "inspection",
                "referral date",
                "response date",
                "timely",
                "satisfactory",
                "followed up",
                "escalated",
                "days waited",
                "why listed",
            ]
        ]
        for referral in waiting.iterator(chunk_size=2000):
            case = referral.case
            rows.append(
                [
                    case.reference,
                    case.organisation.name,
                    case.organisation.area.name,
                    case.inspection.reference,
                    referral.referral_date.isoformat(),
                    referral.response_date.isoformat() if referral.response_date else "",
                    _yes_no(referral.response_timely),
                    _yes_no(referral.response_satisfactory),
                    _yes_no(referral.followed_up),
                    _yes_no(referral.escalated),
                    referral.waited.days if referral.waited is not None else "",
                    why_listed(referral),
                ]
            )
        return csv_response("referrals-waiting.csv", rows)
    unknown_table(table)


def _yes_no(value) -> str:
    return {True: "yes", False: "no"}.get(value, "not known")
