"""Hostile and careless population files: zip bombs, endless rows, control characters.

Each bomb is a few kilobytes on disk, built with zipfile, and must be refused with a clear
message, save nothing, and be checked in bounded memory (peak well under 50 MB, where
the unguarded reader grew to gigabytes).
"""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from casefiles.models import SamplePopulation
from casefiles.sampling import services as sample_services
from casefiles.sampling.population import COLUMNS, parse_population
from casefiles.sampling.uploads import MAX_FILE_ROWS, XLSX_MAX_ENTRIES
from tests.support.sample_population import csv_bytes, population_rows

ORGANISATIONS = {"bd-yos"}
PEAK_LIMIT = 50 * 1024 * 1024

SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def real_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [list(COLUMNS), *population_rows(court=3, out_of_court=2)]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rebuilt(replace: dict[str, bytes], *, stored: bool = False) -> bytes:
    """A real workbook with some parts replaced or added, compressed unless stored."""
    source = zipfile.ZipFile(io.BytesIO(real_workbook()))
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as target:
        for entry in source.infolist():
            if entry.filename not in replace:
                target.writestr(entry.filename, source.read(entry.filename))
        for name, data in replace.items():
            target.writestr(name, data)
    return buffer.getvalue()


def sheet_xml(rows: str, *, dimension: str = "A1:H6") -> bytes:
    return (
        f'{SHEET_HEAD}<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def measured(data: bytes, filename: str = "eligible.xlsx"):
    """Parse the file, returning (rows, problems, peak bytes allocated while parsing)."""
    tracemalloc.start()
    try:
        rows, problems = parse_population(filename, data, organisations=ORGANISATIONS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return rows, problems, peak


# The bombs --------------------------------------------------------------------------------


def shared_strings_bomb() -> bytes:
    """Shared strings that expand ~1000 to 1: 40 MB of text in a few tens of kilobytes."""
    text = "A" * 1_000_000
    items = "".join(f"<si><t>{text}</t></si>" for _ in range(40))
    xml = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'
    return rebuilt({"xl/sharedStrings.xml": xml.encode()})


def many_shared_strings() -> bytes:
    """Stored uncompressed (so no ratio gives it away): 250,000 short shared strings."""
    items = "".join(f"<si><t>{i}</t></si>" for i in range(250_000))
    xml = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'
    return rebuilt({"xl/sharedStrings.xml": xml.encode()}, stored=True)


def empty_rows_bomb() -> bytes:
    """A million empty rows: about 20 MB of XML that compresses well below the limits."""
    rows = "".join(f'<row r="{n}"/>' for n in range(1, 1_000_001))
    return rebuilt({"xl/worksheets/sheet1.xml": sheet_xml(rows)})


def sparse_row_bomb() -> bytes:
    """One cell on the last row Excel allows: the reader would make a million rows."""
    rows = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return rebuilt({"xl/worksheets/sheet1.xml": sheet_xml(rows)})


def wide_row_bomb() -> bytes:
    rows = '<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>'
    return rebuilt({"xl/worksheets/sheet1.xml": sheet_xml(rows)})


def huge_dimension() -> bytes:
    """A real workbook claiming to span every cell Excel allows: the claim is ignored."""
    source = zipfile.ZipFile(io.BytesIO(real_workbook()))
    xml = source.read("xl/worksheets/sheet1.xml").decode()
    xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
    return rebuilt({"xl/worksheets/sheet1.xml": xml.encode()})


def many_entries() -> bytes:
    return rebuilt({f"xl/media/image{i}.png": b"x" for i in range(XLSX_MAX_ENTRIES + 1)})


def bad_names() -> bytes:
    return rebuilt({"../../etc/passwd": b"x"})


def test_the_bombs_are_small_on_disk():
    for bomb in (shared_strings_bomb(), empty_rows_bomb(), sparse_row_bomb()):
        assert len(bomb) < 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (shared_strings_bomb, "would expand to far more data"),
        (many_shared_strings, "more than 200,000 different pieces of text"),
        (empty_rows_bomb, f"more than {MAX_FILE_ROWS:,} rows (blank rows count too)"),
        (sparse_row_bomb, f"more than {MAX_FILE_ROWS:,} rows (blank rows count too)"),
        (wide_row_bomb, "Row 1 uses columns beyond column CV"),
        (many_entries, "holds 2"),
        (bad_names, "names an Excel workbook never uses"),
    ],
    ids=[
        "shared-strings",
        "many-shared-strings",
        "empty-rows",
        "sparse-row",
        "wide-row",
        "many-entries",
        "entry-names",
    ],
)
def test_a_bomb_is_refused_with_one_clear_problem_in_bounded_memory(build, message):
    data = build()
    rows, problems, peak = measured(data)
    assert rows == []
    (problem,) = problems
    assert message in problem.message
    assert peak < PEAK_LIMIT + len(data)


def test_a_huge_declared_dimension_is_ignored_and_the_file_read():
    rows, problems, peak = measured(huge_dimension())
    assert problems == []
    assert len(rows) == 10  # 3 + 2 in their windows, plus 3 + 2 outside them
    assert peak < PEAK_LIMIT


def test_blank_rows_count_toward_the_row_limit_in_a_csv():
    lines = [",".join(COLUMNS)] + [""] * (MAX_FILE_ROWS + 1) + ["CD1,court_disposal"]
    rows, problems = parse_population(
        "cases.csv", "\n".join(lines).encode(), organisations=ORGANISATIONS
    )
    assert rows == []
    (problem,) = problems
    assert "blank rows count too" in problem.message


def test_a_csv_wider_than_the_column_limit_is_refused():
    line = ",".join(COLUMNS) + "," * 150 + "extra"
    rows, problems = parse_population("cases.csv", line.encode(), organisations=ORGANISATIONS)
    assert rows == []
    assert "Row 1 uses columns beyond column CV" in problems[0].message


def test_rows_hidden_in_a_part_outside_the_worksheets_folder_are_counted():
    rows = "".join(f'<row r="{n}"/>' for n in range(1, 30_001))
    data = rebuilt({"xl/elsewhere/sheet9.xml": sheet_xml(rows)})
    rows_, problems, _ = measured(data)
    assert rows_ == []
    assert "blank rows count too" in problems[0].message


def test_an_overlong_cell_is_refused_naming_row_and_column():
    table = [list(COLUMNS), ["X" * 5000, *population_rows()[0][1:]]]
    rows, problems = parse_population("cases.csv", csv_bytes(table[1:]), organisations=set())
    assert rows == []
    assert "Row 2, column A holds 5,000 characters" in problems[0].message


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
def test_a_control_character_in_a_csv_is_named_with_its_line(character):
    data = csv_bytes(population_rows())
    lines = data.split(b"\n")
    lines[2] = lines[2].replace(b"CD", f"C{character}D".encode(), 1)
    rows, problems = parse_population("cases.csv", b"\n".join(lines), organisations=ORGANISATIONS)
    assert rows == []
    (problem,) = problems
    assert problem.message.startswith("Line 3 of the file holds an invisible control character")
    assert f"U+{ord(character):04X}" in problem.message


def test_a_control_character_in_a_workbook_is_named():
    source = zipfile.ZipFile(io.BytesIO(real_workbook()))
    xml = source.read("xl/worksheets/sheet1.xml").replace(b"CD000", b"CD\x00000", 1)
    data = rebuilt({"xl/worksheets/sheet1.xml": xml})
    rows, problems = parse_population("cases.xlsx", data, organisations=ORGANISATIONS)
    assert rows == []
    (problem,) = problems
    assert "'cases.xlsx' (xl/worksheets/sheet1.xml) holds an invisible control character" in (
        problem.message
    )
    assert "U+0000 (NUL)" in problem.message


# Through the page and the service ---------------------------------------------------------


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.mark.parametrize(
    ("filename", "build"),
    [
        ("eligible.xlsx", shared_strings_bomb),
        ("eligible.xlsx", empty_rows_bomb),
        ("eligible.csv", lambda: csv_bytes(population_rows()).replace(b"CD001", b"CD\x00001")),
    ],
    ids=["shared-strings", "empty-rows", "nul"],
)
def test_the_upload_page_refuses_a_bad_file_plainly_and_saves_nothing(
    login, people, inspection, filename, build
):
    client = login(people.lead)
    response = client.post(
        reverse("casefiles:sample_upload", args=[inspection.reference]),
        {"file": SimpleUploadedFile(filename, build())},
    )
    assert response.status_code == 200
    words = page_text(response)
    assert "Nothing was saved" in words
    assert "problem" in words
    assert SamplePopulation.objects.count() == 0


def test_the_file_is_read_before_the_inspection_is_locked(inspection, people, monkeypatch):
    events: list[str] = []
    parse = sample_services.parse_population
    lock = sample_services._lock

    def parse_spy(*args, **kwargs):
        events.append("parse")
        return parse(*args, **kwargs)

    def lock_spy(inspection):
        events.append("lock")
        return lock(inspection)

    monkeypatch.setattr(sample_services, "parse_population", parse_spy)
    monkeypatch.setattr(sample_services, "_lock", lock_spy)
    result = sample_services.population_upload(
        inspection=inspection,
        filename="eligible.csv",
        data=csv_bytes(population_rows()),
        by=people.lead,
    )
    assert result.problems == []
    assert events == ["parse", "lock"]


def test_a_bad_file_never_takes_the_lock(inspection, people, monkeypatch):
    monkeypatch.setattr(
        sample_services, "_lock", lambda inspection: pytest.fail("locked for a bad file")
    )
    result = sample_services.population_upload(
        inspection=inspection, filename="eligible.xlsx", data=empty_rows_bomb(), by=people.lead
    )
    assert result.population is None
    assert "blank rows count too" in result.problems[0].message
