"""Peak memory and time of the exports at two sizes of inspection, side by side.

    SECRET_KEY=x .venv/bin/python bench/bench_exports.py [--sizes 500 3000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ca_background SECRET_KEY=x \\
        .venv/bin/python bench/bench_exports.py

Builds a throwaway test database (SQLite in memory, or a test database of its own on the
server DATABASE_URL names) and, for each size, one inspection with that many cases, every
applicable question answered with an evidence note length of the benchmark's (manage.py
seed_benchmark; about 53 answers a case). Then, for each export the background jobs make,
the answers workbook (Excel), the answers CSV and the whole inspection (JSON), it writes the
file the way the job does, to a file, in a child process of its own, and reports:

- the peak of what Python itself allocates during the export (tracemalloc);
- the child's peak resident memory (ru_maxrss, what the operating system sees, including
  Django and the libraries), before the export starts and after it;
- the time, wall and CPU. tracemalloc slows allocation-heavy code a lot (openpyxl about seven
  times): with ``--plain-time`` each export is also run once more without it, and that run's
  time and resident memory are reported instead; ``--untraced`` makes only that run.

Memory that does not grow with the size is what bounded means here: the figures for the
larger size should be about those of the smaller.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

EXPORTS = ("workbook", "csv", "json")


def _write(kind: str, inspection, path: Path) -> None:
    from reports.exchange.answers import answers_csv_write, answers_xlsx_write
    from reports.exchange.export import inspection_export_write

    if kind == "workbook":
        answers_xlsx_write(inspection, path)
    elif kind == "csv":
        answers_csv_write(inspection, path)
    else:
        with path.open("w", encoding="utf-8", newline="\n") as file:
            inspection_export_write(inspection, file)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _child(kind: str, reference: str, traced: bool, pipe) -> None:
    """In a forked child: read the inspection afresh, write the file, report the figures."""
    from django.db import connections

    from inspection.models import Inspection

    connections.close_all()  # the parent's connection is not ours to use
    inspection = Inspection.objects.select_related("framework").get(reference=reference)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{kind}"
        before = _maxrss_mb()
        if traced:
            tracemalloc.start()
        started, started_cpu = time.perf_counter(), time.process_time()
        _write(kind, inspection, path)
        wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
        tracemalloc.stop()
        pipe.send(
            {
                "wall": wall,
                "cpu": cpu,
                "before": before,
                "maxrss": _maxrss_mb(),
                "traced": peak,
                "size": path.stat().st_size / 2**20,
            }
        )
    connections.close_all()


def measure(kind: str, reference: str, traced: bool) -> dict:
    from django.db import connection, connections

    if connection.vendor != "sqlite":
        # A forked child must not share the parent's server connection; an in-memory SQLite
        # database, on the other hand, exists only in this process and its forked copies.
        connections.close_all()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(kind, reference, traced, send))
    process.start()
    result = receive.recv()
    process.join()
    if process.exitcode:
        raise SystemExit(f"{kind} export failed in its child process ({process.exitcode})")
    return result


def seed(cases: int) -> tuple[str, int]:
    from django.core.management import call_command

    from inspection.models import Inspection
    from judgements.models import Answer

    call_command(
        "seed_benchmark",
        organisations=1,
        inspections=1,
        cases=cases,
        replace=True,
        stdout=io.StringIO(),
    )
    inspection = Inspection.objects.get(reference__startswith="bench-")
    return inspection.reference, Answer.objects.filter(case__inspection=inspection).count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 3000], help="cases")
    parser.add_argument("--exports", nargs="+", choices=EXPORTS, default=list(EXPORTS))
    parser.add_argument(
        "--plain-time", action="store_true", help="time each export again without tracemalloc"
    )
    parser.add_argument(
        "--untraced", action="store_true", help="only the run without tracemalloc (no traced peak)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":
        # In memory, as the test run's database: forked children read their own copy.
        pass
    else:
        # A database of its own, so that it never clobbers a test run's.
        connection.settings_dict["TEST"]["NAME"] = "test_bench_exports"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results: dict[tuple[str, int], dict] = {}
    answers_of: dict[int, int] = {}
    try:
        for cases in args.sizes:
            started = time.perf_counter()
            reference, answers_of[cases] = seed(cases)
            print(
                f"{cases} cases, {answers_of[cases]:,} answers "
                f"(built in {time.perf_counter() - started:.0f} s, {connection.vendor})",
                flush=True,
            )
            for kind in args.exports:
                if args.untraced:
                    plain = measure(kind, reference, traced=False)
                    plain["traced"] = float("nan")
                else:
                    plain = measure(kind, reference, traced=True)
                if args.plain_time and not args.untraced:
                    plain = {**measure(kind, reference, traced=False), "traced": plain["traced"]}
                results[(kind, cases)] = plain
                print(
                    f"  {kind:8} {plain['wall']:6.1f} s (CPU {plain['cpu']:5.1f} s)  "
                    f"traced peak {plain['traced']:6.1f} MB  "
                    f"RSS {plain['before']:5.0f} -> {plain['maxrss']:5.0f} MB  "
                    f"file {plain['size']:6.1f} MB",
                    flush=True,
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    sizes = args.sizes
    print()
    print(
        "| Export | " + " | ".join(f"{n:,} cases ({answers_of[n]:,} answers)" for n in sizes) + " |"
    )
    print("|---|" + "---|" * len(sizes))
    for kind in args.exports:
        cells = []
        for n in sizes:
            r = results[(kind, n)]
            cells.append(
                f"{r['wall']:.1f} s (CPU {r['cpu']:.1f} s), traced peak {r['traced']:.1f} MB, "
                f"RSS +{r['maxrss'] - r['before']:.0f} MB, file {r['size']:.1f} MB"
            )
        print(f"| {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
