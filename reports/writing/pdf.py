"""PDF documents, drawn by WeasyPrint from the same templates the HTML preview shows.

``PdfRenderer`` owns the page: A4, margins, the running header (set by whichever element of
the document has the class ``pdf-running-title``), the "Page X of Y" footer (none on the
cover), a running label such as DRAFT on every page, the font, and the tagged PDF/UA output
with title and language, its tagging put right by reports/writing/pdf_structure.py. A
document subclasses it with a template and a context, and adds its own stylesheet for
everything inside the page.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path, PurePosixPath
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.writing.document import ReportDocument
from reports.writing.pdf_structure import structure_finisher

STATIC_SRC = Path(settings.BASE_DIR) / "static" / "src"
REPORT_STYLESHEET = STATIC_SRC / "report_print.css"

FONT_STACK = '"Liberation Sans", Arial, Helvetica, sans-serif'


# Relative and root-relative URLs in a document resolve against this made-up origin, which
# the fetcher below recognises and nothing on a network answers (.invalid is reserved).
DOCUMENT_ORIGIN = "https://case-audit.invalid"


class URLRefused(ValueError):
    """A document asked for something other than one of the application's static files."""


class StaticFilesOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher, allowed to serve the application's own static files only.

    The default fetcher opens any file:// path and any http(s) URL, so markup that reached
    a document (a name typed into a report, a future template mistake) could read files of
    the server or make it call other hosts. This one maps STATIC_URL paths on
    DOCUMENT_ORIGIN to the static finders, as the site itself serves them, and refuses
    every other URL: other schemes, other hosts, paths outside STATIC_URL, and paths the
    finders refuse (.. and the like). A refused resource is left out of the PDF with a
    warning in the log; the document still renders.
    """

    def fetch(self, url, headers=None):
        path = static_path_for(url)
        if path is None:
            raise URLRefused(f"Only the application's static files may be used: {url[:200]}")
        content_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url,
            path.read_bytes(),
            {"Content-Type": content_type or "application/octet-stream"},
        )


def static_path_for(url: str) -> Path | None:
    """The static file a URL on DOCUMENT_ORIGIN names, or None if it names no such file."""
    parts = urlsplit(url)
    origin = urlsplit(DOCUMENT_ORIGIN)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        return None
    if not parts.path.startswith(settings.STATIC_URL):
        return None
    relative = unquote(parts.path.removeprefix(settings.STATIC_URL))
    pure = PurePosixPath(relative)
    if not relative or pure.is_absolute() or ".." in pure.parts or "\\" in relative:
        return None
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:
        return None
    if not found or isinstance(found, list):
        return None
    path = Path(found)
    return path if path.is_file() else None


@functools.cache
def _stylesheet(path: Path, mtime: float) -> CSS:
    # Parsed once per version of the file: the file's modification time is part of the key.
    return CSS(filename=str(path), url_fetcher=StaticFilesOnlyFetcher())


class PdfRenderer:
    """The base of every PDF: page setup, metadata, tagging. Subclasses give the content."""

    template_name: ClassVar[str]
    stylesheets: ClassVar[tuple[Path, ...]] = ()
    page_size = "A4"
    margin = "24mm 18mm 22mm 18mm"
    font_family = FONT_STACK
    #: PDF/UA-1: tagged (structure tree, /MarkInfo /Marked true), with XMP metadata.
    pdf_variant = "pdf/ua-1"
    #: A word printed at the top right of every page, cover included ("DRAFT"), or nothing.
    running_label = ""

    def context(self) -> dict:
        raise NotImplementedError

    @property
    def filename(self) -> str:
        raise NotImplementedError

    def page_css(self) -> str:
        label = self.running_label.replace("\\", "").replace('"', "")
        running_label = (
            f'@top-right {{ content: "{label}"; font: 700 10pt {self.font_family}; '
            "color: #b0281a; letter-spacing: 0.2em; vertical-align: bottom; "
            "padding-bottom: 3mm; }"
            if label
            else ""
        )
        return f"""
        @page {{
          size: {self.page_size};
          margin: {self.margin};
          @top-left {{
            content: string(running-title);
            font: 8.5pt {self.font_family};
            color: #505a5f;
            vertical-align: bottom;
            padding-bottom: 3mm;
          }}
          @bottom-center {{
            content: "Page " counter(page) " of " counter(pages);
            font: 8.5pt {self.font_family};
            color: #505a5f;
          }}
          {running_label}
        }}
        /* The cover has no running title and no page number. */
        @page :first {{ @top-left {{ content: none; }} @bottom-center {{ content: none; }} }}
        html {{ font-family: {self.font_family}; font-size: 10.5pt; line-height: 1.4; }}
        .pdf-running-title {{ string-set: running-title content(text); }}
        """

    def html(self) -> str:
        return render_to_string(self.template_name, self.context())

    def render(self) -> bytes:
        sheets = [CSS(string=self.page_css(), url_fetcher=StaticFilesOnlyFetcher())]
        sheets += [_stylesheet(path, path.stat().st_mtime) for path in self.stylesheets]
        html = self.html()
        document = HTML(
            string=html,
            base_url=DOCUMENT_ORIGIN + settings.STATIC_URL,
            url_fetcher=StaticFilesOnlyFetcher(),
        )
        # Presentational hints: <ol start> and <li value> number the recommendations on
        # from one body to the next, as the published reports do.
        # The finisher corrects the tagging for PDF/UA (reports/writing/pdf_structure.py).
        return document.write_pdf(
            stylesheets=sheets,
            pdf_variant=self.pdf_variant,
            presentational_hints=True,
            finisher=structure_finisher(html),
        )


class ReportPdf(PdfRenderer):
    """The inspection report, shaped like a published one (seed 004)."""

    template_name = "reports/pdf/report.html"
    stylesheets = (REPORT_STYLESHEET,)

    def __init__(self, document: ReportDocument):
        self.document = document
        # Until the inspection is approved, every page says so (pypdf reads it as text).
        self.running_label = "DRAFT" if document.is_draft else ""

    def context(self) -> dict:
        return {"doc": self.document, "for_print": True}

    @property
    def filename(self) -> str:
        return f"{self.document.inspection.reference}-report.pdf"


def report_pdf(inspection) -> tuple[bytes, str]:
    """The inspection's report as PDF bytes, with the file name to save it as."""
    from reports.writing.document import report_document

    renderer = ReportPdf(report_document(inspection))
    return renderer.render(), renderer.filename
