"""What judgements plugs into the apps below it (connected in JudgementsConfig.ready)."""

from casefiles.models import Case
from inspection.hooks import Panel

from .services import case_read_record
from .tallies import tallies_case_moved


def record_case_file_read(sender, *, case, reader, page, **kwargs) -> None:
    """casefiles.signals.case_file_opened: note who opened the case file."""
    case_read_record(case=case, reader=reader, page=page)


def move_case_tallies(sender, *, case, organisation_id, sample_type, **kwargs) -> None:
    """casefiles.signals.case_details_changed: a counted case's answers follow it to its new
    organisation or sample type in the tallies (in the same transaction)."""
    tallies_case_moved(case=case, organisation_id=organisation_id, sample_type=sample_type)


def cases_to_score(*, request) -> Panel:
    """The home page's reminder of the cases the user has to score."""
    my_cases = Case.objects.for_inspector(request.user).exclude(status=Case.Status.AGREED)
    return Panel("judgements/panels/cases_to_score.html", {"my_case_count": my_cases.count()})
