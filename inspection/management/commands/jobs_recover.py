import time

from django.core.management.base import BaseCommand

from inspection.jobs import job_recover_stalled


class Command(BaseCommand):
    help = (
        "Queue again the background jobs whose worker stopped mid-run (no progress for "
        "JOB_STALL_SECONDS), failing those that have stopped JOB_MAX_ATTEMPTS times."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="Keep running, sweeping this often (for a service beside the workers).",
        )

    def handle(self, *args, every=None, **options):
        while True:
            counts = job_recover_stalled()
            if any(counts.values()) or options["verbosity"] > 1:
                self.stdout.write(
                    f"Queued again {counts['requeued']}, failed {counts['failed']}, "
                    f"queued lost {counts['enqueued']}."
                )
            if not every:
                return
            time.sleep(every)
