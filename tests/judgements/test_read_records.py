"""Who opened which case: one record per reader, case and page in any five minutes."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

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


def test_opening_it_again_after_five_minutes_is_recorded_again(login, people, case):
    assert READ_RECORD_WINDOW == timedelta(minutes=5)
    client = login(people.manager)
    url = reverse("casefiles:detail", args=[case.public_id])
    client.get(url)
    reads(case).update(at=reads(case).get().at - timedelta(minutes=5, seconds=1))
    client.get(url)
    assert reads(case, people.manager).count() == 2


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
