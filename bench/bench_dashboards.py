"""Time the dashboards on national benchmark datasets, against the bare SQL beneath them.

    createdb -h 127.0.0.1 -U postgres bench_national
    createdb -h 127.0.0.1 -U postgres bench_national_x2
    export SECRET_KEY=bench
    for db in bench_national bench_national_x2; do
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db .venv/bin/python manage.py migrate
    done
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_national \\
      .venv/bin/python manage.py seed_benchmark                 # 150 x 6 x 60: 2.85M answers
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_national_x2 \\
      .venv/bin/python manage.py seed_benchmark --cases 120     # 150 x 6 x 120: 5.7M answers
    .venv/bin/python bench/bench_dashboards.py --requests 20 \\
      postgres://postgres@127.0.0.1:5432/bench_national \\
      postgres://postgres@127.0.0.1:5432/bench_national_x2

Without database addresses it measures the one DATABASE_URL names. Each dataset is measured
in a process of its own (one after the other), and the results are printed side by side.

For each dataset, in rounds (each round times every item once, so that a change in the load
on a shared machine falls on all of them alike), after a few warm-up rounds:

- the national page (/dashboards/, first page of the grid) through django.test.Client,
  signed in as a manager, with the dashboards' cache off (DASHBOARD_CACHE_SECONDS=0);
- the bare read of the summary rows the page shows: the answer tallies of every
  organisation's latest inspection (reports.ratings.tallies, by inspection, organisation and
  question), run as raw SQL with a cursor and fetched;
- the page's SQL: every query one request of the page makes, replayed with a raw cursor;
- for comparison, the same counts taken live from the answers (judgements.tallies'
  live count, as the page read them before the summary table);
- the national page served from the cache (the same address again: the whole page kept),
  and drawn again from the figures kept in the cache (an address not asked for before, as
  after any change: the page and its layout drawn, its figures read from the cache);
- the area page, the referral tracker and its SQL replayed (the referral tallies it reads,
  and one page of the waiting list).

Medians and 95th percentiles (nearest rank) of wall-clock time, and the median CPU time of
this process (Django and Python; the database server's work shows only in wall-clock time).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

WARM_UP = 3
ORGANISATION = "bench-org-0001"
PG_SETTINGS = (
    "server_version",
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",
    "jit",
    "max_parallel_workers_per_gather",
)


def measure(requests: int) -> dict:
    """Measure the database DATABASE_URL names (in this process); the results as a dict."""
    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from casefiles.models import Case, ReferralTally
    from inspection.models import Inspection, Organisation, User
    from judgements.models import Answer, AnswerTally
    from judgements.tallies import live_tallies_queryset
    from reports.dashboards.filters import Filters, default_framework
    from reports.dashboards.rollups import latest_pairs
    from reports.dashboards.structure import framework_structure
    from reports.ratings.tallies import key_question_tallies_queryset

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    manager = User.objects.get(username="benchmark-manager")
    client = Client()
    client.force_login(manager, backend="casefiles.concerns.backends.SignedInBackend")

    filters = Filters(framework=default_framework())
    structure = framework_structure(filters.framework)
    question_ids = [kq.id for kq in structure.case_key_questions]
    latest = sorted({inspection.id for _o, inspection in latest_pairs(filters)})
    tallies_sql = key_question_tallies_queryset(
        inspections=latest, questions=question_ids, organisations=None
    ).query.sql_with_params()
    live_sql = (
        live_tallies_queryset(latest).filter(question_id__in=question_ids).query.sql_with_params()
    )

    def get(url: str, *, cache_seconds: int, fresh: bool = False):
        """A request for ``url``; with ``fresh``, at an address not asked for before (a
        parameter the page ignores, numbered), so the whole page is never in the cache."""
        rounds = itertools.count()

        def run():
            settings.DASHBOARD_CACHE_SECONDS = cache_seconds
            response = client.get(f"{url}?round={next(rounds)}" if fresh else url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return run

    def raw(sql: str, params) -> callable:
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    # The page's own SQL, captured from one request, to replay.
    with CaptureQueriesContext(connection) as captured:
        page = get("/dashboards/", cache_seconds=0)()
    # Savepoints (around saving the session) need the request's transaction: left out.
    page_queries = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]

    def replay(queries):
        def run():
            with connection.cursor() as cursor:
                for sql in queries:
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()

        return run

    page_sql = replay(page_queries)

    def server_ms(queries) -> float:
        """The database server's own time for these queries (planning and execution, from
        EXPLAIN ANALYZE): what the load on a shared machine adds to the wall-clock time of a
        round trip (waiting for a CPU to read the reply) is left out."""
        total = 0.0
        with connection.cursor() as cursor:
            for sql in queries:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                total += plan[0]["Planning Time"] + plan[0]["Execution Time"]
        return total

    with CaptureQueriesContext(connection) as captured:
        get("/dashboards/referrals/", cache_seconds=0)()
    referral_queries = [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]

    items = {
        "national page (cache off)": get("/dashboards/", cache_seconds=0),
        "bare read of the tallies it shows": raw(*tallies_sql),
        "the page's SQL, replayed": page_sql,
        "live count from the answers (before)": raw(*live_sql),
        "national page (from the cache)": get("/dashboards/", cache_seconds=300),
        "national page (drawn again, figures from the cache)": get(
            "/dashboards/", cache_seconds=300, fresh=True
        ),
        "area page (cache off)": get(f"/dashboards/organisations/{ORGANISATION}/", cache_seconds=0),
        "referral tracker": get("/dashboards/referrals/", cache_seconds=0),
        "the referral tracker's SQL, replayed": replay(referral_queries),
    }
    load_before = os.getloadavg()
    for _ in range(WARM_UP):
        for run in items.values():
            run()
    wall: dict[str, list[float]] = {name: [] for name in items}
    cpu: dict[str, list[float]] = {name: [] for name in items}
    for _ in range(requests):
        for name, run in items.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            run()
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    load_after = os.getloadavg()
    server = {}
    if connection.vendor == "postgresql":
        replayed = (("national page", page_queries), ("referral tracker", referral_queries))
        for name, queries in replayed:
            times = sorted(server_ms(queries) for _ in range(requests))
            server[name] = statistics.median(times)

    results = {}
    for name in items:
        ordered = sorted(wall[name])
        results[name] = {
            "median": statistics.median(ordered),
            "p95": ordered[math.ceil(0.95 * len(ordered)) - 1],
            "cpu": statistics.median(cpu[name]),
        }
    with connection.cursor() as cursor:
        cursor.execute(*tallies_sql)
        tally_rows = len(cursor.fetchall())
    pg = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in PG_SETTINGS:
                cursor.execute(f"SHOW {name}")
                pg[name] = cursor.fetchone()[0]
    return {
        "database": settings.DATABASES["default"]["NAME"],
        "vendor": connection.vendor,
        "postgresql": pg,
        "size": {
            "organisations": Organisation.objects.filter(slug__startswith="bench-").count(),
            "inspections": Inspection.objects.filter(reference__startswith="bench-").count(),
            "cases": Case.objects.filter(inspection__reference__startswith="bench-").count(),
            "answers": Answer.objects.count(),
            "tally rows": AnswerTally.objects.count(),
            "latest inspections": len(latest),
            "tally rows the page reads": tally_rows,
            "page queries": len(page_queries),
            "page KB": round(len(page.content) / 1024),
            "referral tracker queries": len(referral_queries),
            "referral tally rows": ReferralTally.objects.count(),
        },
        "requests": requests,
        "load": [round(load_before[0], 1), round(load_after[0], 1)],
        "server ms": server,
        "results": results,
    }


def report(runs: list[dict]) -> None:
    names = [run["database"] for run in runs]
    print("Datasets (measured one after the other, each in its own process):")
    for run in runs:
        size = run["size"]
        print(
            f"- {run['database']}: {size['organisations']} organisations, "
            f"{size['inspections']} inspections, {size['cases']} cases, "
            f"{size['answers']:,} answers, {size['tally rows']:,} tally rows; the page reads "
            f"{size['tally rows the page reads']:,} of them ({size['latest inspections']} latest "
            f"inspections) in {size['page queries']} queries and sends {size['page KB']} KB; "
            f"{run['requests']} rounds; load average (1 min) before and after "
            f"{run['load'][0]}, {run['load'][1]}"
        )
        if run["postgresql"]:
            print("  PostgreSQL: " + ", ".join(f"{k} {v}" for k, v in run["postgresql"].items()))
    print("\nMedian ms (p95; CPU in Python, median):\n")
    print("| what | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for item in runs[0]["results"]:
        cells = []
        for run in runs:
            r = run["results"][item]
            cells.append(f"{r['median']:.1f} ({r['p95']:.1f}; {r['cpu']:.1f})")
        print(f"| {item} | " + " | ".join(cells) + " |")
    print()
    for run in runs:
        r = run["results"]
        page = r["national page (cache off)"]["median"]
        bare = r["bare read of the tallies it shows"]["median"]
        sql = r["the page's SQL, replayed"]["median"]
        cached = r["national page (from the cache)"]["median"]
        again = r["national page (drawn again, figures from the cache)"]["median"]
        print(
            f"{run['database']}: national page / bare read: from the cache {cached / bare:.2f}x, "
            f"drawn again {again / bare:.2f}x, cache off {page / bare:.2f}x; "
            f"national page (cache off) / its SQL {page / sql:.2f}x; its SQL {sql:.1f} ms"
        )
    for run in runs:
        for name, ms in run.get("server ms", {}).items():
            print(
                f"{run['database']}: {name}'s SQL, the server's own time (EXPLAIN ANALYZE, "
                f"median): {ms:.1f} ms"
            )
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        for item in ("national page (cache off)", "the page's SQL, replayed"):
            a, b = first["results"][item]["median"], last["results"][item]["median"]
            print(
                f"{item}: {b / a:.2f}x from {first['size']['answers']:,} to "
                f"{last['size']['answers']:,} answers"
            )
        a = first["results"]["live count from the answers (before)"]["median"]
        b = last["results"]["live count from the answers (before)"]["median"]
        print(f"live count from the answers (before): {b / a:.2f}x over the same")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="timed rounds")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("databases", nargs="*", help="database addresses (DATABASE_URL)")
    args = parser.parse_args()
    if args.one or not args.databases:
        run = measure(args.requests)
        if args.one:
            print(json.dumps(run))
        else:
            report([run])
        return
    runs = []
    for url in args.databases:
        done = subprocess.run(  # noqa: S603 - this script, with an address given to it
            [sys.executable, __file__, "--one", "--requests", str(args.requests)],
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    report(runs)


if __name__ == "__main__":
    main()
