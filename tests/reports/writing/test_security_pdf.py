"""The PDF renderer fetches the application's own static files and nothing else."""

from __future__ import annotations

import logging

import pytest

from reports.writing.pdf import (
    DOCUMENT_ORIGIN,
    PdfRenderer,
    StaticFilesOnlyFetcher,
    URLRefused,
    static_path_for,
)

STATIC = DOCUMENT_ORIGIN + "/static/"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///work/main/config/settings.py",
        "http://127.0.0.1:8000/admin/",
        "https://example.org/static/src/report_print.css",
        "http://169.254.169.254/latest/meta-data/",
        "data:text/plain,hello",
        "ftp://example.org/x",
        DOCUMENT_ORIGIN + "/admin/",
        STATIC + "../config/settings.py",
        STATIC + "%2e%2e/config/settings.py",
        STATIC + "src/../../config/settings.py",
        STATIC + "/etc/passwd",
        STATIC + "src/no-such-file.css",
        STATIC,
    ],
)
def test_everything_but_a_static_file_is_refused(url):
    assert static_path_for(url) is None
    with pytest.raises(URLRefused):
        StaticFilesOnlyFetcher().fetch(url)


def test_a_static_file_is_served():
    response = StaticFilesOnlyFetcher().fetch(STATIC + "src/report_print.css")
    assert response.content_type == "text/css"
    assert b"{" in response.read()


class Probe(PdfRenderer):
    """A document whose markup tries to reach a local file and a URL."""

    template_name = "unused"
    filename = "probe.pdf"

    def __init__(self, markup: str):
        self.markup = markup

    def html(self) -> str:
        return f"<html lang='en'><head><title>Probe</title></head><body>{self.markup}</body></html>"


def test_markup_in_a_document_cannot_make_the_renderer_read_files_or_urls(monkeypatch, caplog):
    fetched: list[str] = []
    original = StaticFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticFilesOnlyFetcher, "fetch", spy)
    markup = (
        '<img src="file:///etc/passwd" alt="">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/steal.css">'
        '<img src="https://example.org/track.png" alt="">'
        '<p style="background: url(file:///etc/hostname)">x</p>'
        '<link rel="stylesheet" href="/static/src/report_print.css">'
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = Probe(markup).render()
    assert pdf.startswith(b"%PDF")
    # Every resource went through the restricted fetcher...
    assert "file:///etc/passwd" in fetched
    assert "http://127.0.0.1:9/steal.css" in fetched
    assert STATIC + "src/report_print.css" in fetched
    # ...which refused all but the application's stylesheet.
    refused = caplog.text
    assert "URLRefused" in refused
    assert "file:///etc/passwd" in refused
    assert "127.0.0.1:9" in refused
    assert "report_print.css" not in refused
