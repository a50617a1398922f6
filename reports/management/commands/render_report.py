"""Render an inspection's report to a PDF file: ``manage.py render_report REF OUT.pdf``."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspection.models import Inspection
from reports.writing.pdf import report_pdf


class Command(BaseCommand):
    help = "Render the report of the inspection with this reference to a PDF file."

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The inspection's reference, e.g. yos-bd-2018")
        parser.add_argument("output", type=Path, help="Where to write the PDF, e.g. report.pdf")

    def handle(self, *args, reference: str, output: Path, **options):
        inspection = (
            Inspection.objects.select_related("framework").filter(reference=reference).first()
        )
        if inspection is None:
            raise CommandError(f"No inspection has the reference {reference!r}.")
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        started = time.perf_counter()
        data, _ = report_pdf(inspection)
        output.write_bytes(data)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {output} ({len(data) / 1024:.0f} KB) in {seconds:.1f} s "
                f"for {inspection.title}."
            )
        )
