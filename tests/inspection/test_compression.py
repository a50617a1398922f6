"""Pages are compressed for browsers that accept gzip, safely; static files come compressed.

docs/decisions.md says why compressing pages that carry a CSRF token and personal data is
safe here (a masked token, SameSite cookies, Django's random-length padding).
"""

from __future__ import annotations

import gzip
import re

import pytest
from django.core.management import call_command
from django.test import Client

from judgements.selectors import step_questions

# Pages are rendered without collecting static files first.
pytestmark = pytest.mark.filterwarnings("ignore:No directory at")

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def test_the_dashboards_page_is_gzipped_when_the_browser_accepts_it(login, people, inspection):
    client = login(people.manager)
    plain = client.get("/dashboards/")
    zipped = client.get("/dashboards/", **GZIP)

    assert zipped.status_code == 200
    assert zipped["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(zipped)
    page = gzip.decompress(zipped.content).decode()
    assert "<title>" in page and "Dashboards" in page
    assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content) / 2
    # A browser that does not ask for gzip gets the page as it is; caches are told it varies.
    assert "Content-Encoding" not in plain
    assert "accept-encoding" in vary(plain)
    assert "<title>" in plain.content.decode()


def test_every_compressed_page_carries_random_length_padding(login, people, case):
    # Django writes 0 to 99 random bytes into the gzip header's file name (its "Heal the
    # Breach" mitigation), so a page's compressed length no longer tells its content.
    client = login(people.inspector)
    lengths = set()
    for _ in range(8):
        response = client.get(f"/cases/{case.public_id}/", **GZIP)
        assert response["Content-Encoding"] == "gzip"
        assert response.content[3] & 0x08  # FNAME: the padding is there
        name_length = response.content[10:].index(b"\x00")
        lengths.add(name_length)
    assert len(lengths) > 1


def test_the_csrf_token_in_a_page_is_different_on_every_response(login, people, case):
    # The one secret in every form is masked afresh each time, so there is nothing constant
    # for a compression side channel to guess, byte by byte, across responses.
    client = login(people.inspector)
    url = f"/cases/{case.public_id}/steps/2.1/"
    first = TOKEN.search(client.get(url).content.decode()).group(1)
    second = TOKEN.search(client.get(url).content.decode()).group(1)
    assert first != second


def test_downloads_are_not_compressed(login, people, inspection):
    client = login(people.manager)
    download = client.get("/dashboards/?format=csv&table=ratings", **GZIP)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "Content-Encoding" not in download


def test_the_autosave_reply_is_not_compressed(login, people, case):
    question = step_questions(case, "2.1")[0]
    client = login(people.inspector)
    response = client.post(
        f"/cases/{case.public_id}/steps/2.1/autosave/",
        {"question": f"q{question.pk}", "value": "yes", "note": "Seen", "version": "0"},
        **GZIP,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Content-Encoding" not in response


def test_static_files_are_served_precompressed(settings, tmp_path, db):
    # As in production: collectstatic with whitenoise's storage writes a .gz beside each
    # stylesheet and script, and whitenoise serves it to a browser that accepts gzip.
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    stylesheets = list((tmp_path / "static" / "build").glob("app.*.css"))
    assert any(path.with_name(path.name + ".gz").exists() for path in stylesheets)

    from django.templatetags.static import static

    url = static("build/app.css")
    client = Client()  # a new client: whitenoise reads the folder when it starts
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(response)
    assert b"govuk" in gzip.decompress(b"".join(response.streaming_content))
    # (A browser that also accepts Brotli gets the .br that collectstatic wrote too.)
    assert client.get(url, **GZIP)["Content-Encoding"] == "br"
