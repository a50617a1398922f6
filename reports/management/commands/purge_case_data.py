"""Delete a published inspection's personal case data, keeping its results and report.

    python manage.py purge_case_data yos-bd-2018 --by lead            # says what would go
    python manage.py purge_case_data yos-bd-2018 --by lead --confirm  # deletes it

See reports.retention and docs/operations.md ("Data retention").
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspection.models import Inspection, User
from reports.retention import PurgeRefused, case_data_counts, case_data_purge, purge_check


class Command(BaseCommand):
    help = (
        "Delete the case files, answers, quality assurance and read records of a published "
        "inspection, keeping the inspection, its report, a frozen copy of its ratings and a "
        "record of the deletion. Without --confirm, only says what would be deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The inspection's reference, e.g. yos-bd-2018.")
        parser.add_argument(
            "--by",
            required=True,
            metavar="USERNAME",
            help="Who is deleting: an administrator or the inspection's lead inspector.",
        )
        parser.add_argument(
            "--confirm", action="store_true", help="Delete (without it, nothing changes)."
        )

    def handle(self, *args, reference: str, by: str, confirm: bool, **options) -> None:
        inspection = Inspection.objects.filter(reference=reference).first()
        if inspection is None:
            raise CommandError(f"There is no inspection with the reference {reference!r}.")
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise CommandError(f"There is no user {by!r}.")
        if not confirm:
            try:
                purge_check(inspection=inspection, actor=actor)
            except PurgeRefused as refused:
                raise CommandError(str(refused)) from refused
            counts = case_data_counts(inspection)
            self.stdout.write(f"{inspection.title} ({reference}): would delete")
            for name, count in counts.items():
                self.stdout.write(f"  {name.replace('_', ' ')}: {count}")
            self.stdout.write("Nothing was deleted. Run again with --confirm to delete.")
            return
        try:
            record = case_data_purge(inspection=inspection, actor=actor)
        except PurgeRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted the case data of {reference}: {record.cases_deleted} case(s), "
                f"{record.answers_deleted} answer(s), {sum(record.deleted.values())} row(s) "
                f"in all. The ratings ({record.ratings['overall']['rating'] or 'not rated'}) "
                f"and the report ({len(record.report_pdf) // 1024} KB PDF) are kept."
            )
        )
