"""The answers extract for analysts: one row per case and question, with the case's
classifications, for analysis in a spreadsheet: as CSV and as an Excel workbook, each
written to a file row by row by a background job (reports/jobs.py).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from casefiles.models import Case
from inspection.models import Inspection
from judgements.models import Answer, AnswerValue
from judgements.rules import case_questions

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


# Cases and answers are read from the database this many at a time.
CASE_CHUNK = 500
ANSWER_CHUNK = 2000


def answer_rows(
    inspection: Inspection, *, progress: Callable[[int, int], None] | None = None
) -> Iterator[list[str]]:
    """One row per case and question (ANSWER_COLUMNS), cases by reference, questions in
    framework order: every question that applies to the case's sample, answered or not,
    and any other question the case has an answer for.

    Reads the cases and the answers as two streams side by side (three queries in all, a
    fourth to count the cases when ``progress`` is given), so memory does not grow with the
    size of the inspection. ``progress(done, total)`` is called as each case begins.
    """
    questions = case_questions(inspection.framework)
    parents = {q.pk: q.code for q in questions if q.is_key_question}
    cases = (
        Case.objects.filter(inspection=inspection)
        .select_related("organisation")
        .order_by("reference", "pk")
    )
    total = cases.count() if progress else 0
    answers = (
        # A case read twice and not yet reconciled has no answers to give: its second
        # reader must not find the first reading here (judgements.second_readings).
        Answer.objects.filter(case__inspection=inspection, case__awaiting_reconciliation=False)
        .order_by("case__reference", "case_id", "question__position")
        .values_list("case_id", "question_id", "value", "note")
        .iterator(chunk_size=ANSWER_CHUNK)
    )
    groups = groupby(answers, key=itemgetter(0))
    group = next(groups, None)
    labels = {value: label for value, label in AnswerValue.choices}
    for done, case in enumerate(cases.iterator(chunk_size=CASE_CHUNK)):
        if progress:
            progress(done, total)
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
            asked = question.applies(case.sample_type, case.organisation.kind)
            if not asked and question.pk not in given:
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


def answers_csv_lines(
    inspection: Inspection, *, progress: Callable[[int, int], None] | None = None
) -> Iterator[str]:
    """The answers extract as CSV text, one line at a time (UTF-8 with a byte order mark,
    which spreadsheet programs need to read the characters right)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(ANSWER_COLUMNS)
    for row in answer_rows(inspection, progress=progress):
        yield writer.writerow([_csv_safe(value) for value in row])


def answers_csv_write(
    inspection: Inspection, path: Path, *, progress: Callable[[int, int], None] | None = None
) -> None:
    """Write the answers extract as CSV to ``path``, row by row (the text of
    answers_csv_lines)."""
    with Path(path).open("w", encoding="utf-8", newline="") as file:
        for line in answers_csv_lines(inspection, progress=progress):
            file.write(line)


def answers_xlsx_write(
    inspection: Inspection, path: Path, *, progress: Callable[[int, int], None] | None = None
) -> None:
    """Write the answers extract as an Excel workbook with one sheet, Answers, to ``path``.

    openpyxl's write-only mode writes each row to a temporary file as it is appended, so,
    with the rows streamed from the database, memory does not grow with the number of
    answers.
    """
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
    for row in answer_rows(inspection, progress=progress):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text stays text, even when it starts with "="
            cells.append(cell)
        sheet.append(cells)
    workbook.save(str(path))
