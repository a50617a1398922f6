"""Count the answer tallies again from the answers.

    python manage.py tallies_rebuild                 # every inspection
    python manage.py tallies_rebuild yos-bd-2018     # these inspections only

The tallies are kept in step as answers change (judgements.tallies); this is for after a
bulk load written without them, or when ``tallies_check`` has found a difference.
"""


from judgements.management.commands._inspections import InspectionsCommand
from judgements.tallies import tallies_rebuild


class Command(InspectionsCommand):
    help = "Count the answer tallies again from the answers (all inspections, or those named)."

    def handle(self, *args, references, **options):
        ids = self.inspection_ids(references)
        written = tallies_rebuild(inspection_ids=ids)
        scope = f"{len(ids)} inspection(s)" if ids is not None else "every inspection"
        self.stdout.write(self.style.SUCCESS(f"Counted {written} tally rows for {scope}."))
