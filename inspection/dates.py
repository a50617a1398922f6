"""Dates and times in the one GOV.UK style every page uses: "30 November 2026", and
"30 November 2026 at 2:15pm" (midday and midnight by name). Plain Python, so pages (through
the template filters in inspection/templatetags/dates.py) and anything else say them alike.
"""

from datetime import date, datetime, time

from django.utils import timezone

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _local(value: datetime) -> datetime:
    if timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def govuk_date(value: date | datetime | None) -> str:
    """30 November 2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def govuk_time(value: datetime | time | str | None) -> str:
    """2:15pm, 9am, midday, midnight (also from a 24-hour "14:15" as a form takes it)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = time.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = _local(value)
    hour, minute = value.hour, value.minute
    if minute == 0 and hour == 12:
        return "midday"
    if minute == 0 and hour == 0:
        return "midnight"
    suffix = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    return f"{twelve}{suffix}" if minute == 0 else f"{twelve}:{minute:02d}{suffix}"


def govuk_datetime(value: datetime | None) -> str:
    """30 November 2026 at 2:15pm."""
    if value is None or value == "":
        return ""
    return f"{govuk_date(value)} at {govuk_time(value)}"


def govuk_month(value: date | datetime | None) -> str:
    """November 2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return f"{MONTHS[value.month - 1]} {value.year}"


def govuk_day(value: date | datetime | None) -> str:
    """Monday 30 November 2026, for a day's heading."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return f"{DAYS[value.weekday()]} {govuk_date(value)}"
