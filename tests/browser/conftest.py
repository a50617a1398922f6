"""Real-browser fixtures: one headless Chromium per session, a fresh page per test.

Every page a test visits is checked with axe-core, and a test fails when the page logs a
console error (a Content-Security-Policy violation, a failed request, a script error).
"""

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test.utils import override_settings
from playwright.sync_api import Page, sync_playwright

from tests.conftest import PASSWORD

# Playwright's sync API keeps an event loop running in the test thread, and Django refuses
# database calls from a thread with a running loop unless told the calls are safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SOURCE = (
    Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
).read_text()
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
TIMEOUT_MS = 10_000


@dataclass
class PageWatch:
    """What happened on a page: console errors, and which loaded pages axe has checked."""

    errors: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    checked_up_to: int = 0
    # axe-core needs timers, which do not run in a page without JavaScript: such a page is
    # checked by showing its HTML, scripts blocked, in a page of a context with JavaScript.
    checker: Page | None = None


def watch(page: Page) -> PageWatch:
    # Kept on the page itself, so that it is found whichever way this module was imported.
    return page.audit_watch


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site(django_db_setup):
    """The live server, started over plain HTTP (the production HTTPS settings are off)."""
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
    ):
        from pytest_django.live_server_helper import LiveServer

        # The server builds its middleware when it starts, so the settings above must be in
        # force first: hence a server of our own rather than the shared live_server fixture.
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        yield server
        server._live_server_modified_settings.disable()
        server.stop()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The cast of users is created, and signs in, through a deliberately slow hasher otherwise.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _new_page(browser, site, **context_options) -> Page:
    context = browser.new_context(base_url=site.url, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def _open_page(browser, site, *, javascript=True):
    page = _new_page(browser, site, java_script_enabled=javascript)
    state = page.audit_watch = PageWatch()
    if not javascript:
        state.checker = _new_page(browser, site)

    def on_console(message):
        if message.type == "error":
            state.errors.append(f"console error on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: state.errors.append(f"script error on {page.url}: {error}"))
    page.on("load", lambda: state.loaded.append(page.url))
    return page


def _close_page(page):
    state = watch(page)
    page.context.close()
    if state.checker:
        state.checker.context.close()
    assert not state.errors, "\n".join(state.errors)
    unchecked = state.loaded[state.checked_up_to :]
    assert not unchecked, f"pages loaded but not checked with axe-core: {unchecked}"


@pytest.fixture
def page(browser, site, transactional_db):
    page = _open_page(browser, site)
    yield page
    _close_page(page)


@pytest.fixture
def page_without_js(browser, site, transactional_db):
    page = _open_page(browser, site, javascript=False)
    yield page
    _close_page(page)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation.get('impact')}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            target = " ".join(json.dumps(t) for t in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '').strip()}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


def _run_axe(page: Page) -> dict:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated scripts are not subject to the page's Content-Security-Policy.
        page.evaluate(AXE_SOURCE)
    return page.evaluate("options => window.axe.run(document, options)", AXE_OPTIONS)


def _run_axe_without_javascript(page: Page, checker: Page) -> dict:
    url, html = page.url, page.content()

    def serve(route):
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": "script-src 'none'"},
            body=html,
        )

    checker.route(lambda address: address == url, serve)
    try:
        checker.goto(url)
    finally:
        checker.unroute_all()
    return _run_axe(checker)


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail listing every violation."""
    state = watch(page)
    if state.checker:
        results = _run_axe_without_javascript(page, state.checker)
    else:
        results = _run_axe(page)
    state.checked_up_to = len(state.loaded)
    violations = results["violations"]
    assert not violations, (
        f"axe-core found {len(violations)} accessibility problem(s) on {page.url}:\n"
        + format_violations(violations)
    )
    assert not state.errors, "\n".join(state.errors)


def visit(page: Page, path: str) -> Page:
    """Go to a page, check that it answered, and check it with axe-core."""
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    assert_accessible(page)
    return page


def follow(page: Page, action) -> Page:
    """Do something that loads a new page (a click, Enter on a button), then check it."""
    with page.expect_navigation():
        action()
    assert_accessible(page)
    return page


def sign_in(page: Page, user, next_path: str = "/") -> Page:
    """Sign in through the login page, as a person would."""
    visit(page, f"/login/?{urlencode({'next': next_path})}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    follow(page, page.get_by_role("button", name="Sign in").click)
    assert "/login/" not in page.url, "still on the login page after signing in"
    return page
