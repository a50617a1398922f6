"""Compare the answer tallies with a live count of the answers.

    python manage.py tallies_check                   # every inspection
    python manage.py tallies_check yos-bd-2018       # these inspections only

Covers every summary kept beside the answers: the answer tallies, the key question tallies
and the counted cases. Exits with status 1 and lists each difference (stored and live Yes /
No / Not applicable, or cases) when they differ; ``tallies_rebuild`` puts them right.
"""

from django.core.management.base import CommandError

from inspection.models import Inspection, Organisation, Question
from judgements.management.commands._inspections import InspectionsCommand
from judgements.tallies import ALL_SAMPLES, REFERRALS, tallies_differences

SHOWN = 50


class Command(InspectionsCommand):
    help = "Compare the answer tallies with a live count; exit 1 listing any differences."

    def handle(self, *args, references, **options):
        ids = self.inspection_ids(references)
        differences = tallies_differences(inspection_ids=ids)
        if not differences:
            self.stdout.write(self.style.SUCCESS("The tallies match the answers."))
            return
        shown = differences[:SHOWN]
        inspections = dict(
            Inspection.objects.filter(id__in={k[0] for k, _s, _l in shown}).values_list(
                "id", "reference"
            )
        )
        organisations = dict(
            Organisation.objects.filter(id__in={k[1] for k, _s, _l in shown}).values_list(
                "id", "slug"
            )
        )
        questions = dict(
            Question.objects.filter(id__in={k[3] for k, _s, _l in shown}).values_list("id", "code")
        )
        for (inspection, organisation, sample_type, question), stored, live in shown:
            where = f"{inspections.get(inspection, inspection)} {organisations.get(organisation)}"
            if sample_type == REFERRALS:
                self.stderr.write(f"{where} referral tallies: stored {stored}, counted {live}")
                continue
            if question is None:
                self.stderr.write(f"{where} counted cases: stored {stored[0]}, counted {live[0]}")
                continue
            grain = "key question (both samples)" if sample_type == ALL_SAMPLES else sample_type
            self.stderr.write(
                f"{where} {grain} {questions.get(question)}: stored yes/no/n.a. "
                f"{'/'.join(map(str, stored))}, counted {'/'.join(map(str, live))}"
            )
        more = len(differences) - len(shown)
        raise CommandError(
            f"{len(differences)} tally row(s) differ from the answers"
            + (f" ({more} not listed)" if more else "")
            + ". Run manage.py tallies_rebuild to count them again.",
            returncode=1,
        )
