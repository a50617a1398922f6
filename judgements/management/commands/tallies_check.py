"""Compare the answer tallies with a live count of the answers.

    python manage.py tallies_check                   # every inspection
    python manage.py tallies_check yos-bd-2018       # these inspections only

Exits with status 1 and lists each difference (stored and live Yes / No / Not applicable)
when they differ; ``tallies_rebuild`` puts them right.
"""


from django.core.management.base import CommandError

from inspection.models import Inspection, Organisation, Question
from judgements.management.commands._inspections import InspectionsCommand
from judgements.tallies import tallies_differences

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
            self.stderr.write(
                f"{inspections.get(inspection, inspection)} {organisations.get(organisation)} "
                f"{sample_type} {questions.get(question)}: stored yes/no/n.a. "
                f"{'/'.join(map(str, stored))}, counted {'/'.join(map(str, live))}"
            )
        more = len(differences) - len(shown)
        raise CommandError(
            f"{len(differences)} tally row(s) differ from the answers"
            + (f" ({more} not listed)" if more else "")
            + ". Run manage.py tallies_rebuild to count them again.",
            returncode=1,
        )
