"""Bad input never breaks the import command: broken exchange files, made by hypothesis from a
good one, are imported with ``manage.py import_inspection``.

The command either imports the file or stops with a CommandError that says, for every
problem, where it is in the file (a JSON path starting with $); it never fails with another
exception, and a refused file leaves every table as it was.

tests/test_exchange_import_errors.py checks each kind of problem by hand and replaces single
values with a few plain ones through the import function. Here the file goes through the
command, and is broken harder: values of other types (huge and non-finite numbers, NUL and
other control characters, very long text, nested lists and objects), keys removed, keys and
list items added, several changes at once, and then the text cut short, spliced with garbage,
nested too deeply, or not UTF-8 at all.
"""

from __future__ import annotations

import copy
import io
import json
import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from reports.exchange.format import ImportRefused, exchange_json
from tests.reports.exchange.test_exchange_import_errors import (
    _json_path,
    _leaves,
    good,
    table_counts,
)
from tests.test_bad_input import EXAMPLES

__all__ = ["good"]  # the fixture, shared with test_exchange_import_errors

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\t\r\n",
            "\u202e",
            "2018-02-30",
            "2018-04-16T09:30:00",
            "2018-04-16T25:00:00Z",
            "0000-01-01",
            "9999-12-31T23:59:59+14:00",
            "yes",
            "Good",
            "C-001",
            "2.1.1",
            "00000000-0000-4000-8000-000000000000",
            "x" * 100_000,
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6,
)


def _parent(data, place):
    node = data
    for key in place[:-1]:
        node = node[key]
    return node


def _extreme(value) -> st.SearchStrategy:
    """A value of the same type that the format allows but a database may not hold."""
    if isinstance(value, bool) or value is None:
        return st.sampled_from([None, "", 0, [], {}])
    if isinstance(value, int | float):
        return st.sampled_from([2**31 - 1, 2**31, 2**63, 10**30, 1e300, -1, 0, 1.0])
    if isinstance(value, str):
        return st.one_of(
            st.sampled_from(["\x00", "\x1b[2J", "\u202e", "\r\n", "x" * 100_000]).map(
                lambda extra: value + extra
            ),
            st.sampled_from(
                [
                    "9999-12-31T23:59:59-14:00",
                    "0001-01-01T00:00:00+14:00",
                    "0001-01-01",
                    "9999-12-31",
                    value.upper(),
                    value.strip() + " ",
                ]
            ),
        )
    return VALUES


@st.composite
def broken_data(draw, good: dict):
    """The good file's data with one to three changes."""
    data = copy.deepcopy(good)
    for _ in range(draw(st.integers(1, 3), label="changes")):
        places = [p for p in _leaves(data) if p]
        place = draw(st.sampled_from(places))
        parent, key = _parent(data, place), place[-1]
        how = draw(st.sampled_from(["extreme", "extreme", "replace", "remove", "add", "copy"]))
        note(f"{how} {_json_path(place)}")
        if how == "extreme":
            parent[key] = draw(_extreme(parent[key]), label="value")
        elif how == "replace":
            parent[key] = draw(VALUES, label="value")
        elif how == "remove":
            del parent[key]
        elif how == "add" and isinstance(parent, dict):
            parent[draw(TEXT, label="new key")] = draw(VALUES, label="value")
        elif how == "add":
            parent.insert(key, draw(VALUES, label="new item"))
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[draw(TEXT, label="new key")] = copy.deepcopy(parent[key])
    return data


def _dump(data) -> str:
    try:
        return exchange_json(data)
    except ValueError:  # NaN or infinity: Python still writes them, as bare words
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@st.composite
def broken_files(draw, good: dict) -> bytes:
    """The bytes of a broken file: broken data, and sometimes broken text as well."""
    text = _dump(draw(broken_data(good)) if draw(st.booleans(), label="change values") else good)
    how = draw(st.sampled_from(["as is", "as is", "cut", "spliced", "nested", "utf-16", "bom"]))
    note(f"text: {how}")
    if how == "cut":
        return text[: draw(st.integers(0, len(text) - 1))].encode()
    if how == "spliced":
        at = draw(st.integers(0, len(text)))
        garbage = draw(st.one_of(TEXT, st.sampled_from(["\x00", "}", "]", ",", '"', "\\"])))
        return (text[:at] + garbage + text[at:]).encode()
    if how == "nested":
        depth = draw(st.sampled_from([50, 900, 990, 1_000, 100_000]))
        key = draw(st.sampled_from(["cases", "answers", "extra"]))
        return text.replace(f'"{key}": ', f'"{key}": ' + "[" * depth, 1).encode()
    if how == "utf-16":
        return text.encode("utf-16")
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    return text.encode()


@FUZZ
@given(data=st.data())
def test_a_broken_file_is_imported_whole_or_refused_by_path(good, tmp_path, data):
    path = tmp_path / "broken.json"
    path.write_bytes(data.draw(broken_files(good)))
    with transaction.atomic():
        before = table_counts()
        try:
            call_command("import_inspection", str(path), stdout=io.StringIO())
        except CommandError as refusal:
            assert table_counts() == before, "a refused file changed the database"
            message = str(refusal)
            assert message.startswith("broken.json: Nothing was imported: "), message
            cause = refusal.__cause__
            assert isinstance(cause, ImportRefused), message
            assert cause.problems, message
            for problem in cause.problems:
                assert problem.path.startswith("$"), problem
                assert str(problem) in message
        # A file that went through is undone, so that every example starts alike.
        transaction.set_rollback(True)


def test_non_finite_numbers_are_refused_by_path(good, tmp_path):
    good["cases"][0]["answers"][0]["version"] = math.nan
    good["organisation_ratings"][0]["version"] = math.inf
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(good), encoding="utf-8")
    before = table_counts()

    with pytest.raises(CommandError) as caught:
        call_command("import_inspection", str(path))

    assert table_counts() == before
    lines = str(caught.value).split("\n")[1:]
    assert "$.cases[0].answers[0].version: expected a whole number, got the number nan" in lines
    assert "$.organisation_ratings[0].version: expected a whole number, got the number inf" in lines


# Found by the test above: each once escaped the command as another exception.


def _set(data, path, value):
    _parent(data, path)[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (
            ("cases", 0, "answers", 0, "version"),
            2**31,
            "$.cases[0].answers[0].version: must be 2147483647 or less, got 2147483648",
        ),
        (
            ("report", "key_facts", 0, "position"),
            10**30,
            f"$.report.key_facts[0].position: must be 2147483647 or less, got {10**30}",
        ),
        (
            ("cases", 0, "answers", 0, "note"),
            "a\x00b",
            "$.cases[0].answers[0].note: contains a NUL character, which cannot be stored",
        ),
        (
            ("inspection", "reference"),
            "yos bd 2018",
            "$.inspection.reference: 'yos bd 2018' is not in the right form: Letters, digits, "
            "hyphens and underscores.",
        ),
        (
            ("cases", 1, "submitted_at"),
            "9999-12-31T23:59:59-14:00",
            "$.cases[1].submitted_at: expected a date and time in ISO 8601 with a time zone, "
            "e.g. 2018-04-16T09:30:00Z, got '9999-12-31T23:59:59-14:00'",
        ),
    ],
)
def test_values_no_database_can_hold_are_refused_by_path(good, tmp_path, path, value, problem):
    _set(good, path, value)
    file = tmp_path / "big.json"
    file.write_text(exchange_json(good), encoding="utf-8")
    before = table_counts()

    with pytest.raises(CommandError) as caught:
        call_command("import_inspection", str(file))

    assert table_counts() == before
    assert str(caught.value).split("\n")[1:] == [problem]


def test_a_file_nested_too_deeply_is_refused(good, tmp_path):
    file = tmp_path / "deep.json"
    file.write_text(exchange_json(good).replace('"cases": ', '"cases": ' + "[" * 100_000, 1))

    with pytest.raises(CommandError) as caught:
        call_command("import_inspection", str(file))

    assert str(caught.value).split("\n")[1:] == [
        "$: lists and objects are nested too deeply to read (is it the right file?)"
    ]
