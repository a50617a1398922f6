"""Settings for the case audit service, read from the environment.

DATABASE_URL picks the database (an SQLite file by default). With DEBUG off, SECRET_KEY
must be set and the secure cookie, HSTS and HTTPS settings are on.
"""

import hashlib
import hmac
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None else int(value)


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105

# Keys the choice of changed names in reports (reports/writing/pseudonyms.py). Set it to its
# own long random value; when it is not set it is derived from SECRET_KEY under a label of
# its own, so it is still a secret of the deployment, never public data (docs/decisions.md).
PSEUDONYM_KEY = (
    os.environ.get("PSEUDONYM_KEY", "")
    or hmac.new(SECRET_KEY.encode(), b"case-audit pseudonym key", hashlib.sha256).hexdigest()
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "inspection",
    "casefiles",
    "judgements",
    "reports",
]

MIDDLEWARE = [
    # Outermost, so that the responses Django makes from errors raised further in (the 400
    # for a bad Host header, raised by CommonMiddleware) carry the headers too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static files (served compressed from disk) never reach it; before
    # everything that writes the body, so the page is compressed last (docs/decisions.md).
    "inspection.middleware.HtmlGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "inspection.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "inspection.middleware.AbsoluteSessionLifetimeMiddleware",
    "inspection.middleware.SlidingSessionExpiryMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inspection.context_processors.navigation",
                "judgements.context_processors.scoring",
                "casefiles.context_processors.concern_alerts",
            ],
            # Dates in the one GOV.UK style on every page (inspection/dates.py).
            "builtins": ["inspection.templatetags.dates"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: taking the write lock when a transaction begins makes the
    # version check and the write of an answer happen together, as the row lock does on
    # PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "inspection.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "casefiles.concerns.backends.SignedInBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inspection:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after 30 minutes without a request, and when the browser closes. A session is
# saved only when it changes: its expiry is moved on by a request at most once a minute (or
# once a tenth of the idle time, if shorter), so most requests write nothing and a session
# left alone ends 29 to 30 minutes after its last request (inspection/middleware.py).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = max(1, min(60, SESSION_COOKIE_AGE // 10))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ...and 12 hours after signing in, however active (inspection/middleware.py).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)

# How many proxies (nginx, a load balancer) stand in front and append to X-Forwarded-For.
# 0 reads the connection's address; 1 behind the nginx of docs/operations.md.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Failed sign-ins allowed per client address, and in total, per minute before any further
# attempt is refused without checking a password (inspection/signin.py).
SIGN_IN_ADDRESS_LIMIT = env_int("SIGN_IN_ADDRESS_LIMIT", 10)
SIGN_IN_TOTAL_LIMIT = env_int("SIGN_IN_TOTAL_LIMIT", 60)

# The sign-in throttle's counters and the dashboards' drawn pages. `locmem` (the default) is
# each process's own memory: right for development and the tests. `file` shares them between
# every worker of one server through files in CACHE_DIR (private to the service's user), so a
# dashboard is drawn once per server rather than once per worker, and the throttle counts for
# the server as a whole; `database` shares them between several servers (run
# `manage.py createcachetable` once). docs/operations.md says which to choose.
CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "locmem")
if CACHE_BACKEND == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }
elif CACHE_BACKEND == "file":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            # Room for every dashboard page and filter a day's managers ask for; past it, a
            # third of the entries are dropped at random.
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 5000)},
        }
    }
elif CACHE_BACKEND == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        f"CACHE_BACKEND is {CACHE_BACKEND!r}: it must be locmem, file or database."
    )

# Sessions are kept in the database. On one server whose workers share the file cache, they
# are read through it ("cached_db"): a request reads no session row, and signing out deletes
# both copies. Not through each process's own memory, where signing out in one worker would
# leave the others a copy, nor through the database cache, which would save no read.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_BACKEND == "file"
    else "django.contrib.sessions.backends.db"
)

# Failed logins are throttled per username and address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "inspection.signin.client_address"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# The locale's formats would win over DATE_FORMAT here: config/formats sets them for en-gb.
FORMAT_MODULE_PATH = ["config.formats"]
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y \\a\\t H:i"
SHORT_DATE_FORMAT = "j F Y"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Content Security Policy: no inline scripts or styles, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # the autosave script reads the token from the form, not the cookie

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # SECURE_COOKIES=0 only for a load test over plain HTTP on 127.0.0.1 (bench/run_load.sh);
    # `check --deploy` warns whenever it is off.
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "inspection.logging.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Background work (inspection/jobs): Django's tasks API (the django-tasks backport) with its
# database backend, so the queue is a table in the application's own database and any number
# of `manage.py db_worker` processes share it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The files that background jobs make: private, never served directly (not under STATIC_ROOT or
# any media folder), handed only to the person who asked, and deleted after JOB_FILE_HOURS.
JOB_FILES_DIR = Path(os.environ.get("JOB_FILES_DIR", BASE_DIR / "var" / "job-files"))
JOB_FILE_HOURS = env_int("JOB_FILE_HOURS", 24)
# A running job whose progress has not been heard for this long is taken to have lost its
# worker (killed, machine gone) and is queued again, up to JOB_MAX_ATTEMPTS runs in all.
JOB_STALL_SECONDS = env_int("JOB_STALL_SECONDS", 300)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)

# Where framework definitions are loaded from by `manage.py load_frameworks`.
FRAMEWORKS_DIR = BASE_DIR / "inspection" / "frameworks"

# Email (the safeguarding concern alert to the lead inspector: casefiles/concerns/services.py).
# Printed to the console unless EMAIL_BACKEND says otherwise; for SMTP set
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_* settings below
# (docs/operations.md). SITE_URL is the address the links in emails start with.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "case-audit@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
