import time

from django.core.management.base import BaseCommand

from inspection.jobs import job_purge_expired


class Command(BaseCommand):
    help = "Delete the files of background jobs older than JOB_FILE_HOURS and mark them expired."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="Keep running, purging this often (for a service beside the workers).",
        )

    def handle(self, *args, every=None, **options):
        while True:
            purged = job_purge_expired()
            if purged or options["verbosity"] > 1:
                self.stdout.write(f"Deleted {purged} expired job file{'s' if purged != 1 else ''}.")
            if not every:
                return
            time.sleep(every)
