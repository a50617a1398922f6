"""Dates in one format everywhere: "30 November 2026", times "30 November 2026 at 2:15pm"."""

import re
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.template import Context, Template

from inspection.dates import govuk_date, govuk_datetime, govuk_day, govuk_month, govuk_time

LONDON = ZoneInfo("Europe/London")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# The formats a template may still write with |date: the ones the filters write (the PDF keeps
# its own copies of them), a year, and the machine-readable date of a <time datetime="">.
AGREED = {"j F Y", "F Y", "Y", "Y-m-d"}


def test_a_date_is_day_month_year_in_words():
    assert govuk_date(date(2026, 11, 30)) == "30 November 2026"
    assert govuk_date(date(2026, 1, 1)) == "1 January 2026"
    assert govuk_date(None) == ""


def test_a_time_is_on_the_twelve_hour_clock_with_midday_and_midnight_by_name():
    assert govuk_time(time(14, 15)) == "2:15pm"
    assert govuk_time(time(9, 0)) == "9am"
    assert govuk_time(time(9, 5)) == "9:05am"
    assert govuk_time(time(12, 0)) == "midday"
    assert govuk_time(time(0, 0)) == "midnight"
    assert govuk_time(time(0, 30)) == "12:30am"
    assert govuk_time(time(12, 30)) == "12:30pm"
    assert govuk_time("14:30") == "2:30pm"
    assert govuk_time("not a time") == "not a time"


def test_a_moment_is_said_in_london_time():
    # 14:15 in UTC on a summer's day is 3:15pm in London; in winter the same.
    summer = datetime(2026, 7, 1, 14, 15, tzinfo=ZoneInfo("UTC"))
    winter = datetime(2026, 11, 30, 14, 15, tzinfo=ZoneInfo("UTC"))
    assert govuk_datetime(summer) == "1 July 2026 at 3:15pm"
    assert govuk_datetime(winter) == "30 November 2026 at 2:15pm"
    # Just before midnight in UTC is the next day in London in summer.
    assert govuk_date(datetime(2026, 7, 1, 23, 30, tzinfo=ZoneInfo("UTC"))) == "2 July 2026"


def test_month_and_day_headings():
    assert govuk_month(date(2018, 4, 16)) == "April 2018"
    assert govuk_day(date(2018, 4, 16)) == "Monday 16 April 2018"


def test_every_template_has_the_filters_and_plain_dates_read_the_same():
    moment = datetime(2026, 11, 30, 14, 15, tzinfo=LONDON)
    rendered = Template(
        "{{ d|govuk_date }}|{{ d|govuk_datetime }}|{{ d|govuk_month }}|{{ day }}|{{ day|date }}"
    ).render(Context({"d": moment, "day": date(2026, 11, 30)}))
    assert rendered == (
        "30 November 2026|30 November 2026 at 2:15pm|November 2026|30 November 2026|"
        "30 November 2026"
    )


def test_no_template_writes_a_date_format_of_its_own():
    stray = []
    for path in TEMPLATES.rglob("*.html"):
        source = path.read_text()
        for match in re.finditer(r"""\|\s*(date|time)\s*:\s*["']([^"']*)["']""", source):
            if match.group(1) == "time" or match.group(2) not in AGREED:
                stray.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert stray == []


def test_the_check_finds_a_stray_format(tmp_path):
    # The pattern above is not vacuous: it catches the formats that were used before.
    sample = '{{ a|date:"j M Y" }} {{ b|date:\'j F Y, H:i\' }} {{ c|time:"H:i" }}'
    found = re.findall(r"""\|\s*(date|time)\s*:\s*["']([^"']*)["']""", sample)
    assert found == [("date", "j M Y"), ("date", "j F Y, H:i"), ("time", "H:i")]
