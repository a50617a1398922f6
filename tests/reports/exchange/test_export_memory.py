"""Exports in bounded memory: the answers workbook and CSV stream the answers from the
database, and the whole-inspection file is written a few cases at a time, so the memory they
need does not grow with the size of the inspection (bench/bench_exports.py measures it at
national sizes).

Peak memory is measured with tracemalloc (what Python allocates), at two sizes of inspection,
every applicable question answered in every case: the larger has four times the answers.
"""

import io
import tracemalloc

import pytest
from django.core.management import call_command

from casefiles.models import Case
from inspection.models import Inspection
from judgements.models import Answer
from reports.exchange import answers, export
from reports.exchange.answers import answers_csv_write, answers_xlsx_write
from reports.exchange.export import inspection_export_write

pytestmark = pytest.mark.django_db

SMALL, LARGE = 40, 160


def large_inspection() -> Inspection:
    call_command(
        "seed_benchmark", organisations=1, inspections=1, cases=LARGE, stdout=io.StringIO()
    )
    return Inspection.objects.select_related("framework").get(reference__startswith="bench-")


def made_small(inspection: Inspection) -> None:
    """The same inspection with only its first SMALL cases."""
    keep = Case.objects.filter(inspection=inspection).order_by("reference")[:SMALL]
    Case.objects.filter(inspection=inspection).exclude(
        pk__in=list(keep.values_list("pk", flat=True))
    ).delete()


def peak_bytes(work) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def peaks(make_file) -> tuple[int, int, int]:
    """Peak memory of making the file for the small and the large inspection, and the
    number of answers in the large one."""
    inspection = large_inspection()
    answers = Answer.objects.filter(case__inspection=inspection).count()
    make_file(inspection)  # once first: what is read once per process (the framework) is read
    large = peak_bytes(lambda: make_file(inspection))
    made_small(inspection)
    assert Case.objects.filter(inspection=inspection).count() == SMALL
    small = peak_bytes(lambda: make_file(inspection))
    return small, large, answers


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    # Read 20 cases at a time (production: hundreds), so that both sizes are several chunks.
    monkeypatch.setattr(answers, "CASE_CHUNK", 20)
    monkeypatch.setattr(export, "CASE_CHUNK", 20)


def test_the_answers_workbook_needs_no_more_memory_for_four_times_the_answers(tmp_path):
    small, large, answers = peaks(lambda i: answers_xlsx_write(i, tmp_path / "answers.xlsx"))
    assert answers > 4 * SMALL * 40  # every question answered: over 40 answers a case
    # Not growing with the answers: the large one within a quarter of the small one, and
    # small in absolute terms (the whole workbook in memory would be several times more).
    assert large < small * 1.25 + 256 * 1024, (small, large)
    assert large < 16 * 1024 * 1024, large


def test_the_answers_csv_needs_no_more_memory_for_four_times_the_answers(tmp_path):
    small, large, _ = peaks(lambda i: answers_csv_write(i, tmp_path / "answers.csv"))
    assert large < small * 1.25 + 256 * 1024, (small, large)


def test_the_whole_inspection_needs_memory_for_a_few_cases_not_all(tmp_path):
    def write(inspection):
        with (tmp_path / "inspection.json").open("w", encoding="utf-8") as file:
            inspection_export_write(inspection, file)

    small, large, _ = peaks(write)
    assert large < small * 1.25 + 256 * 1024, (small, large)
    assert large < 16 * 1024 * 1024, large
