"""The record of who opened which case file (not a judgement: no audit row)."""

from datetime import timedelta

from django.utils import timezone

from casefiles.models import Case
from judgements.models import (
    ReadRecord,
)

# Opening the same page of the same case again within this time adds no record: the record of
# the first opening stands for the others (docs/access.md), and an inspector going back and
# forth between a case's steps does not write a row on every page.
READ_RECORD_WINDOW = timedelta(minutes=5)


def case_read_record(*, case: Case, reader, page: str) -> ReadRecord | None:
    """Note that someone opened a page showing this case's file or judgements.

    Returns the new record, or None when the same reader's record of the same page of the
    same case is less than READ_RECORD_WINDOW old (one read of the index on case and time).
    Two requests at the same moment may both add one: a read is never left unrecorded.
    """
    now = timezone.now()
    recent = ReadRecord.objects.filter(
        case=case, reader=reader, page=page, at__gt=now - READ_RECORD_WINDOW
    )
    if recent.exists():
        return None
    return ReadRecord.objects.create(case=case, reader=reader, at=now, page=page)
