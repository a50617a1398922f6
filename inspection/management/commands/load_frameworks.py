from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from inspection.services import FrameworkError, framework_load


class Command(BaseCommand):
    help = "Load the inspection frameworks from their files (inspection/frameworks/*.json)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Framework files; all shipped ones if none.")

    def handle(self, *args, files, **options):
        paths = [Path(f) for f in files] or sorted(
            p for p in Path(settings.FRAMEWORKS_DIR).glob("*.json") if p.name != "schema.json"
        )
        for path in paths:
            try:
                framework, outcome = framework_load(path=path)
            except FrameworkError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{framework}: {outcome}")
