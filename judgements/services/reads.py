"""The record of who opened which case file (not a judgement: no audit row)."""

from datetime import timedelta
from urllib.parse import quote

from django.core.cache import cache
from django.db import transaction
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
    same case is less than READ_RECORD_WINDOW old. Two requests at the same moment may both
    add one: a read is never left unrecorded.

    The time until which the latest record stands for further reads is kept in the cache, so
    that going back and forth between a case's pages reads no table. It is kept only once
    the record is committed, and compared with the clock here: an entry lost or cleared
    costs one read of the index on case and time, never a read left unrecorded.
    """
    now = timezone.now()
    key = f"read-record:{reader.pk}:{case.pk}:{quote(page)}"
    until = cache.get(key)
    if until is not None and now < until:
        return None
    latest = (
        ReadRecord.objects.filter(
            case=case, reader=reader, page=page, at__gt=now - READ_RECORD_WINDOW
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if latest is not None:
        _stands_until(key, latest + READ_RECORD_WINDOW, now)
        return None
    record = ReadRecord.objects.create(case=case, reader=reader, at=now, page=page)
    transaction.on_commit(lambda: _stands_until(key, now + READ_RECORD_WINDOW, now))
    return record


def _stands_until(key: str, until, now) -> None:
    cache.set(key, until, timeout=max(1, int((until - now).total_seconds()) + 1))
