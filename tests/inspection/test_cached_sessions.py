"""Sessions read through the cache (SESSION_ENGINE cached_db, as on a server whose workers
share a file cache: config.settings): a page reads no session row, and signing out ends the
session for every worker, the cache's copy with the database's."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("cached_sessions")


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def signed_in(people) -> Client:
    client = Client()
    response = client.post("/login/", {"username": "inspector", "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_page_reads_no_session_row(people, django_assert_num_queries):
    client = signed_in(people)
    assert client.get("/help/").status_code == 200
    with django_assert_num_queries(1):  # the person, with whether a concern waits for them
        assert client.get("/help/").status_code == 200
    assert Session.objects.count() == 1  # kept in the database too


def test_signing_out_ends_the_session_in_the_cache_too(people):
    client = signed_in(people)
    cookie = client.cookies["sessionid"].value
    client.post("/logout/")
    assert not Session.objects.exists()
    other_worker = Client()
    other_worker.cookies["sessionid"] = cookie
    assert other_worker.get("/").status_code == 302  # to the sign-in page


def test_a_session_lost_from_the_cache_is_read_from_the_database(people):
    client = signed_in(people)
    cache.clear()
    assert client.get("/help/").status_code == 200
    assert "Signed in as" in client.get("/help/").content.decode()
