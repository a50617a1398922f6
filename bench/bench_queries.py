"""What the hottest queries cost to build and run: every request reads the signed-in person,
and every case page the case and the person's role on its team.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/load_national SECRET_KEY=x \\
        .venv/bin/python bench/bench_queries.py [--rounds 300]

On a database bench/run_load.sh prepared (load-inspector-01 exists, with a case of its own).
Each pair is timed side by side, interleaved, round after round; prints the median in
microseconds of each way and the ratio of the way the application takes to the other.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Exists, OuterRef  # noqa: E402

from casefiles.access import case_access  # noqa: E402
from casefiles.concerns.backends import SignedInBackend  # noqa: E402
from casefiles.concerns.selectors import lead_alerts  # noqa: E402
from casefiles.models import Case, Concern  # noqa: E402
from inspection.access import role_on  # noqa: E402
from inspection.models import Membership, User  # noqa: E402

RELATED = ("inspection__framework", "organisation__area", "inspector")


def person_then_banner(user_id):
    """Before: the person as ModelBackend reads them, then the banner's query."""
    user = User.objects.get(pk=user_id)
    return user, lead_alerts(user)


def person_with_exists_annotation(user_id):
    """Tried: the EXISTS as an ORM annotation."""
    waiting = Exists(
        Concern.objects.filter(
            status=Concern.Status.RAISED,
            inspection__memberships__user=OuterRef("pk"),
            inspection__memberships__role=Membership.Role.LEAD,
        )
    )
    return User.objects.annotate(concerns_waiting=waiting).get(pk=user_id)


def case_through_team_subquery(user, public_id):
    """Before: the case filtered by the inspections the person reads, then the role."""
    case = Case.objects.visible_to(user).select_related(*RELATED).filter(public_id=public_id).get()
    return case, role_on(user, case.inspection)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    user = User.objects.get(username="load-inspector-01")
    public_id = Case.objects.get(inspector=user).public_id
    backend = SignedInBackend()
    pairs = {
        "the signed-in person (and the banner's answer)": (
            ("SQL with EXISTS (SignedInBackend)", lambda: backend.get_user(user.pk)),
            ("ModelBackend, then the banner query", lambda: person_then_banner(user.pk)),
            ("ORM annotation with Exists", lambda: person_with_exists_annotation(user.pk)),
        ),
        "a case and the role it is read with": (
            ("case, then role (case_access)", lambda: case_access(user, public_id)),
            (
                "case in the team subquery, then role",
                lambda: case_through_team_subquery(user, public_id),
            ),
        ),
    }
    print(f"{args.rounds} rounds, interleaved; medians in microseconds")
    for title, ways in pairs.items():
        times = {name: [] for name, _ in ways}
        for _ in range(20):
            for _, way in ways:
                way()
        for _ in range(args.rounds):
            for name, way in ways:
                started = time.perf_counter()
                way()
                times[name].append((time.perf_counter() - started) * 1e6)
        first = statistics.median(times[ways[0][0]])
        print(title)
        for name, _ in ways:
            median = statistics.median(times[name])
            print(f"  {name:<45} {median:8.0f}  {median / first:5.2f}x")


if __name__ == "__main__":
    main()
