"""Who opened which case: one record per reader, case and page in any five minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from judgements.models import ReadRecord
from judgements.services import READ_RECORD_WINDOW, case_read_record
from tests.conftest import make_case


def reads(case, reader=None):
    records = ReadRecord.objects.filter(case=case)
    return records.filter(reader=reader) if reader is not None else records


def test_opening_the_same_page_again_soon_adds_no_record(login, people, case):
    client = login(people.manager)
    url = reverse("casefiles:detail", args=[case.public_id])
    assert client.get(url).status_code == 200
    first = reads(case, people.manager).get()
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert list(reads(case, people.manager)) == [first]
    assert first.page == "case file"


@pytest.mark.parametrize("kept", [True, False], ids=["kept in the cache", "read from the table"])
def test_opening_it_again_after_five_minutes_is_recorded_again(
    login, people, case, monkeypatch, kept, django_capture_on_commit_callbacks
):
    assert READ_RECORD_WINDOW == timedelta(minutes=5)
    client = login(people.manager)
    url = reverse("casefiles:detail", args=[case.public_id])
    with django_capture_on_commit_callbacks(execute=kept):
        client.get(url)
    first = reads(case).get().at
    later = first + timedelta(minutes=4, seconds=59)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.get(url)
    assert reads(case, people.manager).count() == 1
    later = first + timedelta(minutes=5, seconds=1)
    client.get(url)
    assert reads(case, people.manager).count() == 2


def test_a_record_found_in_the_table_stands_when_the_cache_has_forgotten_it(people, case):
    case_read_record(case=case, reader=people.manager, page="case file")
    cache.clear()
    assert case_read_record(case=case, reader=people.manager, page="case file") is None
    assert reads(case, people.manager).count() == 1


def test_a_record_rolled_back_is_not_taken_for_a_recent_read(people, case):
    with pytest.raises(RuntimeError), transaction.atomic():
        case_read_record(case=case, reader=people.manager, page="case file")
        raise RuntimeError
    assert case_read_record(case=case, reader=people.manager, page="case file") is not None
    assert reads(case, people.manager).count() == 1


def test_going_back_to_a_page_soon_reads_no_table(
    people, case, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_read_record(case=case, reader=people.manager, page="case file")
    with django_assert_num_queries(0):
        assert case_read_record(case=case, reader=people.manager, page="case file") is None


def test_each_page_and_each_reader_has_its_own_record(people, case):
    assert case_read_record(case=case, reader=people.manager, page="case file") is not None
    assert case_read_record(case=case, reader=people.manager, page="case file") is None
    assert case_read_record(case=case, reader=people.manager, page="history") is not None
    assert case_read_record(case=case, reader=people.qa, page="case file") is not None
    assert sorted(reads(case).values_list("reader__username", "page")) == [
        ("manager", "case file"),
        ("manager", "history"),
        ("qa", "case file"),
    ]


def test_another_case_is_another_record(people, case, inspection):
    other = make_case(inspection, reference="C-OTHER")
    case_read_record(case=case, reader=people.manager, page="case file")
    assert case_read_record(case=other, reader=people.manager, page="case file") is not None
