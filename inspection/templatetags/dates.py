"""The date filters every template uses (loaded everywhere: TEMPLATES builtins in settings):
``|govuk_date``, ``|govuk_datetime``, ``|govuk_time``, ``|govuk_month``. No other date format
is written in a template (tests/inspection/test_dates.py reads them all)."""

from django import template

from inspection import dates

register = template.Library()

register.filter("govuk_date", dates.govuk_date)
register.filter("govuk_datetime", dates.govuk_datetime)
register.filter("govuk_time", dates.govuk_time)
register.filter("govuk_month", dates.govuk_month)
register.filter("govuk_day", dates.govuk_day)
