"""Count the answer tallies again from the answers.

    python manage.py tallies_rebuild                 # every inspection
    python manage.py tallies_rebuild yos-bd-2018     # these inspections only

The tallies are kept in step as answers change (judgements.tallies); this is for after a
bulk load written without them, or when ``tallies_check`` has found a difference.
"""

from django.core.management.base import BaseCommand, CommandError

from inspection.models import Inspection
from judgements.tallies import tallies_rebuild


class Command(BaseCommand):
    help = "Count the answer tallies again from the answers (all inspections, or those named)."

    def add_arguments(self, parser):
        parser.add_argument("references", nargs="*", metavar="REF", help="inspection reference")

    def handle(self, *args, references, **options):
        ids = None
        if references:
            found = dict(
                Inspection.objects.filter(reference__in=references).values_list("reference", "id")
            )
            missing = sorted(set(references) - set(found))
            if missing:
                raise CommandError(f"No inspection with the reference {', '.join(missing)}.")
            ids = list(found.values())
        written = tallies_rebuild(inspection_ids=ids)
        scope = f"{len(ids)} inspection(s)" if ids is not None else "every inspection"
        self.stdout.write(self.style.SUCCESS(f"Counted {written} tally rows for {scope}."))
