"""The permission questions of inspection.permissions, as plain functions of a role and facts.

The pages and services that ask them are tested through tests/test_access_matrix.py and the
views' tests; these pin the rules themselves, without a database.
"""

from types import SimpleNamespace

import pytest

from inspection import permissions as p
from inspection.models import Membership

Role = Membership.Role
ROLES = [Role.LEAD, Role.INSPECTOR, Role.PARTNER, Role.QUALITY_ASSURANCE, None]


def person(**flags):
    facts = {"is_authenticated": True, "is_manager": False, "is_superuser": False}
    facts |= {"is_staff": False, "is_active": True, **flags}
    return SimpleNamespace(**facts)


@pytest.mark.parametrize(
    ("flags", "every", "admin"),
    [
        ({}, False, False),
        ({"is_manager": True}, True, False),
        ({"is_superuser": True}, True, False),
        ({"is_staff": True}, False, True),
        ({"is_authenticated": False, "is_manager": True, "is_staff": True}, False, False),
    ],
)
def test_across_inspections(flags, every, admin):
    user = person(**flags)
    assert p.sees_every_inspection(user) is every
    assert p.may_see_dashboards(user) is every
    assert p.may_use_admin(user) is admin


@pytest.mark.parametrize("role", ROLES)
def test_by_role_alone(role):
    writes_files = role in {Role.LEAD, Role.INSPECTOR, Role.PARTNER}
    assert p.may_edit_case_file(role) is writes_files
    assert p.may_edit_case_file(role, locked=True) is False
    assert p.may_add_case(role) is (role == Role.LEAD)
    assert p.may_be_assigned_cases(role) is writes_files
    lead = role == Role.LEAD
    for question in (
        p.may_set_up_sample,
        p.may_assign_cases,
        p.may_rate_organisations,
        p.may_write_report,
    ):
        assert question(role) is lead
    assert p.is_moderator(role) is (role in {Role.LEAD, Role.QUALITY_ASSURANCE})


@pytest.mark.parametrize(
    ("role", "inspector_id", "case_open", "allowed"),
    [
        (Role.INSPECTOR, 1, True, True),
        (Role.PARTNER, 1, True, True),
        (Role.INSPECTOR, 2, True, False),  # not their case
        (Role.LEAD, 2, True, True),  # the lead scores any case
        (Role.INSPECTOR, 1, False, False),  # submitted, in QA or agreed
        (Role.QUALITY_ASSURANCE, 1, True, False),
        (None, 1, True, False),
    ],
)
def test_may_score(role, inspector_id, case_open, allowed):
    assert p.may_score(role, user_id=1, inspector_id=inspector_id, case_open=case_open) is allowed


def _refusal(role, *, inspector_id=2, awaiting_qa=True, scored=False):
    asked = []

    def has_scored():
        asked.append(True)
        return scored

    refusal = p.moderation_refusal(
        role, user_id=1, inspector_id=inspector_id, awaiting_qa=awaiting_qa, has_scored=has_scored
    )
    return refusal, bool(asked)


def test_may_moderate():
    assert _refusal(Role.QUALITY_ASSURANCE) == (None, True)
    assert _refusal(Role.LEAD) == (None, True)
    assert _refusal(Role.INSPECTOR) == ("role", False)
    assert _refusal(Role.QUALITY_ASSURANCE, inspector_id=1) == ("scored", False)
    assert _refusal(Role.QUALITY_ASSURANCE, scored=True) == ("scored", True)
    # The answers are read only when everything else allows.
    assert _refusal(Role.QUALITY_ASSURANCE, awaiting_qa=False) == ("status", False)
    assert p.may_moderate(
        Role.QUALITY_ASSURANCE,
        user_id=1,
        inspector_id=2,
        awaiting_qa=True,
        has_scored=lambda: False,
    )


def test_reopen_export_and_purge():
    assert p.may_reopen(Role.LEAD, agreed=True)
    assert not p.may_reopen(Role.LEAD, agreed=False)
    assert not p.may_reopen(Role.QUALITY_ASSURANCE, agreed=True)
    assert p.may_export_inspection(Role.LEAD, person())
    assert p.may_export_inspection(None, person(is_superuser=True))
    assert not p.may_export_inspection(Role.INSPECTOR, person(is_staff=True))
    assert p.may_export_answers(Role.QUALITY_ASSURANCE, person())
    assert p.may_purge_case_data(Role.LEAD, person())
    assert p.may_purge_case_data(None, person(is_staff=True))
    assert not p.may_purge_case_data(Role.LEAD, person(is_active=False))
    assert not p.may_purge_case_data(Role.INSPECTOR, person())
