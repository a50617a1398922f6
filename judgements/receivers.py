"""What judgements plugs into the apps below it (connected in JudgementsConfig.ready)."""

from inspection.hooks import Panel

from .context_processors import has_cases_remember
from .selectors import TO_DO_GROUPS, TO_SCORE, status_counts
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
    """The home page's reminder of what the user has to do, in the order of the to-do list."""
    counts = status_counts(request.user)
    has_cases_remember(request, bool(counts))
    return Panel(
        "judgements/panels/cases_to_score.html",
        {
            "to_score": sum(n for status, n in counts.items() if status in TO_SCORE),
            "counts": [
                (title, counts[status])
                for status, title, _hint in TO_DO_GROUPS
                if counts.get(status)
            ],
        },
    )


def second_readings_reconciled(inspection) -> list:
    """Before approval: every case read twice has its two readings reconciled (one query)."""
    from django.urls import reverse

    from inspection.readiness import Missing

    from .models import SecondReading

    pending = SecondReading.objects.filter(
        case__inspection=inspection,
        status__in=(SecondReading.Status.READING, SecondReading.Status.SUBMITTED),
    ).values_list("case__reference", "case__public_id")
    return [
        Missing(
            text=f"Case {reference}: its two readings are not reconciled yet",
            url=reverse("judgements:reconcile", kwargs={"public_id": public_id}),
            group="Second readings",
        )
        for reference, public_id in pending.order_by("case__reference")
    ]
