"""Prepare a database for the load test (bench/run_load.sh runs this after seed_demo).

    INSPECTORS=80 MANAGERS=20 .venv/bin/python bench/load_setup.py

Every demonstration case is scored and submitted through judgements.services, so the ratings
page and the dashboards have answers to count (a No on about one key question in four). Then
INSPECTORS accounts load-inspector-01... join the 2018 service inspection's team, each with a
case of their own assigned to them, and MANAGERS accounts load-manager-01... are managers
(is_manager). Every account has the demonstration password.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from casefiles.models import Case  # noqa: E402
from inspection.models import Inspection, Membership, User  # noqa: E402
from judgements.rules import applicable_questions  # noqa: E402
from judgements.services import AnswerInput, answers_record, case_assign, case_submit  # noqa: E402
from reports.management.commands.seed_demo import DEMO_PASSWORD  # noqa: E402

INSPECTION = "yos-barking-dagenham-2018"


def main() -> None:
    inspectors = int(os.environ.get("INSPECTORS", "80"))
    managers = int(os.environ.get("MANAGERS", "20"))
    # The demonstration cases still to score (the published and thematic ones are scored).
    demo = (
        Case.objects.exclude(inspection__reference__startswith="bench-")
        .exclude(inspection__status=Inspection.Status.PUBLISHED)
        .filter(status__in=[Case.Status.NOT_STARTED, Case.Status.IN_PROGRESS])
    )
    for number, case in enumerate(demo.select_related("inspection", "inspector")):
        inputs = [
            AnswerInput(
                question=question,
                value="no" if question.is_key_question and (number + index) % 4 == 0 else "yes",
                note=f"Load test evidence for {question.code}.",
            )
            for index, question in enumerate(applicable_questions(case))
        ]
        answers_record(case=case, answers=inputs, actor=case.inspector)
        case_submit(case=case, actor=case.inspector)

    inspection = Inspection.objects.get(reference=INSPECTION)
    lead = User.objects.get(username="lead")
    template = Case.objects.filter(inspection=inspection).order_by("reference").first()
    for number in range(1, inspectors + 1):
        user = User.objects.create_user(
            f"load-inspector-{number:02d}",
            password=DEMO_PASSWORD,
            first_name="Load",
            last_name=f"Inspector {number:02d}",
        )
        Membership.objects.create(inspection=inspection, user=user, role=Membership.Role.INSPECTOR)
        case = Case.objects.create(
            inspection=inspection,
            organisation=template.organisation,
            reference=f"LD-{number:03d}",
            sample_type=template.sample_type,
            subject_kind=template.subject_kind,
            subject_name=f"Load Subject {number:02d}",
            gender=template.gender,
            ethnicity=template.ethnicity,
            date_of_birth=template.date_of_birth,
            risk_of_serious_harm=template.risk_of_serious_harm,
            safety_and_wellbeing=template.safety_and_wellbeing,
            case_manager=template.case_manager,
        )
        case_assign(case=case, inspector=user, actor=lead)
    for number in range(1, managers + 1):
        User.objects.create_user(
            f"load-manager-{number:02d}",
            password=DEMO_PASSWORD,
            first_name="Load",
            last_name=f"Manager {number:02d}",
            is_manager=True,
        )
    print(f"{inspectors} load inspectors with a case each, {managers} load managers")


if __name__ == "__main__":
    main()
