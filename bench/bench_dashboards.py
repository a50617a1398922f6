"""Time the dashboards on the national benchmark dataset, against the bare SQL beneath them.

    createdb -h 127.0.0.1 -U postgres bench_national
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_national SECRET_KEY=bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_benchmark            # 150 x 6 x 60, about 2.85M answers
    .venv/bin/python bench/bench_dashboards.py           # --requests 20 by default

Each page is requested through django.test.Client, signed in as a manager, after a few
warm-up requests; the median and 95th percentile (nearest rank) of the timed requests are
printed. "Bare SQL" is the answer aggregate the page rests on (reports.ratings.tallies, grouped
by inspection, organisation and question as reports.dashboards.rollups asks), run as raw SQL
with a cursor and fetched: the ratio says how much the page adds to the database work.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from casefiles.models import Case  # noqa: E402
from inspection.models import Inspection, Organisation, User  # noqa: E402
from judgements.models import Answer  # noqa: E402
from reports.dashboards.filters import Filters, default_framework  # noqa: E402
from reports.dashboards.rollups import latest_pairs  # noqa: E402
from reports.dashboards.structure import framework_structure  # noqa: E402
from reports.ratings.tallies import answer_tallies_queryset  # noqa: E402

BY_PAIR_AND_QUESTION = ("inspection", "organisation", "question")

WARM_UP = 3
ORGANISATION = "bench-org-0001"


def timed(function, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU time (ms) of each call, after a few warm-up calls.

    The CPU time is what Django and Python spend (the test client runs the view in this
    process); the database's own work shows only in the wall-clock time.
    """
    for _ in range(WARM_UP):
        function()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def summary(times: tuple[list[float], list[float]]) -> tuple[float, float, float]:
    """Median and 95th percentile (nearest rank) of the wall-clock times, median CPU time."""
    wall, cpu = times
    ordered = sorted(wall)
    return (
        statistics.median(ordered),
        ordered[math.ceil(0.95 * len(ordered)) - 1],
        statistics.median(cpu),
    )


def page(client: Client, url: str):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def raw(sql: str, params) -> callable:
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    manager = User.objects.get(username="benchmark-manager")
    client = Client()
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")

    # The SQL the national view rests on: the answer aggregate over each organisation's
    # latest inspection (on the default framework, no other filter).
    filters = Filters(framework=default_framework())
    structure = framework_structure(filters.framework)
    question_ids = [kq.id for kq in structure.case_key_questions]
    latest = {inspection.id for _o, inspection in latest_pairs(filters)}
    national_sql = answer_tallies_queryset(
        by=BY_PAIR_AND_QUESTION, inspections=latest, questions=question_ids
    ).query.sql_with_params()

    # The area view's: its own inspections (and the national aggregate above).
    organisation = Organisation.objects.get(slug=ORGANISATION)
    own = list(Inspection.objects.filter(organisations=organisation).values_list("id", flat=True))
    own_sql = answer_tallies_queryset(
        by=BY_PAIR_AND_QUESTION,
        inspections=own,
        questions=question_ids,
        organisations=[organisation.pk],
    ).query.sql_with_params()
    size = {
        "organisations": Organisation.objects.filter(slug__startswith="bench-").count(),
        "inspections": Inspection.objects.filter(reference__startswith="bench-").count(),
        "cases": Case.objects.filter(inspection__reference__startswith="bench-").count(),
        "answers": Answer.objects.count(),
    }
    print(
        f"Data: {size['organisations']} organisations, {size['inspections']} inspections, "
        f"{size['cases']} cases, {size['answers']} answers "
        f"({len(latest)} latest inspections in the national view)."
    )
    indexes = _answer_indexes()
    print(f"Indexes on judgements_answer: {', '.join(indexes)}")
    print(f"{args.requests} timed requests each after {WARM_UP} warm-up; times in ms.\n")
    load_before = os.getloadavg()[0]

    rows = []
    national_page = summary(timed(page(client, "/dashboards/"), args.requests))
    national_bare = summary(timed(raw(*national_sql), args.requests))
    rows.append(("National view /dashboards/", national_page))
    rows.append(("  bare SQL: answer aggregate, latest inspections", national_bare))
    area_url = f"/dashboards/organisations/{ORGANISATION}/"
    area_page = summary(timed(page(client, area_url), args.requests))
    own_bare = summary(timed(raw(*own_sql), args.requests))
    rows.append((f"Area view {area_url}", area_page))
    rows.append(("  bare SQL: its answer aggregate", own_bare))
    rows.append(("  bare SQL: national aggregate (as above)", national_bare))
    for label, url in (
        ("Key question across organisations", "/dashboards/questions/2.2.2/"),
        ("Referral tracker", "/dashboards/referrals/"),
        (
            "Cases behind a cell",
            f"/dashboards/inspections/{ORGANISATION}-6/{ORGANISATION}/cases/?standard=2.2",
        ),
    ):
        rows.append((f"{label}", summary(timed(page(client, url), args.requests))))

    print(f"| {'what':<52} | median | p95 | CPU in Python (median) |")
    print(f"|{'-' * 54}|-------:|----:|----:|")
    for label, (median, p95, cpu) in rows:
        print(f"| {label:<52} | {median:6.1f} | {p95:5.1f} | {cpu:5.1f} |")
    print(f"\nLoad average (1 min) before and after: {load_before:.1f}, {os.getloadavg()[0]:.1f}")
    area_bare = own_bare[0] + national_bare[0]
    print(
        f"\nNational view / its bare SQL (medians): {national_page[0] / national_bare[0]:.2f}x"
        f"\nArea view / its bare SQL (medians, both queries): {area_page[0] / area_bare:.2f}x"
    )


def _answer_indexes() -> list[str]:
    if connection.vendor != "postgresql":
        return ["(not PostgreSQL)"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
            [Answer._meta.db_table],
        )
        return [row[0].split(" USING btree ")[-1] for row in cursor.fetchall()]


if __name__ == "__main__":
    main()
