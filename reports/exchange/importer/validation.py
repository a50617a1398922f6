"""Checking an object from the file with its model's own rules, so that each rule has one
place and one message: the model's field rules, its ``clean()`` and its constraints.

An unsaved instance is built from the values the file gives that passed the format check
(a value the schema refused is left out, so it is not reported twice), then validated the way
``Model.full_clean()`` does, except that:

- relations are left out: the file names related objects by reference, the checks resolve
  those names, and most of them are created by the same import;
- uniqueness against the database is checked in bulk by the import's checks (public ids,
  the inspection's reference), not one query per object;
- each constraint is asked on its own, so that its message is reported at the field it is
  about (``full_clean`` reports every constraint against the whole object).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q

from reports.exchange.format import Problem, parse_date, parse_datetime

_LEFT_OUT = object()


def model_problems(
    model: type[models.Model], obj: dict, path: str, refused: Iterable[str] = ()
) -> list[Problem]:
    """Every rule of ``model`` that the object at ``path`` breaks, each at its field's path.

    ``refused`` holds the paths the format check already reported; those values are left out.
    """
    refused = tuple(refused)
    values = {}
    for field in model._meta.concrete_fields:
        if field.is_relation or field.name not in obj:
            continue
        here = f"{path}.{field.name}"
        if any(p == here or p.startswith((f"{here}.", f"{here}[")) for p in refused):
            continue
        value = _model_value(field, obj[field.name])
        if value is not _LEFT_OUT:
            values[field.name] = value
    instance = model(**values)
    exclude = {f.name for f in model._meta.concrete_fields} - set(values)

    problems: list[Problem] = []
    # The database holds a null where the model allows one, even if a page requires the value.
    nulls = {
        name for name, value in values.items() if value is None and model._meta.get_field(name).null
    }
    for rule in (lambda: instance.clean_fields(exclude=exclude | nulls), instance.clean):
        try:
            rule()
        except ValidationError as error:
            problems += _problems(path, error)
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                constraint.validate(model_class, instance, exclude=exclude)
            except ValidationError as error:
                field = _constraint_field(constraint)
                problems += _problems(path, error, field=field)
    return problems


def _model_value(field: models.Field, value: Any) -> Any:
    """The file's value as the model holds it; _LEFT_OUT when it cannot be read."""
    if value is None:
        return None
    try:
        if isinstance(field, models.DateTimeField):
            return parse_datetime(value) if isinstance(value, str) else _LEFT_OUT
        if isinstance(field, models.DateField):
            return parse_date(value) if isinstance(value, str) else _LEFT_OUT
        return field.to_python(value)
    except (ValueError, ValidationError):
        return _LEFT_OUT


def _constraint_field(constraint) -> str | None:
    """The field a constraint's message is about: for a check, the last field it tests on the
    left of a condition (``end_date`` in "no end date, or an end date on or after the start
    date"); for a uniqueness rule, the last of its fields."""
    fields = getattr(constraint, "fields", None)
    if fields:
        return fields[-1]
    condition = getattr(constraint, "condition", None)
    names = list(_tested_fields(condition)) if isinstance(condition, Q) else []
    return names[-1] if names else None


def _tested_fields(condition: Q):
    for child in condition.children:
        if isinstance(child, Q):
            yield from _tested_fields(child)
        else:
            yield child[0].split("__")[0]


def _problems(path: str, error: ValidationError, field: str | None = None) -> list[Problem]:
    if not hasattr(error, "error_dict"):
        where = f"{path}.{field}" if field else path
        return [Problem(where, message) for message in error.messages]
    problems = []
    for name, errors in error.message_dict.items():
        where = path if name == NON_FIELD_ERRORS else f"{path}.{name}"
        problems += [Problem(where, message) for message in errors]
    return problems
