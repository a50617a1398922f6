"""Time the walk-through's step page and saving an answer, on an inspection of 60 cases.

    SECRET_KEY=x DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python bench/bench_step.py
    [--repeat 50] [--cases 60]

Builds a throwaway test database (SQLite in a temporary file, or a test database
``test_bench_step`` on the server that DATABASE_URL names), then:

- an inspection on the 2018 framework with ``--cases`` cases (court and out-of-court disposals
  in turn), each with a small case file, every applicable question answered through
  judgements.services;
- an inspection on the 2014 child protection framework with one child protection plan case,
  all answered, whose longest step is the one timed there.

Then, signed in as the inspector through django.test.Client, it times ``--repeat`` requests
of each (after a few warm-up requests): the step page (GET), an answer saved as the inspector
goes (the autosave POST, a real change each time, with the version last returned), and the
whole step saved from the form (POST, every answer of the step changed). It prints the median
and the 95th percentile (nearest rank) in milliseconds, and the queries each request makes.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

WARM_UP = 5
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway test database


def build(cases: int):
    """Both inspections, their teams and answered cases; returns the cases to time."""
    from casefiles.models import AgencyCheck, Case, LinkedChild, Meeting, Order, Referral
    from inspection.models import Area, Inspection, Membership, Organisation, User
    from inspection.services import framework_load
    from judgements.rules import applicable_questions
    from judgements.services import AnswerInput, answers_record

    frameworks = ROOT / "inspection" / "frameworks"
    yos, _ = framework_load(path=frameworks / "youth-offending-services-2018.json")
    cp, _ = framework_load(path=frameworks / "child-protection-audit-2014.json")
    area = Area.objects.create(
        slug="barking-and-dagenham",
        name="Barking and Dagenham",
        police_force_area="Metropolitan Police",
        region="London",
    )
    organisation = Organisation.objects.create(
        slug="bd-yos", name="Barking and Dagenham YOS", kind="yos", area=area
    )
    lead = User.objects.create_user("bench-lead", password=PASSWORD, first_name="Lena")
    inspector = User.objects.create_user("bench-inspector", password=PASSWORD, first_name="Ian")

    def inspection(reference, framework):
        made = Inspection.objects.create(
            reference=reference,
            title=f"Benchmark {reference}",
            kind=Inspection.Kind.SERVICE,
            framework=framework,
            fieldwork_start=date(2018, 4, 16),
            fieldwork_end=date(2018, 4, 27),
        )
        made.organisations.set([organisation])
        Membership.objects.create(inspection=made, user=lead, role=Membership.Role.LEAD)
        Membership.objects.create(inspection=made, user=inspector, role=Membership.Role.INSPECTOR)
        return made

    def case(made, reference, sample_type):
        new = Case.objects.create(
            inspection=made,
            organisation=organisation,
            reference=reference,
            sample_type=sample_type,
            subject_kind="child",
            subject_name="Jayden Morgan",
            gender="male",
            ethnicity="white",
            date_of_birth=date(2002, 5, 1),
            risk_of_serious_harm="medium",
            safety_and_wellbeing="high",
            case_manager="Sam Collier",
            inspector=inspector,
        )
        child = LinkedChild.objects.create(case=new, name="Maisie Morgan", relationship="sibling")
        Order.objects.create(case=new, order_type="referral_order", start_date=date(2017, 10, 2))
        AgencyCheck.objects.create(
            case=new, agency="police", kind="check", requested_date=date(2017, 10, 3)
        )
        Meeting.objects.create(case=new, kind="core_group", meeting_date=date(2017, 11, 27))
        Referral.objects.create(
            case=new, child=child, referral_date=date(2017, 11, 6), method="phone"
        )
        answers_record(
            case=new,
            answers=[
                AnswerInput(question=q, value="yes", note=f"Evidence for {q.code}")
                for q in applicable_questions(new)
            ],
            actor=inspector,
        )
        return new

    service = inspection("bench-yos-2018", yos)
    made = [
        case(service, f"C-{n:03}", "court_disposal" if n % 5 < 3 else "out_of_court")
        for n in range(cases)
    ]
    audit = inspection("bench-cp-2014", cp)
    cp_case = case(audit, "CP-001", "cp_plan")
    return inspector, made[0], cp_case


def longest_step(case) -> tuple[str, int]:
    from collections import Counter

    from judgements.rules import applicable_questions

    counts = Counter(q.standard.code for q in applicable_questions(case))
    code, size = max(counts.items(), key=lambda item: (item[1], item[0]))
    return code, size


def timed(function, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU times (this process: the client and Django, not a database server)."""
    for _ in range(WARM_UP):
        function()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[math.ceil(0.95 * len(ordered)) - 1]


def queries_of(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def scenarios(client, case, code: str):
    """The three requests to time on one step of one case."""
    from django.urls import reverse

    from judgements.models import Answer
    from judgements.selectors import step_questions

    step = reverse("judgements:step", args=[case.public_id, code])
    autosave = reverse("judgements:autosave", args=[case.public_id, code])
    questions = step_questions(case, code)
    first = questions[0]
    state = {"flip": False, "version": Answer.objects.get(case=case, question=first).version}

    def get():
        response = client.get(step)
        assert response.status_code == 200, response.status_code

    def save_answer():
        state["flip"] = not state["flip"]
        response = client.post(
            autosave,
            {
                "question": f"q{first.pk}",
                "value": "no" if state["flip"] else "yes",
                "note": f"Evidence, take {'two' if state['flip'] else 'one'}",
                "version": str(state["version"]),
            },
        )
        assert response.status_code == 200, response.content
        state["version"] = response.json()["version"]

    def save_step():
        versions = dict(
            Answer.objects.filter(case=case, question__in=questions).values_list(
                "question_id", "version"
            )
        )
        state["flip"] = not state["flip"]
        data = {"save": "1"}
        for question in questions:
            data[f"q{question.pk}-value"] = "no" if state["flip"] else "yes"
            data[f"q{question.pk}-note"] = f"{question.code}: {'two' if state['flip'] else 'one'}"
            data[f"q{question.pk}-version"] = str(versions[question.pk])
        response = client.post(step, data)
        assert response.status_code == 302, response.status_code
        state["version"] = Answer.objects.get(case=case, question=first).version

    return [
        (f"step page, {len(questions)} questions (GET)", get),
        ("save one answer (autosave POST)", save_answer),
        (f"save the step, {len(questions)} changed (POST)", save_step),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--cases", type=int, default=60)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from judgements.models import Answer, AuditEvent

    # Not setup_test_environment(): it makes every template render copy its context for the
    # test client to inspect, which would be timed too.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    scratch = tempfile.TemporaryDirectory()
    if connection.vendor == "sqlite":
        # A file, not memory: a save then waits for the disk, as it would in service.
        connection.settings_dict["TEST"]["NAME"] = str(Path(scratch.name) / "bench_step.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = "test_bench_step"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        inspector, case, cp_case = build(args.cases)
        built = time.perf_counter() - started
        client = Client()
        client.force_login(inspector, backend="casefiles.concerns.backends.SignedInBackend")
        cp_code, cp_size = longest_step(cp_case)

        version = ".".join(str(part) for part in connection.get_database_version())
        print(f"Database: {connection.vendor} {version}")
        print(
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, load average "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
        )
        print(
            f"Data: {args.cases} cases on the 2018 framework and 1 on the 2014 framework, "
            f"{Answer.objects.count()} answers, {AuditEvent.objects.count()} audit rows "
            f"(built in {built:.1f} s)"
        )
        print(f"{args.repeat} timed requests each after {WARM_UP} warm-up; times in ms.\n")
        print(f"| {'case and step':<34} | {'request':<38} | queries | median |   p95 | CPU |")
        print(f"|{'-' * 36}|{'-' * 40}|--------:|-------:|------:|----:|")
        for label, target, code in (
            ("2018 court disposal, 2.1", case, "2.1"),
            (f"2014 child protection plan, {cp_code}", cp_case, cp_code),
        ):
            for what, request in scenarios(client, target, code):
                count = queries_of(request)
                wall, cpu = timed(request, args.repeat)
                median, p95 = summary(wall)
                print(
                    f"| {label:<34} | {what:<38} | {count:7} | {median:6.1f} | {p95:5.1f} "
                    f"| {statistics.median(cpu):3.0f} |"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        scratch.cleanup()


if __name__ == "__main__":
    main()
