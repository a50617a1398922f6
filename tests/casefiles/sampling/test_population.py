"""Reading and checking a population file (CSV and XLSX; no database)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from casefiles.choices import Gender, Level, OrderType, SampleType
from casefiles.sampling.population import (
    COLUMNS,
    PopulationRow,
    RowProblem,
    parse_population,
    template_csv,
)
from casefiles.sampling.uploads import MAX_ROWS

ORGANISATIONS = {"north-yot", "south-yot"}

HEADER = list(COLUMNS)
CLEAN = [
    HEADER,
    [
        "CD001",
        "court_disposal",
        "north-yot",
        "male",
        "referral_order",
        "low",
        "medium",
        "2017-10-02",
    ],
    [
        "CD002",
        "Court disposal",
        "south-yot",
        "Female",
        "Youth rehabilitation order",
        "High",
        "Very high",
        "14/11/2017",
    ],
    [
        "OC001",
        "Out-of-court disposal",
        "north-yot",
        "not_known",
        "youth_caution",
        "medium",
        "low",
        "2018-02-20",
    ],
]


def to_csv(table: list[list[str]], *, bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


def to_xlsx(table: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in table:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(filename: str, data: bytes):
    return parse_population(filename, data, organisations=ORGANISATIONS)


# ------------------------------------------------------------------------------ clean files


def test_clean_csv_gives_rows_and_no_problems():
    rows, problems = parse("cases.csv", to_csv(CLEAN))
    assert problems == []
    assert rows == [
        PopulationRow(
            case_reference="CD001",
            sample_type=SampleType.COURT_DISPOSAL,
            organisation="north-yot",
            gender=Gender.MALE,
            disposal_type=OrderType.REFERRAL_ORDER,
            risk_of_serious_harm=Level.LOW,
            safety_and_wellbeing=Level.MEDIUM,
            start_date=date(2017, 10, 2),
            row_number=2,
        ),
        PopulationRow(
            case_reference="CD002",
            sample_type="court_disposal",
            organisation="south-yot",
            gender="female",
            disposal_type="yro",
            risk_of_serious_harm="high",
            safety_and_wellbeing="very_high",
            start_date=date(2017, 11, 14),
            row_number=3,
        ),
        PopulationRow(
            case_reference="OC001",
            sample_type="out_of_court",
            organisation="north-yot",
            gender="not_known",
            disposal_type="youth_caution",
            risk_of_serious_harm="medium",
            safety_and_wellbeing="low",
            start_date=date(2018, 2, 20),
            row_number=4,
        ),
    ]
    # Stored values are plain strings, usable as dictionary keys and in CSV exports.
    assert all(type(row.gender) is str for row in rows)


def test_csv_with_byte_order_mark_and_uppercase_file_name():
    rows, problems = parse("CASES.CSV", to_csv(CLEAN, bom=True))
    assert problems == []
    assert [row.case_reference for row in rows] == ["CD001", "CD002", "OC001"]


def test_headers_ignore_case_spaces_and_order_and_extra_columns_are_ignored():
    header = [
        " Start_Date ",
        "Notes",
        "CASE_REFERENCE",
        "Sample Type",
        "organisation",
        "Gender",
        "disposal_type",
        "Risk_of_serious_harm",
        "SAFETY_AND_WELLBEING",
    ]
    line = [
        "2017-10-02",
        "anything",
        "CD001",
        "court_disposal",
        "North-YOT",
        "male",
        "referral_order",
        "low",
        "medium",
    ]
    rows, problems = parse("cases.csv", to_csv([header, line]))
    assert problems == []
    (row,) = rows
    assert row.case_reference == "CD001"
    assert row.organisation == "north-yot"  # slugs match whatever the case
    assert row.start_date == date(2017, 10, 2)


def test_blank_rows_are_skipped_and_row_numbers_match_the_file():
    table = [CLEAN[0], ["", "", ""], CLEAN[1], [], [" ", ""], CLEAN[2]]
    rows, problems = parse("cases.csv", to_csv(table))
    assert problems == []
    assert [(row.case_reference, row.row_number) for row in rows] == [("CD001", 3), ("CD002", 6)]


def test_a_future_start_date_is_allowed():
    table = [
        HEADER,
        ["N1", "new_order", "north-yot", "male", "licence", "low", "low", "2099-01-01"],
    ]
    rows, problems = parse("cases.csv", to_csv(table))
    assert problems == []
    assert rows[0].start_date == date(2099, 1, 1)


def test_template_parses_cleanly_with_its_example_organisation():
    template = template_csv()
    assert template.splitlines()[0] == ",".join(COLUMNS)
    assert len(template.splitlines()) == 3
    rows, problems = parse_population(
        "template.csv", template.encode(), organisations={"example-yot"}
    )
    assert problems == []
    assert len(rows) == 2


# ------------------------------------------------------------------------------- problems


def test_every_problem_is_reported_with_its_row_and_column():
    # No safety_and_wellbeing column, and four bad cells.
    header = [c for c in COLUMNS if c != "safety_and_wellbeing"]
    table = [
        header,
        ["CD001", "court_disposal", "north-yot", "male", "referral_order", "low", "2017-10-02"],
        ["CD002", "court_disposal", "north-yot", "x", "referral_order", "low", "2017-10-03"],
        ["CD003", "court_disposal", "north-yot", "male", "referral_order", "low", "2017-10-04"],
        ["CD001", "court_disposal", "north-yot", "male", "referral_order", "low", "2017-10-05"],
        ["CD005", "court_disposal", "north-yot", "male", "referral_order", "low", "31/02/2018"],
        ["CD006", "court_disposal", "east-yot", "male", "referral_order", "low", "2017-10-06"],
    ]
    rows, problems = parse("cases.csv", to_csv(table))
    assert rows == []  # nothing is usable while a column is missing
    assert [(problem.row, problem.column) for problem in problems] == [
        (1, "safety_and_wellbeing"),
        (3, "gender"),
        (5, "case_reference"),
        (6, "start_date"),
        (7, "organisation"),
    ]
    messages = [str(problem) for problem in problems]
    assert messages[0].startswith("Row 1, column safety_and_wellbeing: The column")
    assert "missing" in messages[0]
    assert messages[1] == (
        "Row 3, column gender: 'x' is not a known gender. "
        "Use one of: female, male, other, not_known"
    )
    assert "row 2 and row 5" in messages[2]  # both rows named
    assert "'31/02/2018' is not a date" in messages[3]
    assert "'east-yot' is not an organisation" in messages[4]
    assert "north-yot, south-yot" in messages[4]


def test_rows_with_problems_are_left_out_but_good_rows_are_returned():
    table = [
        CLEAN[0],
        CLEAN[1],
        ["CD009", "court_disposal", "north-yot", "male", "licence", "severe", "low", "2017-10-02"],
    ]
    rows, problems = parse("cases.csv", to_csv(table))
    assert [row.case_reference for row in rows] == ["CD001"]
    (problem,) = problems
    assert (problem.row, problem.column) == (3, "risk_of_serious_harm")
    assert "'severe' is not a known risk of serious harm level" in problem.message
    assert "low, medium, high, very_high" in problem.message


def test_empty_cells_and_short_rows_are_reported_per_column():
    table = [
        HEADER,
        ["CD001", "", "north-yot", "male", "licence", "low", "low", "2017-10-02"],
        ["CD002", "court_disposal", "north-yot"],
    ]
    _, problems = parse("cases.csv", to_csv(table))
    assert [(p.row, p.column) for p in problems] == [
        (2, "sample_type"),
        (3, "gender"),
        (3, "disposal_type"),
        (3, "risk_of_serious_harm"),
        (3, "safety_and_wellbeing"),
        (3, "start_date"),
    ]
    assert all("empty" in p.message for p in problems)


def test_duplicate_references_are_found_whatever_their_case():
    table = [HEADER, CLEAN[1][:], CLEAN[2][:]]
    table[2][0] = "cd001"
    _, problems = parse("cases.csv", to_csv(table))
    (problem,) = problems
    assert (problem.row, problem.column) == (3, "case_reference")
    assert "row 2 and row 3" in problem.message


def test_a_repeated_column_is_a_problem():
    table = [HEADER + ["Gender"], CLEAN[1] + ["female"]]
    _, problems = parse("cases.csv", to_csv(table))
    assert [(p.row, p.column) for p in problems] == [(1, "gender")]
    assert "more than once" in problems[0].message


@pytest.mark.parametrize(
    "text", ["2018-13-01", "2018-02-30", "1/1/18", "yesterday", "2018/01/01", "20180101"]
)
def test_dates_that_are_not_dates(text):
    table = [HEADER, CLEAN[1][:-1] + [text]]
    _, problems = parse("cases.csv", to_csv(table))
    assert [(p.row, p.column) for p in problems] == [(2, "start_date")]


def test_row_problem_str_without_row_or_column():
    assert str(RowProblem(None, None, "The file is empty.")) == "The file is empty."
    assert str(RowProblem(4, None, "Bad row.")) == "Row 4: Bad row."
    assert str(RowProblem(None, "gender", "Bad.")) == "Column gender: Bad."


# ------------------------------------------------------------------------- unreadable files


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("cases.txt", b"case_reference\n", "not a CSV (.csv) or Excel (.xlsx)"),
        ("cases", b"case_reference\n", "not a CSV (.csv) or Excel (.xlsx)"),
        ("cases.xls", b"\xd0\xcf\x11\xe0", "old-style Excel"),
        ("cases.csv", b"", "empty"),
        ("cases.csv", b"\n\n , \n", "empty"),
        ("cases.csv", "case_reference\nCD\u00e9".encode("latin-1"), "UTF-8"),
        ("cases.xlsx", b"this is not a workbook", "could not be opened"),
    ],
)
def test_unreadable_files_give_one_problem(filename, data, words):
    rows, problems = parse(filename, data)
    assert rows == []
    (problem,) = problems
    assert (problem.row, problem.column) == (None, None)
    assert words in problem.message


def test_truncated_workbook_gives_a_problem_not_an_exception():
    data = to_xlsx(CLEAN)
    rows, problems = parse("cases.xlsx", data[: len(data) // 2])
    assert rows == []
    assert len(problems) == 1
    assert "could not be opened" in problems[0].message


def test_a_csv_file_renamed_xlsx_gives_a_problem():
    rows, problems = parse("cases.xlsx", to_csv(CLEAN))
    assert rows == []
    assert "could not be opened as an Excel workbook" in problems[0].message


def test_files_over_the_row_limit_are_refused_with_one_problem():
    line = ["CD", "court_disposal", "north-yot", "male", "licence", "low", "low", "2017-10-02"]
    table = [HEADER] + [[f"CD{i}", *line[1:]] for i in range(MAX_ROWS + 1)]
    rows, problems = parse("cases.csv", to_csv(table))
    assert rows == []
    (problem,) = problems
    assert "more than 20,000" in problem.message


def test_a_file_at_the_row_limit_is_read():
    line = ["CD", "court_disposal", "north-yot", "male", "licence", "low", "low", "2017-10-02"]
    table = [HEADER] + [[f"CD{i}", *line[1:]] for i in range(MAX_ROWS)]
    rows, problems = parse("cases.csv", to_csv(table))
    assert problems == []
    assert len(rows) == MAX_ROWS


@settings(max_examples=200)
@given(data=st.binary(max_size=400), ending=st.sampled_from([".csv", ".xlsx"]))
def test_arbitrary_bytes_never_raise(data, ending):
    rows, problems = parse("upload" + ending, data)
    assert isinstance(rows, list)
    assert isinstance(problems, list)


# ------------------------------------------------------------------------------------ XLSX


def test_xlsx_parses_the_same_as_the_equivalent_csv():
    assert parse("cases.xlsx", to_xlsx(CLEAN)) == parse("cases.csv", to_csv(CLEAN))


def test_xlsx_problems_match_the_equivalent_csv():
    table = [
        HEADER,
        CLEAN[1],
        CLEAN[1],
        ["CD003", "court_disposal", "west", "x", "licence", "low", "low", "soon"],
    ]
    assert parse("cases.xlsx", to_xlsx(table)) == parse("cases.csv", to_csv(table))
    _, problems = parse("cases.xlsx", to_xlsx(table))
    assert [(p.row, p.column) for p in problems] == [
        (3, "case_reference"),
        (4, "organisation"),
        (4, "gender"),
        (4, "start_date"),
    ]


def test_xlsx_with_real_dates_numbers_and_empty_cells():
    table: list[list[object]] = [
        HEADER,
        [
            12345,
            "court_disposal",
            "north-yot",
            "male",
            "licence",
            "low",
            "low",
            datetime(2017, 10, 2),  # noqa: DTZ001 - Excel cells have no time zone
        ],
        [None, None, None],  # a blank row in the sheet
        ["CD2", "court_disposal", "north-yot", "male", "licence", "low", "low", date(2017, 10, 3)],
    ]
    rows, problems = parse("cases.xlsx", to_xlsx(table))
    assert problems == []
    assert [(r.case_reference, r.start_date, r.row_number) for r in rows] == [
        ("12345", date(2017, 10, 2), 2),
        ("CD2", date(2017, 10, 3), 4),
    ]


def test_xlsx_table_that_starts_below_and_right_of_a1():
    workbook = Workbook()
    sheet = workbook.active
    for offset, name in enumerate(COLUMNS):
        sheet.cell(row=3, column=2 + offset, value=name)
    for offset, value in enumerate(CLEAN[1]):
        sheet.cell(row=6, column=2 + offset, value=value)
    sheet.cell(row=7, column=2, value="CD2")
    sheet.cell(row=7, column=5, value="zz")
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows, problems = parse("cases.xlsx", buffer.getvalue())
    assert [(row.case_reference, row.row_number) for row in rows] == [("CD001", 6)]
    assert (problems[0].row, problems[0].column) == (7, "sample_type")
    assert any(
        p.column == "gender" and p.message.startswith("'zz' is not a known gender")
        for p in problems
    )


# ----------------------------------------------------------------------------- round trip

population_rows = st.lists(
    st.tuples(
        st.sampled_from(SampleType.values),
        st.sampled_from(sorted(ORGANISATIONS)),
        st.sampled_from(Gender.values),
        st.sampled_from(OrderType.values),
        st.sampled_from(Level.values),
        st.sampled_from(Level.values),
        st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
        st.booleans(),
    ),
    max_size=30,
)


@settings(max_examples=50)
@given(population_rows)
def test_what_is_written_is_read_back(entries):
    table = [HEADER]
    for index, (kind, org, gender, disposal, rosh, wellbeing, start, uk) in enumerate(entries):
        written = start.strftime("%d/%m/%Y") if uk else start.isoformat()
        table.append([f"R{index}", kind, org, gender, disposal, rosh, wellbeing, written])
    rows, problems = parse("cases.csv", to_csv(table))
    assert problems == []
    assert [
        (
            r.sample_type,
            r.organisation,
            r.gender,
            r.disposal_type,
            r.risk_of_serious_harm,
            r.safety_and_wellbeing,
            r.start_date,
        )
        for r in rows
    ] == [entry[:7] for entry in entries]
    assert parse("cases.xlsx", to_xlsx(table)) == (rows, problems)
