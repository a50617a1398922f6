"""Shared by the judgements pages."""



from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from casefiles.models import Case
from judgements.second_readings import blind_reading

# Statuses of a case that has been submitted at least once.
QA_STATUSES = (
    Case.Status.SUBMITTED,
    Case.Status.IN_QA,
    Case.Status.RETURNED,
    Case.Status.AGREED,
)


def _posted(request):
    """The form's data: bound on every POST, even an empty one, so that 'required' is said."""
    return request.POST if request.method == "POST" else None


BLIND = (
    "You are reading this case a second time, independently: its first reading is not shown "
    "to you until the two readings are reconciled."
)


def blind_redirect(request, case, code: str | None = None):
    """For the second reader of a case not yet reconciled, the pages of the case's own
    answers send a GET to their second reading instead (the same step, if given) and refuse
    anything else; None for everybody else."""
    if blind_reading(case, request.user) is None:
        return None
    if request.method not in ("GET", "HEAD"):
        raise PermissionDenied(BLIND)
    if code is not None:
        return redirect("judgements:second_step", public_id=case.public_id, code=code)
    return redirect("judgements:second_summary", public_id=case.public_id)


def refuse_if_blind(request, case) -> None:
    """Pages that show the case's answers and have no counterpart in the second reading."""
    if blind_reading(case, request.user) is not None:
        raise PermissionDenied(BLIND)
