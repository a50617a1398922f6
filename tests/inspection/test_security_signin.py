"""Sign-in under attack: attempts past the limits are refused before any password hash."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.utils.module_loading import import_string

from tests.conftest import PASSWORD, make_user

HASHER = "tests.inspection.test_security_signin.CountingHasher"


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast, for tests) that counts every hash computed."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


def hashes() -> int:
    # Read from the class Django loaded by its dotted name (pytest may import this file
    # under another module name).
    return import_string(HASHER).calls


@pytest.fixture(autouse=True)
def _counting(settings):
    settings.PASSWORD_HASHERS = [
        HASHER,
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    settings.SIGN_IN_ADDRESS_LIMIT = 5
    settings.SIGN_IN_TOTAL_LIMIT = 12
    settings.TRUSTED_PROXY_COUNT = 1
    import_string(HASHER).calls = 0


def attempt(client, username, password="wrong-password-123", address="203.0.113.7"):  # noqa: S107
    return client.post(
        "/login/",
        {"username": username, "password": password},
        HTTP_X_FORWARDED_FOR=address,
    )


def test_unknown_user_names_past_the_address_limit_cost_no_hash(client, db):
    for number in range(5):
        response = attempt(client, f"nobody{number}")
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    hashed = hashes()
    assert hashed >= 5  # each unknown name cost a hash, as Django does against timing

    for number in range(20):
        response = attempt(client, f"stranger{number}")
        assert response.status_code == 429
        assert "Too many attempts to sign in" in response.content.decode()
    assert hashes() == hashed


def test_many_addresses_together_are_held_to_the_total_per_minute(client, db):
    for number in range(12):
        assert attempt(client, f"nobody{number}", address=f"198.51.100.{number}").status_code == 200
    hashed = hashes()
    response = attempt(client, "another", address="198.51.100.200")
    assert response.status_code == 429
    assert hashes() == hashed


def test_a_good_password_from_a_clean_address_still_signs_in(client, db):
    user = make_user("ruth")
    for number in range(5):
        attempt(client, f"nobody{number}", address="203.0.113.7")
    assert attempt(client, "ruth", PASSWORD, address="203.0.113.7").status_code == 429
    response = attempt(client, "ruth", PASSWORD, address="192.0.2.44")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_user_name_locked_out_by_others_still_signs_in_from_an_address_that_has_not_failed(
    client, db, settings
):
    settings.SIGN_IN_ADDRESS_LIMIT = 100
    settings.SIGN_IN_TOTAL_LIMIT = 100
    make_user("ruth")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "ruth", address="203.0.113.66")
    locked = attempt(client, "ruth", PASSWORD, address="203.0.113.66")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    response = attempt(client, "ruth", PASSWORD, address="192.0.2.44")
    assert response.status_code == 302


def test_only_the_trusted_proxy_entry_of_x_forwarded_for_counts(client, db):
    # The client can write anything to the left of what nginx appends.
    for number in range(5):
        attempt(client, f"nobody{number}", address=f"10.0.0.{number}, 203.0.113.7")
    assert attempt(client, "x", address="10.9.9.9, 203.0.113.7").status_code == 429
