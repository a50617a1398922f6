from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.exchange.format import ImportRefused
from reports.exchange.importer import inspection_import


class Command(BaseCommand):
    help = (
        "Import a whole inspection from a JSON file in the exchange format "
        "(docs/data-exchange.md): everything or nothing. People with no account here are "
        "created as inactive accounts without a password."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The exchange file to import.")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            inspection = inspection_import(raw=raw)
        except ImportRefused as refused:
            raise CommandError(f"{path.name}: {refused}") from refused
        self.stdout.write(
            f"Imported {inspection.reference}: {inspection.cases.count()} case(s) "
            f"under {inspection.framework}."
        )
