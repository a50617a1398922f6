"""The exchange file's format: its name and version, the JSON Schema it is checked against
(docs/inspection-exchange.schema.json), how dates and times are written, the file's text, and
how a problem with a file is reported (Problem, ImportRefused).

The schema check lives here too: it is what the format alone can say about a file (types,
required keys, choices, lengths), each problem in plain words at its JSON path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

FORMAT = "case-audit-inspection"
FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "inspection-exchange.schema.json"


def date_text(value: date | None) -> str | None:
    return value.isoformat() if value else None


def datetime_text(value: datetime | None) -> str | None:
    """Always UTC with microseconds, so the same moment is always written the same way."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def parse_date(value: str) -> date:
    """A date written YYYY-MM-DD (ValueError for anything else, or a day that does not exist)."""
    if not _DATE.fullmatch(value):
        raise ValueError(value)
    return date.fromisoformat(value)


def parse_datetime(value: str) -> datetime:
    """An ISO 8601 date and time with a time zone (Z or an offset)."""
    if not _DATETIME.fullmatch(value):
        raise ValueError(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    try:
        # Stored and written in UTC: 9999-12-31T23:59:59-14:00 would be in the year 10000.
        moment.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(value) from error
    return moment


_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    if isinstance(value, str):
        parse_date(value)
    return True


@_FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    if isinstance(value, str):
        parse_datetime(value)
    return True


@cache
def exchange_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def exchange_json(data: dict) -> str:
    """The file's text: sorted keys, two-space indent, UTF-8 characters kept, a final newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file: where (a JSON path) and why, in plain words."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class ImportRefused(Exception):
    """The file was not imported; nothing was saved. ``problems`` says every reason."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"Nothing was imported: {len(self.problems)} problem(s) found.\n{lines}")


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_FORMAT_WORDS = {
    "date": "a date written YYYY-MM-DD",
    "date-time": "a date and time in ISO 8601 with a time zone, e.g. 2018-04-16T09:30:00Z",
}


def _show(value: Any) -> str:
    """A value from the file, as a reader would recognise it."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"


def _path_key(error) -> list:
    return [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in error.absolute_path]


def schema_problems(data: Any) -> list[Problem]:
    """Everything in the file that does not match the format, each with its path."""
    validator = jsonschema.Draft202012Validator(exchange_schema(), format_checker=_FORMATS)
    return [_schema_problem(e) for e in sorted(validator.iter_errors(data), key=_path_key)]


def unstorable_text(data: Any) -> list[Problem]:
    """Text holding a NUL character, which the database cannot store, wherever it is (keys
    too). A loop, not recursion: the file may nest deeply."""
    problems = []
    stack = [("$", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str) and "\x00" in node:
            problems.append(Problem(path, "contains a NUL character, which cannot be stored"))
        elif isinstance(node, dict):
            for key, value in node.items():
                if "\x00" in key:
                    problems.append(
                        Problem(path, "a key contains a NUL character, which cannot be stored")
                    )
                stack.append((f"{path}.{key}", value))
        elif isinstance(node, list):
            stack.extend((f"{path}[{index}]", value) for index, value in enumerate(node))
    return sorted(problems, key=lambda problem: problem.path)


def _schema_problem(error) -> Problem:
    path, kind, schema, instance = error.json_path, error.validator, error.schema, error.instance
    if kind == "required":
        match = re.match(r"'(.+)' is a required property", error.message)
        key = match.group(1) if match else "?"
        return Problem(f"{path}.{key}", "this key is required but missing")
    if kind == "additionalProperties":
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        names = ", ".join(f"'{k}'" for k in extra)
        return Problem(path, f"unexpected key {names}: the format does not have it")
    if kind == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else expected
        words = [_FORMAT_WORDS.get(schema.get("format"), _TYPE_WORDS[expected[0]])]
        words += [_TYPE_WORDS[t] for t in expected[1:]]
        return Problem(path, f"expected {' or '.join(words)}, got {_show(instance)}")
    if kind == "format":
        return Problem(
            path, f"expected {_FORMAT_WORDS[error.validator_value]}, got {_show(instance)}"
        )
    if kind == "enum":
        allowed = ", ".join(f"'{v}'" for v in error.validator_value)
        return Problem(path, f"{_show(instance)} is not one of {allowed}")
    if kind == "const":
        return Problem(path, f"expected {json.dumps(error.validator_value)}, got {_show(instance)}")
    if kind == "maxLength":
        return Problem(path, f"too long: at most {error.validator_value} characters")
    if kind == "minLength":
        return Problem(path, "must not be empty")
    if kind == "minimum":
        return Problem(path, f"must be {error.validator_value} or more, got {instance}")
    if kind == "maximum":
        return Problem(path, f"must be {error.validator_value} or less, got {instance}")
    if kind == "pattern":
        form = schema.get("description") or f"it must match {schema['pattern']}"
        return Problem(path, f"{_show(instance)} is not in the right form: {form}")
    return Problem(path, error.message)
