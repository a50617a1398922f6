"""Time and profile the load test's pages one request at a time, on a prepared database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load_test SECRET_KEY=x \
        .venv/bin/python bench/profile_pages.py [--repeat 10] [--profile "/dashboards/"]

The database is one bench/run_load.sh prepared (load-inspector-01 and load-manager-01 exist).
Each page is requested through django.test.Client, signed in, after two warm-up requests;
prints the median wall-clock and CPU time (ms) per page, and its size as it is and
gzipped, with the CPU time gzip takes for it. With --profile PATH-PREFIX,
the pages whose path starts with it are run under cProfile and the top functions printed.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.utils.text import compress_string  # noqa: E402

from casefiles.models import Case  # noqa: E402
from inspection.models import User  # noqa: E402

BACKEND = "casefiles.concerns.backends.SignedInBackend"


def pages() -> list[tuple[str, str]]:
    inspector = User.objects.get(username="load-inspector-01")
    case = Case.objects.get(inspector=inspector)
    manager = User.objects.get(username="load-manager-01")
    cases_link = None
    client = Client()
    client.force_login(manager, backend=BACKEND)
    found = re.search(
        r'href="(/dashboards/inspections/[^"]+/cases/[^"]*)"',
        client.get("/dashboards/organisations/bench-org-0001/").content.decode(),
    )
    if found:
        cases_link = found.group(1).replace("&amp;", "&")
    listed = [
        ("inspector", "/"),
        ("inspector", f"/inspections/{case.inspection.reference}/cases/"),
        ("inspector", f"/cases/{case.public_id}/"),
        ("inspector", f"/cases/{case.public_id}/steps/2.1/"),
        ("lead", f"/inspections/{case.inspection.reference}/quality-assurance/"),
        ("manager", "/dashboards/"),
        ("manager", "/dashboards/areas/bench-area-0001/"),
        ("manager", "/dashboards/organisations/bench-org-0001/"),
        ("manager", "/dashboards/questions/2.2.2/"),
    ]
    if cases_link:
        listed.append(("manager", cases_link))
    return listed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    users = {
        "inspector": User.objects.get(username="load-inspector-01"),
        "lead": User.objects.get(username="lead"),
        "manager": User.objects.get(username="load-manager-01"),
    }
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user, backend=BACKEND)
    print(f"load average {os.getloadavg()[0]:.1f}; {args.repeat} requests each, ms")
    print(f"{'page':<70} {'median':>7} {'CPU':>5} {'KB':>6} {'gzip KB':>7} {'gzip ms':>7}")
    for role, url in pages():
        client = clients[role]
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        response = client.get(url)
        wall, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        started = time.process_time()
        for _ in range(10):
            compress_string(response.content, max_random_bytes=100)
        gzip_ms = (time.process_time() - started) * 100  # per page, in ms
        print(
            f"{url[:70]:<70} {statistics.median(wall):7.0f} "
            f"{statistics.median(cpu):5.0f} {len(response.content) // 1024:>6} "
            f"{len(zipped.content) // 1024:>7} {gzip_ms:7.1f}"
        )
        if args.profile and url.startswith(args.profile):
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(3):
                client.get(url)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
