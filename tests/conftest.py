"""Shared test fixtures: a fixed cast of people and small builders for inspections and cases.

Each test builds its own data in a real database (SQLite or PostgreSQL, as DATABASE_URL says).
The two shipped frameworks are the exception: they are loaded into the test database once per
session, and every test sees them as they were loaded (a test's own changes are rolled back).
"""

import json
import os
from datetime import date
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

# No time limit on a generated example: a deadline is a timing assertion, and it fails on a
# loaded machine without anything being wrong. Tests may still set their own example counts.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")

FRAMEWORKS = Path(__file__).resolve().parent.parent / "inspection" / "frameworks"
PASSWORD = "a-long-test-password"  # noqa: S105
YOS_FILE = FRAMEWORKS / "youth-offending-services-2018.json"
CP_FILE = FRAMEWORKS / "child-protection-audit-2014.json"
FRAMEWORK_FILES = (YOS_FILE, CP_FILE)
# Hashing passwords slowly protects real accounts, not test ones.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --------------------------------------------------------------------------- frameworks


@cache
def _slug_and_version(path: Path) -> tuple[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["slug"], data["version"]


def stored_framework(path: Path):
    """The framework loaded from this file: found in the database (one query), or loaded."""
    from inspection.models import Framework
    from inspection.services import framework_load

    slug, version = _slug_and_version(path)
    found = Framework.objects.filter(slug=slug, version=version).first()
    return found if found is not None else framework_load(path=path)[0]


def frameworks_load() -> None:
    for path in FRAMEWORK_FILES:
        stored_framework(path)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with both shipped frameworks loaded once (a load takes hundreds of
    queries; most tests need one of them)."""
    with django_db_blocker.unblock():
        frameworks_load()


def _empties_the_database(item) -> bool:
    # A transactional test (and so every browser test) ends by emptying every table.
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and bool(
        marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
        or marker.kwargs.get("reset_sequences")
    )
    names = getattr(item, "fixturenames", ())
    return transactional or "transactional_db" in names or "live_server" in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if nextitem is not None and _empties_the_database(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            frameworks_load()
    return result


@pytest.fixture
def no_frameworks(db):
    """An empty framework table, for tests of loading one (the test's transaction restores it)."""
    from inspection.models import Framework

    Framework.objects.all().delete()


# --------------------------------------------------------------------------- shared data


def _uses_shared_data(item) -> bool:
    return any(name.startswith("shared_") for name in getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(items):
    """Tests that read data shared by their module (a module-scoped fixture named shared_*)
    run after the module's other tests: shared data stays in the database from the first
    test that asks for it to the end of the module, where it would clash with the data a
    test builds for itself (the same usernames, the same inspection reference)."""
    modules: dict[str, int] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], len(modules))
    items.sort(key=lambda item: (modules[item.nodeid.split("::")[0]], _uses_shared_data(item)))


def module_data(django_db_blocker, build):
    """Data built once and shared by the tests of one module, for a module-scoped fixture:

        @pytest.fixture(scope="module")
        def shared_seed004(django_db_setup, django_db_blocker):
            yield from module_data(django_db_blocker, build_seed004)

    The name must start with ``shared_``: the tests that use it run last in their module.
    ``build()`` runs in a transaction that stays open while the module's tests run and is
    rolled back after the last one, so nothing is left for the next module. Each test's own
    transaction is a savepoint inside it, rolled back as usual: a test that writes leaves the
    shared data as built for the next test (objects held in Python are not refreshed, so
    tests should only read them). Not for transactional tests, which empty the database.
    """
    from django.db import transaction
    from django.test.utils import override_settings

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        # Made before any test's own settings apply; people sign in with the same hasher.
        with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
            with django_db_blocker.unblock():
                built = build()
            yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def _each_pdf_drawn_once():
    """Within a module, a PDF whose every input is the same as one already drawn (the HTML, the
    page CSS, the stylesheets, the PDF variant) is not drawn again: the report of one
    inspection is read by several tests (each person's download, the command), and drawing
    it takes seconds. The document, its HTML and the pseudonyms are still built every time."""
    from reports.writing.pdf import PdfRenderer

    draw = PdfRenderer.render
    drawn: dict[tuple, bytes] = {}

    def render(renderer) -> bytes:
        key = (
            type(renderer),
            renderer.html(),
            renderer.page_css(),
            tuple((str(path), path.stat().st_mtime) for path in renderer.stylesheets),
            renderer.pdf_variant,
        )
        if key not in drawn:
            drawn[key] = draw(renderer)
        return drawn[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PdfRenderer, "render", render)
        yield


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
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
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


def make_people() -> SimpleNamespace:
    """The cast: on the inspection's team (lead, inspector, colleague, qa, partner), and not."""
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
def people(db):
    """The cast: on the inspection's team (lead, inspector, colleague, qa, partner), and not."""
    return make_people()


@pytest.fixture
def yos_framework(db):
    return stored_framework(YOS_FILE)


@pytest.fixture
def cp_framework(db):
    return stored_framework(CP_FILE)


def make_area():
    from inspection.models import Area

    return Area.objects.create(
        slug="barking-and-dagenham",
        name="Barking and Dagenham",
        police_force_area="Metropolitan Police",
        region="London",
    )


@pytest.fixture
def area(db):
    return make_area()


def make_organisation(area):
    from inspection.models import Organisation

    return Organisation.objects.create(
        slug="bd-yos", name="Barking and Dagenham YOS", kind="yos", area=area
    )


@pytest.fixture
def organisation(area):
    return make_organisation(area)


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


@pytest.fixture(autouse=True)
def _framework_questions_read_afresh():
    # The walk-through keeps published frameworks' questions by id; a test's rows are rolled
    # back without a signal, and on SQLite the next test's framework may reuse the id.
    from judgements.rules import case_questions_forget

    case_questions_forget()


@pytest.fixture(autouse=True)
def _job_files_apart(settings, tmp_path_factory):
    # The files background jobs make go to a folder of the test's own, never var/.
    settings.JOB_FILES_DIR = tmp_path_factory.mktemp("job-files")


@pytest.fixture
def run_jobs(settings, django_capture_on_commit_callbacks):
    """`with run_jobs(): client.post(...)`: the jobs started inside the block are run when
    it ends, to their file or failure, as a worker would run them (django-tasks' immediate
    backend, once the job's transaction commits). Tests of the machinery itself run the real
    database worker (tests/inspection/jobs)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def login(client):
    """Sign a person in on the test client."""

    def sign_in(user):
        client.force_login(user, backend="casefiles.concerns.backends.SignedInBackend")
        return client

    return sign_in
