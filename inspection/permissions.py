"""May this user do this? One plain function per question, each answering True or False.

``role`` is the user's role on the inspection's team (inspection.access.role_on), or None
for someone with no place on it: a manager or an administrator reading across teams.
"""

from __future__ import annotations


def may_see_personal_data(user, role: str | None) -> bool:
    """Names, dates of birth and addresses of the people in a case file.

    The inspection's team needs them to inspect the case; managers compare teams and
    drill down to judgements, which they can do without knowing who a child is, so a
    manager with no place on the team sees the case with those details withheld.
    Administrators keep them: they can read every record through the admin site anyway,
    and support the teams (docs/access.md).
    """
    return role is not None or bool(user.is_superuser)


def may_export_evidence(user, role: str | None) -> bool:
    """The answers extract (CSV, Excel): every evidence note of the inspection.

    Evidence notes are written about named children, so only the team (and
    administrators) may take them away in a file; managers read ratings and drill down.
    """
    return role is not None or bool(user.is_superuser)
