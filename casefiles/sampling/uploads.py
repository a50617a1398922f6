"""Reading an uploaded spreadsheet safely: a CSV or .xlsx file to numbered rows of text.

Uploads come from outside the service, so everything about them is bounded before it is
trusted: an .xlsx archive's entries (number, names, sizes, compression ratio) are checked from
its directory before anything is decompressed, its shared strings and sheet rows are counted
as they stream, and every row counts toward the limit whether blank or not, so a crafted file
is refused having cost little memory and time. Control characters are refused with where they
are. What the rows mean is casefiles.sampling.population's business.

Plain Python, no ORM.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime

# A population of 20,000 is far beyond any inspection's eligible cases (seed 004 sampled
# 50); the cap stops a wrong file (a whole caseload export) from tying up a worker.
MAX_ROWS = 20_000

# Every row of the file counts toward this, blank or not: a sheet of a million empty
# rows costs as much to read as a million cases. The margin over MAX_ROWS leaves room
# for a header, notes and the blank rows people leave between groups.
MAX_FILE_ROWS = MAX_ROWS + 1_000

# Limits on what an upload may hold, checked before any parser builds anything from it.
# A population needs eight columns; exports with extra ones stay far below these.
MAX_COLUMNS = 100
MAX_CELL_CHARS = 2_000

# An .xlsx file is a zip archive of XML. These are checked from the archive's own
# directory before anything is decompressed, so a "zip bomb" (a small file that
# expands to gigabytes) is refused having cost almost nothing. A real population of
# 20,000 cases is about 9 MB of sheet XML that compresses about 16 to 1.
XLSX_MAX_ENTRIES = 200
XLSX_MAX_ENTRY_BYTES = 40 * 1024 * 1024
XLSX_MAX_TOTAL_BYTES = 60 * 1024 * 1024
XLSX_MAX_RATIO = 100  # uncompressed / compressed, for entries over XLSX_RATIO_FROM bytes
XLSX_RATIO_FROM = 1024 * 1024
# openpyxl keeps every shared string in memory for the whole read.
XLSX_MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
XLSX_MAX_SHARED_STRINGS = 200_000

# C0 control characters other than tab, line feed and carriage return, and DEL. None
# belongs in a list of cases, NUL breaks PostgreSQL text, and all of them are invisible
# to the person who has to find and remove them, so the message says where they are.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TooManyRows(Exception):
    """Raised by the readers so that an oversized file is refused without reading it all."""


class Unreadable(Exception):
    """The file could not be read at all; the message is shown to the uploader."""



def _cell_text(value: object) -> str:
    """Turn a cell (from csv: str; from openpyxl: str, number, date or None) into text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Excel stores a reference typed as 12345 as the float 12345.0.
        return str(int(value))
    return str(value).strip()



def _numbered_limited(
    rows: Iterable[tuple[int, list[str]]],
) -> list[tuple[int, list[str]]]:
    """Keep the non-blank rows with their file row numbers, refusing an oversized file.

    Every row counts toward MAX_FILE_ROWS, blank or not, and reading stops as soon as
    a limit is passed, so a huge file costs little.
    """
    result: list[tuple[int, list[str]]] = []
    for number, row in rows:
        if number > MAX_FILE_ROWS:
            raise TooManyRows(_too_many_rows_message())
        if not any(row):
            continue
        if len(row) > MAX_COLUMNS and any(row[MAX_COLUMNS:]):
            raise Unreadable(_too_many_columns_message(number))
        if len(result) > MAX_ROWS:  # the header and MAX_ROWS cases are already held
            raise TooManyRows(
                f"The file has more than {MAX_ROWS:,} cases. A list of eligible cases "
                "should be far shorter: check that this is the right file."
            )
        for index, cell in enumerate(row):
            if len(cell) > MAX_CELL_CHARS:
                raise Unreadable(
                    f"Row {number}, column {_column_letter(index)} holds {len(cell):,} "
                    f"characters; a cell may hold at most {MAX_CELL_CHARS:,}. Check that "
                    "this is the right file."
                )
        result.append((number, row))
    return result


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column names a spreadsheet shows."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _control_character_message(text: str, *, where: str) -> str | None:
    match = _CONTROL.search(text)
    if match is None:
        return None
    code = f"U+{ord(match.group()):04X}"
    name = " (NUL)" if match.group() == "\x00" else ""
    return (
        f"{where} holds an invisible control character {code}{name}, which a list of "
        "cases cannot contain. It usually comes from copying out of another program: "
        "delete it (or retype the cell) and upload the file again."
    )


def _read_csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        # utf-8-sig drops the byte order mark Excel writes when it saves "CSV UTF-8".
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(
            "The file is not readable as UTF-8 text. In Excel, save it as "
            "CSV UTF-8 (.csv) and upload it again."
        ) from error
    match = _CONTROL.search(text)
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        raise Unreadable(
            _control_character_message(match.group(), where=f"Line {line} of the file")
        )
    # Records are numbered, not physical lines: a quoted cell holding a line break is
    # still one row when the file is opened in Excel.
    reader = csv.reader(io.StringIO(text, newline=""))
    numbered = (
        (number, [cell.strip() for cell in row]) for number, row in enumerate(reader, start=1)
    )
    try:
        return _numbered_limited(numbered)
    except csv.Error as error:
        raise Unreadable(f"The file could not be read as CSV: {error}.") from error


def _unsafe_entry_name(name: str) -> bool:
    parts = name.split("/")
    return (
        not name
        or len(name) > 255
        or name.startswith("/")
        or "\\" in name
        or ":" in name
        or ".." in parts
        or _CONTROL.search(name) is not None
    )


def _check_xlsx_archive(data: bytes, *, filename: str) -> None:
    """Refuse a workbook whose archive is malformed or would expand past the limits.

    Uses only the archive's directory (names and declared sizes), so nothing is
    decompressed yet. The declared sizes cannot be trusted on their own: _stream_entry
    enforces them again while reading.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise Unreadable(_not_a_workbook(filename)) from error
    with archive:
        entries = archive.infolist()
        if len(entries) > XLSX_MAX_ENTRIES:
            raise Unreadable(
                f"'{filename}' holds {len(entries):,} parts; an Excel workbook of cases "
                f"has far fewer than {XLSX_MAX_ENTRIES}. Save the list of cases alone in a "
                "new workbook and upload that."
            )
        names = [entry.filename for entry in entries]
        if len(set(names)) != len(names) or any(_unsafe_entry_name(n) for n in names):
            raise Unreadable(
                f"'{filename}' has parts with names an Excel workbook never uses, so it "
                "was not opened. Open it in Excel and save it again."
            )
        total = 0
        for entry in entries:
            size = entry.file_size
            total += size
            too_big = size > XLSX_MAX_ENTRY_BYTES or total > XLSX_MAX_TOTAL_BYTES
            ratio = size / max(entry.compress_size, 1)
            too_compressed = size > XLSX_RATIO_FROM and ratio > XLSX_MAX_RATIO
            shared = entry.filename.lower().endswith("sharedstrings.xml")
            if shared and size > XLSX_MAX_SHARED_STRINGS_BYTES:
                too_big = True
            if too_big or too_compressed:
                raise Unreadable(
                    f"'{filename}' would expand to far more data than a list of "
                    f"{MAX_ROWS:,} cases needs (its part {entry.filename[:80]} is "
                    f"{size:,} bytes once unpacked), so it was not opened. Save the list "
                    "of cases alone in a new workbook, or as CSV UTF-8, and upload that."
                )
        for entry in entries:
            name = entry.filename.lower()
            if name.endswith("sharedstrings.xml"):
                _check_shared_strings(archive, entry, filename=filename)
            elif name.endswith(".xml"):
                # Every XML part, not only those under xl/worksheets/: the workbook's own
                # index may place a sheet anywhere. Parts without rows cost one quick pass.
                _check_sheet(archive, entry, filename=filename)


def _stream_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, *, filename: str):
    """The entry's bytes in chunks, stopping if it unpacks to more than it declared."""
    limit = entry.file_size
    read = 0
    with archive.open(entry) as stream:
        while chunk := stream.read(64 * 1024):
            read += len(chunk)
            if read > limit:
                raise Unreadable(_not_a_workbook(filename))
            # Excel writes its XML as UTF-8, where these bytes are only ever the control
            # characters themselves; the XML parser would refuse them with no useful word.
            match = _CONTROL_BYTES.search(chunk)
            if match is not None:
                message = _control_character_message(
                    match.group().decode(), where=f"'{filename}' ({entry.filename[:80]})"
                )
                raise Unreadable(str(message))
            yield chunk


def _iter_elements(archive, entry, *, filename: str, tags: set[str]):
    """Yield (tag, element) at the end of each element named in tags, in bounded memory.

    Elements are cleared once seen, and the parser is fed in chunks, so memory stays
    proportional to one row, never to the whole part.
    """
    from xml.etree.ElementTree import XMLPullParser

    parser = XMLPullParser(events=("end",))
    try:
        for chunk in _stream_entry(archive, entry, filename=filename):
            parser.feed(chunk)
            for _event, element in parser.read_events():
                tag = element.tag.rsplit("}", 1)[-1]
                if tag in tags:
                    yield tag, element
                    element.clear()
        parser.close()
    except Unreadable:
        raise
    except Exception as error:  # ParseError, zlib errors, bad CRC
        raise Unreadable(_not_a_workbook(filename)) from error


def _check_shared_strings(archive, entry, *, filename: str) -> None:
    count = 0
    for _tag, element in _iter_elements(archive, entry, filename=filename, tags={"si"}):
        count += 1
        if count > XLSX_MAX_SHARED_STRINGS:
            raise Unreadable(
                f"'{filename}' holds more than {XLSX_MAX_SHARED_STRINGS:,} different "
                "pieces of text, far more than a list of cases needs, so it was not read. "
                "Save the list of cases alone in a new workbook and upload that."
            )
        length = sum(len(text) for text in element.itertext())
        if length > MAX_CELL_CHARS:
            raise Unreadable(
                f"'{filename}' holds a piece of text of {length:,} characters; a cell may "
                f"hold at most {MAX_CELL_CHARS:,}. Check that this is the right file."
            )


_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d+)")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _check_sheet(archive, entry, *, filename: str) -> None:
    """Count every row, blank or not, and every cell of a row, before openpyxl reads any.

    openpyxl builds each row whole and fills gaps between numbered rows with empty
    ones, so a sheet of sparse rows or very wide rows would cost memory before
    _numbered_limited could stop it.
    """
    row_number = 0
    for _tag, element in _iter_elements(archive, entry, filename=filename, tags={"row"}):
        declared = element.get("r")
        row_number = int(declared) if declared and declared.isdigit() else row_number + 1
        if row_number > MAX_FILE_ROWS:
            raise TooManyRows(_too_many_rows_message())
        cells = [child for child in element if child.tag.rsplit("}", 1)[-1] == "c"]
        if len(cells) > MAX_COLUMNS:
            raise Unreadable(_too_many_columns_message(row_number))
        for cell in cells:
            match = _CELL_REFERENCE.fullmatch(cell.get("r") or "")
            if match and _column_number(match.group(1)) > MAX_COLUMNS:
                raise Unreadable(_too_many_columns_message(row_number))


def _too_many_rows_message() -> str:
    return (
        f"The file has more than {MAX_FILE_ROWS:,} rows (blank rows count too). A list "
        f"of eligible cases should be far shorter: check that this is the right file, and "
        "delete any empty rows below the cases."
    )


def _too_many_columns_message(row: int) -> str:
    return (
        f"Row {row} uses columns beyond column {_column_letter(MAX_COLUMNS - 1)} (the "
        f"{MAX_COLUMNS}th). Keep the list of cases in the first columns, delete anything "
        "to the right of it, and upload the file again."
    )


def _not_a_workbook(filename: str) -> str:
    return (
        f"'{filename}' could not be opened as an Excel workbook. It may be damaged "
        "or not really an .xlsx file: open it in Excel and save it again."
    )


def _read_xlsx_rows(data: bytes, *, filename: str) -> list[tuple[int, list[str]]]:
    # Imported here so that CSV-only callers do not pay for openpyxl.
    from openpyxl import load_workbook

    _check_xlsx_archive(data, filename=filename)
    try:
        # data_only: take the value a formula last calculated, not the formula text.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # Some programs that write .xlsx record a wrong sheet size, and read-only
            # mode trusts it; forgetting it makes openpyxl read every cell present.
            sheet.reset_dimensions()
            numbered = (
                (number, _xlsx_row(number, row))
                for number, row in enumerate(
                    sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
                )
            )
            return _numbered_limited(numbered)
        finally:
            workbook.close()
    except (TooManyRows, Unreadable):
        raise
    except Exception as error:
        # openpyxl raises many kinds of error (BadZipFile, KeyError, InvalidFileException,
        # XML parse errors) for a damaged or mislabelled workbook; all mean the same thing
        # to the person uploading it.
        raise Unreadable(_not_a_workbook(filename)) from error


def _xlsx_row(number: int, row: tuple) -> list[str]:
    cells = [_cell_text(cell) for cell in row]
    for index, text in enumerate(cells):
        message = _control_character_message(
            text, where=f"Row {number}, column {_column_letter(index)}"
        )
        if message is not None:
            raise Unreadable(message)
    return cells



def read_rows(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a .csv or .xlsx file, numbered as the file numbers them.

    Raises TooManyRows or Unreadable, with words for the person who uploaded it.
    """
    if filename.lower().endswith(".csv"):
        return _read_csv_rows(data)
    return _read_xlsx_rows(data, filename=filename)
