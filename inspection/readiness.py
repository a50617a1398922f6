"""What must be done before an inspection's report is approved or published.

Each app above this one knows some of it (the report's text, returned questions, open
safeguarding concerns) and registers a check in its `AppConfig.ready`; this app imports none
of them (tests/test_layering.py). A check is given the inspection and returns what is missing,
each item with a page to put it right. Approval and publication are refused while any check
returns anything, and the "Check before publication" page lists them all.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Missing:
    """One thing that must be done first: what, in words, and where to do it."""

    text: str
    url: str = ""
    group: str = ""


Check = Callable[..., list[Missing]]

_checks: dict[str, Check] = {}


def register_check(name: str, check: Check) -> None:
    """Add a check; registering the same name again replaces it."""
    _checks[name] = check


def missing(inspection) -> list[Missing]:
    """Everything every registered check finds missing, in the order they were registered."""
    found: list[Missing] = []
    for check in _checks.values():
        found.extend(check(inspection))
    return found


def is_ready(inspection) -> bool:
    return not missing(inspection)
