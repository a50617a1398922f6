"""Job kinds for the tests of inspection.jobs, registered only by the tests (and by the worker
processes the queue tests start:
`PYTHONPATH=. python tests/support/jobs_worker.py <db_worker options>`).

Each run leaves a trace in params["trace_dir"] when given: a line "<job public id> <attempt>
<pid>" appended to runs.log, so a test can count how often each job ran and in which process.
"""

import os
import time
from pathlib import Path

from inspection.jobs import JobFailed, JobFile, JobRedirect, register
from inspection.jobs.registry import unregister

KINDS = ["demo-csv", "demo-slow", "demo-fail", "demo-crash", "demo-redirect"]


def _trace(job) -> None:
    trace_dir = job.params.get("trace_dir")
    if trace_dir:
        line = f"{job.public_id} {job.attempts} {os.getpid()}\n"
        # One write with O_APPEND: lines from several processes never interleave.
        fd = os.open(Path(trace_dir) / "runs.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def demo_csv(job, progress):
    """A small CSV of `rows` rows, reporting progress on each."""
    _trace(job)
    rows = job.params.get("rows", 3)
    lines = ["number,square"]
    for n in range(1, rows + 1):
        progress(100 * n // rows, f"Writing row {n} of {rows}")
        lines.append(f"{n},{n * n}")
    return JobFile("squares.csv", "text/csv", content="\n".join(lines) + "\n")


def demo_slow(job, progress):
    """`steps` steps of `sleep` seconds each: long enough to kill its worker in the middle."""
    _trace(job)
    steps, pause = job.params.get("steps", 10), job.params.get("sleep", 0.2)
    for n in range(steps):
        progress(100 * n // steps, f"Step {n + 1} of {steps}")
        time.sleep(pause)
    return JobFile("slow.txt", "text/plain", content=f"{steps} steps\n")


def demo_fail(job, progress):
    progress(50, "Reading the population file")
    raise JobFailed("The population file has no column called 'Case reference'.")


def demo_crash(job, progress):
    progress(10, "Reading")
    raise ValueError("a programming error, with details nobody should be shown")


def demo_redirect(job, progress):
    return JobRedirect("/")


def register_demo_kinds() -> None:
    register("demo-csv", demo_csv, title="Squares CSV")
    register("demo-slow", demo_slow, title="Slow file")
    register("demo-fail", demo_fail, title="Sample", doing="reading the population file")
    register("demo-crash", demo_crash, title="Answers workbook")
    register("demo-redirect", demo_redirect, title="Sample draw", doing="drawing the sample")


def unregister_demo_kinds() -> None:
    for kind in KINDS:
        unregister(kind)
