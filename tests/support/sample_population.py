"""Made-up files of eligible cases for the sample tests, shaped like seed 004's inspection.

Fieldwork starts on 16 April 2018 (the conftest inspection), so court disposals are eligible
from 16 July to 16 October 2017 and out-of-court disposals from 16 November 2017 to
16 January 2018. By default: 37 eligible court disposals and 21 eligible out-of-court
disposals (samples of 31 and 19 at 80% and 5, as in Barking and Dagenham), plus 3 and 2
that started outside their windows.
"""

import csv
import io
from datetime import date, timedelta

from casefiles.sampling.population import COLUMNS

GENDERS = ["male", "male", "male", "female"]
LEVELS = ["low", "medium", "medium", "high"]
COURT = ["referral_order", "yro"]
OUT_OF_COURT = ["youth_caution", "youth_conditional_caution", "community_resolution"]


def population_rows(
    *,
    court: int = 37,
    out_of_court: int = 21,
    court_outside: int = 3,
    out_of_court_outside: int = 2,
    organisation: str = "bd-yos",
) -> list[list[str]]:
    rows = []
    for i in range(court):
        start = date(2017, 8, 1) + timedelta(days=i)
        rows.append(
            [
                f"CD{i:03d}",
                "court_disposal",
                organisation,
                GENDERS[i % 4],
                COURT[i % 2],
                LEVELS[i % 4],
                LEVELS[(i // 2) % 4],
                start.isoformat(),
            ]
        )
    for i in range(court_outside):  # started about two months before fieldwork: too recent
        start = date(2018, 2, 1) + timedelta(days=i)
        rows.append(
            [
                f"CL{i:03d}",
                "court_disposal",
                organisation,
                "male",
                "referral_order",
                "low",
                "low",
                start.isoformat(),
            ]
        )
    for i in range(out_of_court):
        start = date(2017, 12, 1) + timedelta(days=i)
        rows.append(
            [
                f"OC{i:03d}",
                "Out-of-court disposal",  # labels are accepted as well as stored values
                organisation,
                GENDERS[(i + 1) % 4],
                OUT_OF_COURT[i % 3],
                LEVELS[i % 3],
                LEVELS[(i + 1) % 4],
                start.strftime("%d/%m/%Y"),
            ]
        )
    for i in range(out_of_court_outside):  # ten months before fieldwork: too old
        rows.append(
            [
                f"OE{i:03d}",
                "out_of_court",
                organisation,
                "female",
                "youth_caution",
                "low",
                "low",
                f"2017-06-0{i + 1}",
            ]
        )
    return rows


def csv_bytes(rows: list[list[str]], header: tuple[str, ...] | list[str] = COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx_bytes(rows: list[list[str]], header: tuple[str, ...] | list[str] = COLUMNS) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_with_problems() -> list[list[str]]:
    """A clean population with five mistakes, on file rows 3 to 7 (the header is row 1)."""
    rows = population_rows(court=10, out_of_court=4, court_outside=0, out_of_court_outside=0)
    rows[1][3] = "boy"  # row 3: gender not in the vocabulary
    rows[2][7] = "31/02/2018"  # row 4: not a date
    rows[3][0] = rows[0][0]  # row 5: duplicate reference of row 2
    rows[4][2] = "elsewhere-yot"  # row 6: not an organisation in the inspection
    rows[5][5] = ""  # row 7: empty risk of serious harm
    return rows
