"""The inspection page's section on safeguarding concerns (registered in CasefilesConfig.ready)."""

from django.utils import timezone

from inspection.hooks import Panel

from .selectors import concerns_for, open_counts


def open_concerns(*, request, access) -> Panel:
    """The team: the open concerns they may read, overdue ones marked (one query). Managers and
    administrators: how many are open and overdue, nothing more (one query)."""
    today = timezone.localdate()
    if access.role is None:
        counts = open_counts([access.inspection.pk], today=today)
        return Panel("casefiles/panels/concerns.html", {"counts": counts, "today": today})
    concerns = list(
        concerns_for(access).open().select_related("case", "child").order_by("raised_at")
    )
    return Panel(
        "casefiles/panels/concerns.html",
        {
            "concerns": concerns,
            "team": True,
            "sees_every": access.sees_every_concern,
            "today": today,
            "overdue": sum(concern.is_overdue(today) for concern in concerns),
            "personal": access.may_see_personal_data,
            "reference": access.inspection.reference,
        },
    )
