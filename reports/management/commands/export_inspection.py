from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspection.models import Inspection
from reports.exchange.export import inspection_export_write


class Command(BaseCommand):
    help = (
        "Write a whole inspection to a JSON file in the exchange format "
        "(docs/data-exchange.md). Use - as the file to write to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="The inspection's reference, e.g. yos-bd-2018.")
        parser.add_argument("out", help="The file to write (replaced if it exists).")

    def handle(self, *args, reference, out, **options):
        inspection = (
            Inspection.objects.select_related("framework").filter(reference=reference).first()
        )
        if inspection is None:
            raise CommandError(f"No inspection has the reference '{reference}'.")
        # Written case by case: memory does not grow with the size of the inspection.
        if out == "-":
            inspection_export_write(inspection, self.stdout)
            return
        with Path(out).open("w", encoding="utf-8", newline="\n") as file:
            inspection_export_write(inspection, file)
        self.stdout.write(
            f"Exported {inspection.reference} ({inspection.cases.count()} case(s)) to {out}."
        )
