"""Production settings: Django's deployment checks pass, a missing secret stops the service,
and DATABASE_URL picks the database. Each runs in a fresh interpreter with its own environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Only what a process needs to start is passed on: the test run's own variables (a test
# secret key, a database, flags that browser tests set) must not leak into "production".
PASSED_ON = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "VIRTUAL_ENV"}


def run(args: list[str], **variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key in PASSED_ON}
    env.update(variables, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(  # noqa: S603 - this project's own commands, no shell
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production(**extra: str) -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "audit.example.org",
        **extra,
    }


def test_deployment_checks_pass_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_is_secure_by_default():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS)"
    )
    result = run(["-c", f"import django; django.setup(); {code}"], **production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True True True 31536000 ['audit.example.org']"


def test_a_missing_secret_key_stops_the_service():
    result = run(["-c", "import django; django.setup()"])
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_debug_runs_without_a_secret_key():
    result = run(
        [
            "-c",
            "import django; django.setup(); "
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_database_url_picks_postgresql():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = run(
        ["-c", f"import django; django.setup(); {code}"],
        **production(DATABASE_URL="postgres://audit@db.example.org:5432/audit"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_without_database_url_the_database_is_a_local_sqlite_file():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'])"
    )
    result = run(["-c", f"import django; django.setup(); {code}"], **production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", str(ROOT / "db.sqlite3")]


def test_a_file_cache_is_shared_by_the_workers_of_one_server(tmp_path):
    """CACHE_BACKEND=file: what one process puts in the cache, another reads, and the
    directory is the service user's alone."""
    where = tmp_path / "cache"
    settings = {"CACHE_BACKEND": "file", "CACHE_DIR": str(where)}
    put = run(
        [
            "-c",
            "import django; django.setup(); from django.core.cache import cache; "
            "cache.set('drawn', 'the national page', 60)",
        ],
        **production(**settings),
    )
    assert put.returncode == 0, put.stderr
    got = run(
        [
            "-c",
            "import django; django.setup(); from django.core.cache import cache; "
            "print(cache.get('drawn'))",
        ],
        **production(**settings),
    )
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "the national page"
    assert where.stat().st_mode & 0o077 == 0


def test_an_unknown_cache_backend_stops_the_service():
    result = run(["-c", "import django; django.setup()"], **production(CACHE_BACKEND="redis"))
    assert result.returncode != 0
    assert "CACHE_BACKEND is 'redis': it must be locmem, file or database." in result.stderr


def engine(**variables: str) -> str:
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = run(["-c", f"import django; django.setup(); {code}"], **production(**variables))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sessions_are_read_through_the_cache_only_when_the_workers_share_it(tmp_path):
    cached = engine(CACHE_BACKEND="file", CACHE_DIR=str(tmp_path / "cache"))
    assert cached == "django.contrib.sessions.backends.cached_db"
    assert engine() == "django.contrib.sessions.backends.db"  # each process's own memory
    assert engine(CACHE_BACKEND="database") == "django.contrib.sessions.backends.db"
