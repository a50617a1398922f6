"""Print an inspection's ratings: every standard, its key questions and the overall rating.

    python manage.py inspection_ratings yos-bd-2018
    python manage.py inspection_ratings yos-bd-2018 --json
    python manage.py inspection_ratings cp-thematic-2014 --organisation reading-yot --json

The figures are the ratings page's (reports.ratings.selectors.inspection_rating): only cases
submitted, in quality assurance or agreed count. The JSON format is described in
docs/ratings-json.md.
"""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspection.models import Inspection
from reports.ratings.document import rating_document, rating_table
from reports.ratings.selectors import inspection_rating


class Command(BaseCommand):
    help = (
        "Print an inspection's ratings from its submitted cases and the lead inspector's "
        "organisation-level ratings, as a table or (--json) as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The inspection's reference, e.g. yos-bd-2018.")
        parser.add_argument(
            "--json", action="store_true", help="Print JSON (see docs/ratings-json.md)."
        )
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="Rate one of the inspection's organisations only (a thematic inspection).",
        )

    def handle(self, *args, **options) -> None:
        reference = options["reference"]
        inspection = (
            Inspection.objects.select_related("framework").filter(reference=reference).first()
        )
        if inspection is None:
            raise CommandError(f"There is no inspection with the reference {reference!r}.")
        organisation = None
        if options["organisation"]:
            organisation = inspection.organisations.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    f"{options['organisation']!r} is not one of the organisations of {reference}."
                )
        summary = inspection_rating(inspection, organisation=organisation)
        if options["json"]:
            self.stdout.write(json.dumps(rating_document(summary), indent=2, ensure_ascii=False))
        else:
            self.stdout.write("\n".join(rating_table(summary)))
