# Dates rendered without a filter ({{ value }}, |date) read as the pages' own filters write
# them (inspection/dates.py): "30 November 2026". Django's "a" says "p.m.", so a time is
# written with |govuk_datetime, never with a format here.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y \\a\\t H:i"
SHORT_DATETIME_FORMAT = "j F Y \\a\\t H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
