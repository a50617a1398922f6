"""Reading the list of eligible cases (the "population") that a sample is drawn from.

Before fieldwork the inspected organisations send the inspectorate the cases that fit
the inspection's criteria. Those lists arrive as spreadsheets prepared by hand, so this
module checks them thoroughly and reports *every* problem with its row and column at
once: a data manager fixing a file should not have to upload it ten times to discover
ten mistakes.

Plain Python, no ORM: the checks are pure functions of the file's bytes and the
inspection's organisations, so they can be tested in microseconds and reused by a
management command as well as by the upload view.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.db.models import TextChoices

from casefiles.choices import Gender, Level, OrderType, SampleType
from casefiles.sampling.uploads import TooManyRows, Unreadable, read_rows

COLUMNS: tuple[str, ...] = (
    "case_reference",
    "sample_type",
    "organisation",
    "gender",
    "disposal_type",
    "risk_of_serious_harm",
    "safety_and_wellbeing",
    "start_date",
)

# Row numbers in problems count every row of the file from 1, blank rows and the header
# included, so they are the numbers the person fixing it sees down the side of Excel
# (a header on row 1 puts the first case on row 2).


@dataclass(frozen=True)
class PopulationRow:
    """One eligible case, with every value converted to the application's vocabulary."""

    case_reference: str
    sample_type: str  # a SampleType value
    organisation: str  # an organisation slug
    gender: str  # a Gender value
    disposal_type: str  # an OrderType value
    risk_of_serious_harm: str  # a Level value
    safety_and_wellbeing: str  # a Level value
    start_date: date
    row_number: int  # the row in the uploaded file, counting the header as row 1


@dataclass(frozen=True)
class RowProblem:
    """Something wrong with the file, placed as precisely as we can.

    ``column`` is None when the problem concerns a whole row; both are None when it
    concerns the file as a whole (wrong type, unreadable, too long).
    """

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column is not None:
            return f"Row {self.row}, column {self.column}: {self.message}"
        if self.row is not None:
            return f"Row {self.row}: {self.message}"
        if self.column is not None:
            return f"Column {self.column}: {self.message}"
        return self.message


# Each coded column: the vocabulary it uses and the words for it in messages.
_VOCABULARIES = {
    "sample_type": (SampleType, "sample type"),
    "gender": (Gender, "gender"),
    "disposal_type": (OrderType, "sentence or disposal type"),
    "risk_of_serious_harm": (Level, "risk of serious harm level"),
    "safety_and_wellbeing": (Level, "safety and wellbeing level"),
}

# Written where a field does not apply to the case (safety and wellbeing, for an adult on
# probation); stored as an empty value. Matched after _normalise.
NOT_APPLICABLE_WORDS = frozenset({"not applicable", "not_applicable", "n/a", "na"})
NOT_APPLICABLE = "Not applicable"
# The columns that may say "not applicable", and for which organisations it is refused
# (their cases always have the field): safety and wellbeing applies to every child.
OPTIONAL_FOR_ADULTS = ("safety_and_wellbeing",)

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _normalise(text: str) -> str:
    """Lower-case and collapse whitespace, so 'Court  Disposal ' matches 'Court disposal'."""
    return " ".join(text.split()).lower()


def _lookup(choices: type[TextChoices]) -> dict[str, str]:
    """Map each value and each label (normalised) to the stored value."""
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[_normalise(str(label))] = value
        table[_normalise(value)] = value
    return table


_LOOKUPS = {column: _lookup(choices) for column, (choices, _) in _VOCABULARIES.items()}


def _header_name(cell: str) -> str:
    """Header matching ignores case and surrounding spaces; 'Case reference' also matches."""
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _parse_date(text: str) -> date | None:
    """Accept YYYY-MM-DD (what the template uses) and DD/MM/YYYY (what UK Excel shows)."""
    match = _ISO_DATE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _UK_DATE.fullmatch(text)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_population(
    filename: str, data: bytes, *, organisations: set[str], youth: set[str] | None = None
) -> tuple[list[PopulationRow], list[RowProblem]]:
    """Read a population file (.csv or .xlsx) and check every row.

    Returns the rows that passed their checks and every problem found. The import is
    meant to be all-or-nothing: a caller should save nothing while ``problems`` is not
    empty, because a sample drawn from part of the population would not represent it.

    The first non-blank row is the header; blank rows anywhere are skipped, and row
    numbers in problems are the file's own. Columns beyond COLUMNS are ignored, so an
    organisation can send its own export with extra columns. Only the first worksheet
    of a workbook is read. A start date in the future is allowed here: whether a case
    is eligible by date is decided later, by the sampling windows, not by the file check.

    "Not applicable" (or N/A) is accepted for safety and wellbeing, which does not apply
    to an adult on probation, and stored as empty; ``youth`` names the organisations whose
    cases are children's, for which it is refused (None: not checked).
    """
    lower = filename.lower()
    if lower.endswith(".xls"):
        return [], [
            RowProblem(
                None,
                None,
                f"'{filename}' is an old-style Excel file. Save it as an Excel "
                "workbook (.xlsx) or as CSV UTF-8 (.csv) and upload it again.",
            )
        ]
    if not lower.endswith((".csv", ".xlsx")):
        return [], [
            RowProblem(
                None,
                None,
                f"'{filename}' is not a CSV (.csv) or Excel (.xlsx) file. "
                "Upload the list of eligible cases in one of those formats.",
            )
        ]
    try:
        raw = read_rows(filename, data)
    except (TooManyRows, Unreadable) as error:
        return [], [RowProblem(None, None, str(error))]

    if not raw:
        return [], [RowProblem(None, None, "The file is empty.")]
    return _check_rows(raw, organisations=organisations, youth=youth)


def _check_rows(
    raw: list[tuple[int, list[str]]], *, organisations: set[str], youth: set[str] | None = None
) -> tuple[list[PopulationRow], list[RowProblem]]:
    header_number, header = raw[0]
    problems: list[RowProblem] = []

    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _header_name(cell)
        if name in COLUMNS:
            if name in positions:
                problems.append(
                    RowProblem(
                        header_number,
                        name,
                        f"The column {name} appears more than once. Keep only one.",
                    )
                )
            else:
                positions[name] = index
    for name in COLUMNS:
        if name not in positions:
            problems.append(
                RowProblem(
                    header_number,
                    name,
                    f"The column {name} is missing. The first row must name these "
                    f"columns: {', '.join(COLUMNS)}.",
                )
            )

    organisation_lookup = {slug.lower(): slug for slug in organisations}
    first_seen: dict[str, int] = {}
    rows: list[PopulationRow] = []
    complete = len(positions) == len(COLUMNS)

    for number, cells in raw[1:]:
        values: dict[str, object] = {}
        row_problems: list[RowProblem] = []
        for column, index in positions.items():
            text = cells[index] if index < len(cells) else ""
            value, message = _check_cell(
                column, text, organisations=organisation_lookup, known=organisations
            )
            if message is None and column == "case_reference":
                # References are compared ignoring case: 'x123' and 'X123' are far more
                # likely one case typed twice than two different cases.
                earlier = first_seen.setdefault(text.casefold(), number)
                if earlier != number:
                    message = (
                        f"Case reference '{text}' is on both row {earlier} and row "
                        f"{number}. Each case should be listed once."
                    )
            if message is None:
                values[column] = value
            else:
                row_problems.append(RowProblem(number, column, message))
        for column in OPTIONAL_FOR_ADULTS:
            if (
                values.get(column) == ""
                and youth is not None
                and values.get("organisation") in youth
            ):
                del values[column]
                row_problems.append(
                    RowProblem(
                        number,
                        column,
                        f"'{NOT_APPLICABLE}' is only for adults' cases: {values['organisation']} "
                        "supervises children, whose safety and wellbeing level is always "
                        f"assessed. Use one of: {', '.join(Level.values)}",
                    )
                )
        problems.extend(row_problems)
        if complete and not row_problems:
            rows.append(_build_row(values, row_number=number))

    return rows, problems


def _check_cell(
    column: str, text: str, *, organisations: dict[str, str], known: set[str]
) -> tuple[object, str | None]:
    """Convert one cell, returning (value, None) or (None, the problem's message)."""
    if not text:
        return None, "This cell is empty. Every case needs a value here."
    if column == "case_reference":
        return text, None
    if column == "organisation":
        slug = organisations.get(text.lower())
        if slug is None:
            names = ", ".join(sorted(known)) or "(none set up yet)"
            return None, f"'{text}' is not an organisation in this inspection. Use one of: {names}"
        return slug, None
    if column == "start_date":
        parsed = _parse_date(text)
        if parsed is None:
            return None, (
                f"'{text}' is not a date. Write dates as YYYY-MM-DD "
                "(for example 2018-03-31) or DD/MM/YYYY."
            )
        return parsed, None
    choices, noun = _VOCABULARIES[column]
    if column in OPTIONAL_FOR_ADULTS and _normalise(text) in NOT_APPLICABLE_WORDS:
        return "", None
    value = _LOOKUPS[column].get(_normalise(text))
    if value is None:
        also = f", or {NOT_APPLICABLE} for an adult" if column in OPTIONAL_FOR_ADULTS else ""
        return None, (
            f"'{text}' is not a known {noun}. Use one of: {', '.join(choices.values)}{also}"
        )
    return value, None


def _build_row(values: dict[str, object], *, row_number: int) -> PopulationRow:
    return PopulationRow(
        case_reference=str(values["case_reference"]),
        sample_type=str(values["sample_type"]),
        organisation=str(values["organisation"]),
        gender=str(values["gender"]),
        disposal_type=str(values["disposal_type"]),
        risk_of_serious_harm=str(values["risk_of_serious_harm"]),
        safety_and_wellbeing=str(values["safety_and_wellbeing"]),
        start_date=cast(date, values["start_date"]),
        row_number=row_number,
    )


@dataclass(frozen=True)
class TemplateOrganisation:
    slug: str
    name: str
    is_youth: bool


# An example sentence or disposal for each sample type, for a child's case and an adult's.
_EXAMPLE_DISPOSALS = {
    SampleType.OUT_OF_COURT: ("Youth caution", "Community resolution"),
}
_EXAMPLE_DEFAULT = ("Referral order", "Community order")


def template_csv(
    organisations: list[TemplateOrganisation] | None = None,
    sample_types: list[str] | None = None,
) -> str:
    """A header and made-up cases, for the inspection's organisations to fill in.

    With the inspection's organisations and sample types: one example row for each
    organisation and sample type, naming them as the upload expects; an adult's case says
    "Not applicable" for safety and wellbeing. Without them, two fictional examples. The
    references are fictional (EX...), for the organisation to overwrite.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    if organisations:
        labels = dict(SampleType.choices)
        kinds = sample_types or list(SampleType.values)
        number = 0
        for organisation in organisations:
            for index, kind in enumerate(kinds):
                number += 1
                child, adult = _EXAMPLE_DISPOSALS.get(kind, _EXAMPLE_DEFAULT)
                writer.writerow(
                    [
                        f"EX{number:04d}",
                        labels.get(kind, kind),
                        organisation.slug,
                        "Male" if number % 2 else "Female",
                        child if organisation.is_youth else adult,
                        ["Medium", "Low", "High"][index % 3],
                        ["Low", "Medium"][index % 2] if organisation.is_youth else NOT_APPLICABLE,
                        f"2018-{(number % 12) + 1:02d}-15",
                    ]
                )
        return buffer.getvalue()
    writer.writerow(
        [
            "EX0001",
            "Court disposal",
            "example-yot",
            "Male",
            "Referral order",
            "Medium",
            "Low",
            "2018-01-15",
        ]
    )
    writer.writerow(
        [
            "EX0002",
            "out_of_court",
            "example-yot",
            "female",
            "youth_caution",
            "low",
            "medium",
            "2018-04-02",
        ]
    )
    return buffer.getvalue()
