"""Shared test fixtures: a fixed cast of people and small builders for inspections and cases.

Each test builds its own data in a real database (SQLite or PostgreSQL, as DATABASE_URL says).
"""

import os
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

FRAMEWORKS = Path(__file__).resolve().parent.parent / "inspection" / "frameworks"
PASSWORD = "a-long-test-password"  # noqa: S105


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Pages are rendered without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.AXES_ENABLED = True
    # The test client speaks plain HTTP; production redirects it to HTTPS.
    settings.SECURE_SSL_REDIRECT = False
    # Hashing passwords slowly protects real accounts, not test ones.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The sign-in throttle counts failures in the cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()


def make_user(username: str, **extra):
    from inspection.models import User

    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.capitalize(),
        last_name="Tester",
        **extra,
    )
    return user


@pytest.fixture
def people(db):
    """The cast: on the inspection's team (lead, inspector, colleague, qa, partner), and not."""
    from types import SimpleNamespace

    return SimpleNamespace(
        lead=make_user("lead"),
        inspector=make_user("inspector"),
        colleague=make_user("colleague"),
        qa=make_user("qa"),
        partner=make_user("partner"),
        manager=make_user("manager", is_manager=True),
        outsider=make_user("outsider"),
        admin=make_user("admin", is_staff=True, is_superuser=True),
    )


@pytest.fixture
def yos_framework(db):
    from inspection.services import framework_load

    framework, _ = framework_load(path=FRAMEWORKS / "youth-offending-services-2018.json")
    return framework


@pytest.fixture
def cp_framework(db):
    from inspection.services import framework_load

    framework, _ = framework_load(path=FRAMEWORKS / "child-protection-audit-2014.json")
    return framework


@pytest.fixture
def area(db):
    from inspection.models import Area

    return Area.objects.create(
        slug="barking-and-dagenham",
        name="Barking and Dagenham",
        police_force_area="Metropolitan Police",
        region="London",
    )


@pytest.fixture
def organisation(area):
    from inspection.models import Organisation

    return Organisation.objects.create(
        slug="bd-yos", name="Barking and Dagenham YOS", kind="yos", area=area
    )


def make_inspection(*, framework, organisations, people, reference="yos-bd-2018", **extra):
    from inspection.models import Inspection, Membership

    inspection = Inspection.objects.create(
        reference=reference,
        title=extra.pop("title", "Youth offending services in Barking and Dagenham"),
        kind=extra.pop("kind", Inspection.Kind.SERVICE),
        framework=framework,
        fieldwork_start=extra.pop("fieldwork_start", date(2018, 4, 16)),
        fieldwork_end=extra.pop("fieldwork_end", date(2018, 4, 27)),
        **extra,
    )
    inspection.organisations.set(organisations)
    roles = {
        "lead": Membership.Role.LEAD,
        "inspector": Membership.Role.INSPECTOR,
        "colleague": Membership.Role.INSPECTOR,
        "qa": Membership.Role.QUALITY_ASSURANCE,
        "partner": Membership.Role.PARTNER,
    }
    for name, role in roles.items():
        Membership.objects.create(
            inspection=inspection,
            user=getattr(people, name),
            role=role,
            inspectorate="ofsted" if role == Membership.Role.PARTNER else "hmip",
        )
    return inspection


@pytest.fixture
def inspection(yos_framework, organisation, people):
    return make_inspection(framework=yos_framework, organisations=[organisation], people=people)


def make_case(inspection, *, reference="C-001", organisation=None, inspector=None, **extra):
    from casefiles.models import Case

    defaults = {
        "sample_type": "court_disposal",
        "subject_kind": "child",
        "subject_name": "Jayden Morgan",
        "gender": "male",
        "ethnicity": "white",
        "date_of_birth": date(2002, 5, 1),
        "risk_of_serious_harm": "medium",
        "safety_and_wellbeing": "high",
        "case_manager": "Sam Collier",
    }
    defaults.update(extra)
    return Case.objects.create(
        inspection=inspection,
        organisation=organisation or inspection.organisations.first(),
        reference=reference,
        inspector=inspector,
        **defaults,
    )


@pytest.fixture
def case(inspection, people):
    return make_case(inspection, inspector=people.inspector)


@pytest.fixture
def login(client):
    """Sign a person in on the test client."""

    def sign_in(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in
