"""PDF documents, drawn by WeasyPrint from the same templates the HTML preview shows.

``PdfRenderer`` owns the page: A4, margins, the running header (set by whichever element of
the document has the class ``pdf-running-title``), the "Page X of Y" footer, the font, and the
tagged PDF/UA output with title and language. A document subclasses it with a template and a
context, and adds its own stylesheet for everything inside the page.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from reports.writing.document import ReportDocument

STATIC_SRC = Path(settings.BASE_DIR) / "static" / "src"
REPORT_STYLESHEET = STATIC_SRC / "report_print.css"

FONT_STACK = '"Liberation Sans", Arial, Helvetica, sans-serif'


@functools.cache
def _stylesheet(path: Path, mtime: float) -> CSS:
    # Parsed once per version of the file: the file's modification time is part of the key.
    return CSS(filename=str(path))


class PdfRenderer:
    """The base of every PDF: page setup, metadata, tagging. Subclasses give the content."""

    template_name: ClassVar[str]
    stylesheets: ClassVar[tuple[Path, ...]] = ()
    page_size = "A4"
    margin = "24mm 18mm 22mm 18mm"
    font_family = FONT_STACK
    #: PDF/UA-1: tagged (structure tree, /MarkInfo /Marked true), with XMP metadata.
    pdf_variant = "pdf/ua-1"

    def context(self) -> dict:
        raise NotImplementedError

    @property
    def filename(self) -> str:
        raise NotImplementedError

    def page_css(self) -> str:
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
        }}
        @page :first {{ @top-left {{ content: none; }} }}
        html {{ font-family: {self.font_family}; font-size: 10.5pt; line-height: 1.4; }}
        .pdf-running-title {{ string-set: running-title content(text); }}
        """

    def html(self) -> str:
        return render_to_string(self.template_name, self.context())

    def render(self) -> bytes:
        sheets = [CSS(string=self.page_css())]
        sheets += [_stylesheet(path, path.stat().st_mtime) for path in self.stylesheets]
        document = HTML(string=self.html(), base_url=str(settings.BASE_DIR))
        # Presentational hints: <ol start> and <li value> number the recommendations on
        # from one body to the next, as the published reports do.
        return document.write_pdf(
            stylesheets=sheets, pdf_variant=self.pdf_variant, presentational_hints=True
        )


class ReportPdf(PdfRenderer):
    """The inspection report, shaped like a published one (seed 004)."""

    template_name = "reports/pdf/report.html"
    stylesheets = (REPORT_STYLESHEET,)

    def __init__(self, document: ReportDocument):
        self.document = document

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
