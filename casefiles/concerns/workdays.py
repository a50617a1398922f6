"""Working days in England and Wales: plain Python, no database.

A working day is Monday to Friday and not a bank holiday in England or in Wales (the `holidays`
package's UK calendars for the subdivisions ENG and WLS, taken together; today the two lists are
the same). Scottish and Northern Irish bank holidays do not count: the inspectorate and the
services it inspects work to the English and Welsh calendar.
"""

from datetime import date, timedelta
from functools import cache

import holidays

# The default time a service has to respond to a referral, in working days after the day it was
# referred, by the concern's urgency (docs/operations.md).
RESPONSE_WORKING_DAYS = {"immediate": 1, "working_day": 2}


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    england = holidays.UK(subdiv="ENG", years=year)
    wales = holidays.UK(subdiv="WLS", years=year)
    return frozenset(england) | frozenset(wales)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (`start` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def default_response_due(*, urgency: str, referred_on: date) -> date:
    return add_working_days(referred_on, RESPONSE_WORKING_DAYS[urgency])
