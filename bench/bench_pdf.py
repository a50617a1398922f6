"""Time the report PDF for a 50-case inspection.

    SECRET_KEY=x .venv/bin/python bench/bench_pdf.py [--runs 3] [--out report.pdf]

Builds a throwaway test database (SQLite in memory, or a test database on the server that
DATABASE_URL names), then an inspection on the 2018 framework with 31 court disposals and 19
out-of-court disposals, every applicable question answered and each case submitted through
judgements.services, the lead's four organisation-level ratings, and report text in every
section. It then renders the PDF ``--runs`` times (each run reads the database afresh, as the
download page does), printing each time and the median.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def build(random_seed: int = 4):
    """The 50-case inspection with its report written; returns the inspection."""
    from casefiles.models import Case, LinkedChild
    from inspection.models import Area, Domain, Inspection, Membership, Organisation, Standard, User
    from inspection.services import framework_load
    from judgements.rules import applicable_questions, case_questions
    from judgements.services import (
        AnswerInput,
        answers_record,
        case_submit,
        organisation_rating_record,
    )
    from reports.writing import services as services

    rng = random.Random(random_seed)
    framework, _ = framework_load(
        path=ROOT / "inspection" / "frameworks" / "youth-offending-services-2018.json"
    )
    area = Area.objects.create(
        slug="bench", name="Benchtown", police_force_area="Bench Police", region="London"
    )
    organisation = Organisation.objects.create(
        slug="bench-yos", name="Benchtown YOS", kind="yos", area=area
    )
    lead = User.objects.create_user(username="lead", first_name="Lee", last_name="Lead")
    inspector = User.objects.create_user(username="inspector", first_name="Ira", last_name="Ins")
    inspection = Inspection.objects.create(
        reference="bench-2018",
        title="Youth offending services in Benchtown",
        kind=Inspection.Kind.SERVICE,
        framework=framework,
        fieldwork_start=date(2018, 9, 3),
        fieldwork_end=date(2018, 9, 14),
    )
    inspection.organisations.set([organisation])
    Membership.objects.create(inspection=inspection, user=lead, role=Membership.Role.LEAD)
    Membership.objects.create(inspection=inspection, user=inspector, role="inspector")

    firsts = ["Jayden", "Kyle", "Shanice", "Tyrone", "Amira", "Liam", "Grace", "Reuben", "Ola"]
    lasts = ["Morgan", "Okonjo", "Baptiste", "Kowalski", "Ferreira", "Doyle", "Achebe"]
    questions = case_questions(framework)
    answers = 0
    cases = []
    for index in range(50):
        court = index < 31
        case = Case.objects.create(
            inspection=inspection,
            organisation=organisation,
            reference=f"{'C' if court else 'O'}-{index + 1:02d}",
            sample_type="court_disposal" if court else "out_of_court",
            subject_kind="child",
            subject_name=f"{firsts[index % 9]} {lasts[index % 7]}",
            gender=rng.choice(["male", "male", "female"]),
            ethnicity=rng.choice(["white", "black", "asian", "mixed"]),
            date_of_birth=date(2002, 1 + index % 12, 1 + index % 28),
            risk_of_serious_harm=rng.choice(["low", "medium", "high"]),
            safety_and_wellbeing=rng.choice(["low", "medium", "high"]),
            case_manager=f"{firsts[(index + 4) % 9]} Whitlock",
            inspector=inspector,
        )
        LinkedChild.objects.create(
            case=case, name=f"{firsts[(index + 2) % 9]} {lasts[index % 7]}", relationship="sibling"
        )
        inputs = []
        for question in applicable_questions(case, questions):
            value = rng.choices(["yes", "no", "na"], weights=[7, 3, 1])[0]
            note = (
                f"{case.reference} {question.code}: evidence." if question.parent_id is None else ""
            )
            if question.parent_id is not None and value == "no":
                note = "Not done."
            inputs.append(AnswerInput(question=question, value=value, note=note))
        answers_record(case=case, answers=inputs, actor=inspector)
        case_submit(case=case, actor=inspector)
        answers += len(inputs)
        cases.append(case)

    for code, rating in {"1.1": "Good", "1.2": "Requires improvement", "1.3": "Good",
                         "1.4": "Good"}.items():  # fmt: skip
        organisation_rating_record(
            inspection=inspection,
            organisation=organisation,
            standard=Standard.objects.get(framework=framework, code=code),
            rating=rating,
            narrative=f"Standard {code}: {rating.lower()}.",
            evidence="Interviews.",
            actor=lead,
        )

    paragraph = (
        "Case managers have access to a wide range of relevant and up-to-date information to "
        "inform assessments. Information from the police is very detailed and provided in good "
        "time, and the views of parents and the child are gathered and used."
    )
    services.report_foreword_save(
        inspection=inspection, foreword="\n\n".join([paragraph] * 5), actor=lead
    )
    for domain in Domain.objects.filter(framework=framework):
        services.domain_findings_save(
            inspection=inspection,
            domain=domain,
            key_findings="\n".join(
                f"Key finding {i} about {domain.title.lower()}." for i in range(6)
            ),
            actor=lead,
        )
    for standard in Standard.objects.filter(framework=framework):
        services.standard_text_save(
            inspection=inspection,
            standard=standard,
            narrative="\n\n".join([paragraph] * 6),
            strengths="\n".join(f"Strength {i}." for i in range(4)),
            areas_for_improvement="\n".join(f"Area for improvement {i}." for i in range(4)),
            actor=lead,
        )
    for i, body in enumerate(["Benchtown YOS"] * 3 + ["The Director of Children's Services",
                                                      "The Youth Justice Board"]):  # fmt: skip
        services.recommendation_save(
            inspection=inspection, addressed_to=body, text=f"Recommendation {i + 1}.", actor=lead
        )
    for label, value in [("First-time entrant rate per 100,000", "554"), ("Reoffending", "47.3%")]:
        services.key_fact_save(
            inspection=inspection, label=label, value=value, comparison="", source="", actor=lead
        )
    for case in cases[:4]:
        services.practice_example_save(
            inspection=inspection,
            case=case,
            standard=Standard.objects.get(framework=framework, code="2.3"),
            title=f"Working with {case.subject_name.split()[0]}",
            quote=f"{case.subject_name} called his YOS officer to say he did not feel safe.",
            actor=lead,
        )
    return inspection, len(cases), answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the last PDF here")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from pypdf import PdfReader

    setup_test_environment()
    if connection.vendor != "sqlite":
        # A database of its own, so that it never clobbers a test run's.
        connection.settings_dict["TEST"]["NAME"] = "test_bench_pdf"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from reports.writing.pdf import report_pdf

        started = time.perf_counter()
        inspection, cases, answers = build()
        print(
            f"data: 1 inspection, {cases} cases, {answers} answers, report text in every section "
            f"(built in {time.perf_counter() - started:.1f} s, {connection.vendor})"
        )
        times, cpu = [], []
        for run in range(1, args.runs + 1):
            started, started_cpu = time.perf_counter(), time.process_time()
            data, _ = report_pdf(inspection)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            pages = len(PdfReader(io.BytesIO(data)).pages)
            print(
                f"run {run}: {times[-1]:.2f} s (CPU {cpu[-1]:.2f} s; "
                f"{pages} pages, {len(data) / 1024:.0f} KB)"
            )
        print(
            f"median: {statistics.median(times):.2f} s (CPU {statistics.median(cpu):.2f} s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
        )
        if args.out:
            args.out.write_bytes(data)
            print(f"wrote {args.out}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
