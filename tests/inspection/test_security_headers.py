"""Headers on every response, no copies of personal pages, and how long a sign-in lasts."""

from __future__ import annotations

import io
import logging
import time

import pytest
from django.urls import reverse

from inspection.logging import OneLineRefusals
from inspection.middleware import SIGNED_IN_AT


def test_a_bad_host_header_gets_a_400_with_the_security_headers(client, db):
    response = client.get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login/", "/no-such-page/"])
def test_other_responses_carry_the_security_headers(client, db, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


def test_pages_for_a_signed_in_person_are_never_stored(login, people, case):
    client = login(people.inspector)
    for url in ["/", reverse("casefiles:detail", args=[case.public_id])]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_the_sign_in_page_may_be_cached_differently(client, db):
    # Not personal: the header is only required behind sign-in.
    response = client.get("/login/")
    assert response.status_code == 200


def age_session(client, seconds: int) -> None:
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - seconds
    session.save()


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(login, people):
    client = login(people.inspector)
    assert SIGNED_IN_AT in client.session
    age_session(client, 12 * 60 * 60 - 60)
    assert client.get("/").status_code == 200
    age_session(client, 12 * 60 * 60 + 1)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_the_absolute_lifetime_is_a_setting(login, people, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 60
    client = login(people.inspector)
    age_session(client, 61)
    assert client.get("/").status_code == 302


def test_a_session_from_before_the_check_starts_its_clock_when_next_seen(login, people):
    client = login(people.inspector)
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert client.get("/").status_code == 200
    assert client.session[SIGNED_IN_AT] >= int(time.time()) - 5


def console_handler() -> logging.Handler:
    for handler in logging.getLogger().handlers:
        if any(isinstance(f, OneLineRefusals) for f in handler.filters):
            return handler
    raise AssertionError("the console handler has no OneLineRefusals filter")


def test_a_refused_request_is_logged_in_one_line_without_a_traceback(login, people, case):
    handler = console_handler()
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        # Quality assurance reads a case but may not change its answers (403).
        client = login(people.qa)
        url = reverse("judgements:step", args=[case.public_id, "2.1"])
        response = client.post(url, {})
    finally:
        handler.setStream(previous)
    assert response.status_code == 403
    lines = buffer.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    assert "Forbidden" in lines[0]
    assert "Traceback" not in buffer.getvalue()


def test_a_bad_host_is_logged_in_one_line(client, db):
    handler = console_handler()
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        client.get("/", HTTP_HOST="evil.example")
    finally:
        handler.setStream(previous)
    lines = buffer.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    assert "Invalid HTTP_HOST header" in lines[0]
