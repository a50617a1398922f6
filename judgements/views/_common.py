"""Shared by the judgements pages."""



from casefiles.models import Case

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
