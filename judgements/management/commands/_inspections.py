"""What the tally commands share: the inspections named on the command line, or all of them."""

from django.core.management.base import BaseCommand, CommandError

from inspection.models import Inspection


class InspectionsCommand(BaseCommand):
    """A command over every inspection, or only those whose references are given."""

    def add_arguments(self, parser):
        parser.add_argument("references", nargs="*", metavar="REF", help="inspection reference")

    def inspection_ids(self, references: list[str]) -> list[int] | None:
        """The named inspections' ids, or None for every inspection; an unknown one stops."""
        if not references:
            return None
        found = dict(
            Inspection.objects.filter(reference__in=references).values_list("reference", "id")
        )
        missing = sorted(set(references) - set(found))
        if missing:
            raise CommandError(f"No inspection with the reference {', '.join(missing)}.")
        return list(found.values())
