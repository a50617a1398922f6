"""Importing a whole inspection from an exchange file (docs/data-exchange.md).

An import checks the whole file first and reports every problem with its JSON path; then it
saves everything in one transaction, or nothing. It writes judgements (answers, moderation
decisions, organisation ratings) and report text directly rather than through
judgements.services and reports.writing.services, because it restores what was already done
(with its authors, times and versions) rather than doing it again now; it writes the audit
rows for what it creates (AuditEvent, and ReportEdit for report text) in the same
transaction, as the services do.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import IntegrityError, transaction

from inspection.models import Inspection
from reports.exchange.format import ImportRefused, Problem, schema_problems, unstorable_text
from reports.exchange.importer.checks import Checker
from reports.exchange.importer.writer import Writer


def inspection_import(*, raw: bytes | str) -> Inspection:
    """Import a whole inspection from an exchange file, all or nothing.

    Raises ImportRefused, with every problem found, if the file cannot be imported; the
    database is then unchanged. People the file names who have no account here are created
    as inactive accounts without a password.
    """
    data = _parse(raw)
    problems = schema_problems(data) + unstorable_text(data)
    try:
        with transaction.atomic():
            checked = Checker(data, refused=[p.path for p in problems])
            try:
                checked.run()
            except Exception:
                # A file that breaks the format can trip the detailed checks; the format
                # problems already found explain it.
                if not problems:
                    raise
            problems += checked.problems
            if problems:
                raise ImportRefused(problems)
            return Writer(data, checked).run()
    except IntegrityError as error:
        raise ImportRefused([Problem("$", f"the database refused the import: {error}")]) from error


def _parse(raw: bytes | str) -> Any:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRefused([Problem("$", f"the file is not UTF-8 text ({error})")]) from error
    try:
        return json.loads(raw)
    except RecursionError as error:
        raise ImportRefused(
            [
                Problem(
                    "$", "lists and objects are nested too deeply to read (is it the right file?)"
                )
            ]
        ) from error
    except json.JSONDecodeError as error:
        raise ImportRefused(
            [
                Problem(
                    "$",
                    f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno} "
                    "(is the file complete?)",
                )
            ]
        ) from error
