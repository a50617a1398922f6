"""What casefiles shows on the inspection page (registered in CasefilesConfig.ready)."""

from django.db.models import Count, Q

from inspection.hooks import Panel

from .choices import SampleType
from .models import Case, counted_condition
from .selectors import sample_counts


def case_counts_row(*, request, access) -> Panel:
    """The summary row: cases in the sample, submitted, not assigned."""
    status_counts = Case.objects.filter(inspection=access.inspection).aggregate(
        total=Count("id"),
        submitted=Count("id", filter=counted_condition()),
        unassigned=Count("id", filter=Q(inspector__isnull=True)),
    )
    return Panel("casefiles/panels/case_counts_row.html", {"status_counts": status_counts})


def samples(*, request, access) -> Panel:
    """The cases in each sample, by organisation."""
    labels = dict(SampleType.choices)
    rows = [
        {**row, "sample_label": labels.get(row["sample_type"], row["sample_type"])}
        for row in sample_counts(access.inspection)
    ]
    return Panel("casefiles/panels/samples.html", {"samples": rows})


def interviews_link(*, request) -> Panel:
    """The home page's way to the interview timetable, with how many are still to hold."""
    from .models import Interview

    to_hold = Interview.objects.filter(
        case__in=Case.objects.for_inspector(request.user), held__isnull=True
    ).count()
    return Panel("casefiles/panels/interviews_link.html", {"to_hold": to_hold})
