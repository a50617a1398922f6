"""Build a national dataset to measure the dashboards against.

    python manage.py seed_benchmark                      # 150 x 6 x 60: over two million answers
    python manage.py seed_benchmark --organisations 3 --inspections 2 --cases 5

Every organisation gets its own area (regions in turn) and a run of yearly service
inspections on one framework; every case in them answers every question that applies to its
sample type, key questions and prompts alike. Quality differs between organisations and drifts
over time, so ratings vary. About a third of cases hold a referral to children's social care,
some never answered or not followed up, for the referral tracker. Standards judged from
interviews and documents get a lead inspector's rating.

Like every writer of judgements, it records them in the audit trail as judgements.services
would: an "answer given" event per answer, a status change per case, and the rating and its
narrative per organisation-level rating, by the benchmark inspector.

Meant for a database of its own (DATABASE_URL=postgres://.../bench_national). On PostgreSQL
the answers go in with COPY; elsewhere with bulk_create. Everything it makes has a slug or
reference starting "bench-", and --replace removes an earlier run first.
"""

from __future__ import annotations

import io
import random
import time
from datetime import UTC, date, datetime, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from casefiles.models import Case, Referral
from inspection.models import Area, Framework, Inspection, Organisation, Question, Standard, User
from inspection.rating_rules import RATING_NAMES
from judgements.models import Answer, AuditEvent, OrganisationRating
from judgements.tallies import tallies_rebuild

PREFIX = "bench-"
REGIONS = [
    "East Midlands",
    "East of England",
    "Greater Manchester",
    "Kent, Surrey and Sussex",
    "London",
    "North East",
    "North West",
    "South Central",
    "South West",
    "Wales",
    "West Midlands",
    "Yorkshire and the Humber",
]
FIRST_NAMES = ["Jayden", "Amelia", "Tyler", "Chloe", "Kai", "Maisie", "Reece", "Leah", "Aisha"]
LAST_NAMES = ["Morgan", "Clarke", "Begum", "Walsh", "Osei", "Hughes", "Turner", "Ahmed", "Shaw"]
VALUE_LABELS = {"yes": "Yes", "no": "No", "na": "Not applicable"}
Action = AuditEvent.Action
FIRST_YEAR = 2016
COPY_CHUNK = 200_000
BATCH = 5_000


class Command(BaseCommand):
    help = "Build a large national dataset (organisations x inspections x cases) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=150)
        parser.add_argument("--inspections", type=int, default=6, help="per organisation")
        parser.add_argument("--cases", type=int, default=60, help="per inspection")
        parser.add_argument("--framework", default="youth-offending-services", help="slug")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--replace", action="store_true", help="remove an earlier benchmark dataset first"
        )

    def handle(self, *args, organisations, inspections, cases, framework, seed, replace, **opts):
        for name, value in (
            ("--organisations", organisations),
            ("--inspections", inspections),
            ("--cases", cases),
        ):
            if value < 1:
                raise CommandError(f"{name} must be at least 1")
        started = time.monotonic()
        call_command("load_frameworks", stdout=io.StringIO())
        chosen = (
            Framework.objects.filter(slug=framework, status="published")
            .order_by("-version")
            .first()
        )
        if chosen is None:
            raise CommandError(f"There is no framework called {framework!r}.")
        if Area.objects.filter(slug__startswith=PREFIX).exists():
            if not replace:
                raise CommandError(
                    "This database already holds a benchmark dataset. "
                    "Use --replace to build it again."
                )
            self.remove()
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, not security
        with transaction.atomic():
            counts = self.build(chosen, organisations, inspections, cases)
        if connection.vendor == "postgresql":
            # Leave the tables as the planner sees them in production: VACUUM sets the
            # visibility map (without it the covering index cannot answer index-only scans),
            # ANALYZE the statistics. VACUUM cannot run inside a transaction (a caller's, such
            # as a test's), where only the statistics can be brought up to date.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Benchmark dataset on {chosen}: {counts['organisations']} organisations, "
                f"{counts['inspections']} inspections, {counts['cases']} cases, "
                f"{counts['answers']} answers, {counts['referrals']} referrals "
                f"in {elapsed:.1f} s."
            )
        )
        self.stdout.write("benchmark-manager is a manager with no password, for force_login.")

    # ------------------------------------------------------------------ removing

    def remove(self) -> None:
        with transaction.atomic():
            Inspection.objects.filter(reference__startswith=PREFIX).delete()
            Organisation.objects.filter(slug__startswith=PREFIX).delete()
            Area.objects.filter(slug__startswith=PREFIX).delete()
        self.stdout.write("Removed the earlier benchmark dataset.")

    # ------------------------------------------------------------------ building

    def build(self, framework: Framework, n_orgs: int, n_inspections: int, n_cases: int) -> dict:
        rng = self.rng
        inspector, _ = User.objects.get_or_create(
            username="benchmark-inspector",
            defaults={"first_name": "Benchmark", "last_name": "Inspector"},
        )
        User.objects.get_or_create(
            username="benchmark-manager",
            defaults={"first_name": "Benchmark", "last_name": "Manager", "is_manager": True},
        )
        questions = list(
            Question.objects.filter(framework=framework).values_list(
                "id", "parent_id", "applies_to", "standard_id"
            )
        )
        self.codes = dict(Question.objects.filter(framework=framework).values_list("id", "code"))
        sample_types = list(framework.sample_types)
        applicable = {
            sample: [
                (qid, parent or qid) for qid, parent, applies, _s in questions if sample in applies
            ]
            for sample in sample_types
        }
        # Some questions are harder than others, the same everywhere.
        difficulty = {
            qid: rng.uniform(-0.2, 0.08) for qid, parent, _a, _s in questions if parent is None
        }
        organisation_standards = list(
            Standard.objects.filter(framework=framework, judged_by="organisation").values_list(
                "id", "code", "title"
            )
        )
        youth = any(s in ("court_disposal", "out_of_court") for s in sample_types)
        kinds = ["yos", "yot", "yjs"] if youth else ["probation_trust", "crc", "pdu"]

        areas = Area.objects.bulk_create(
            Area(
                slug=f"{PREFIX}area-{i:04d}",
                name=f"Benchmark area {i:04d}",
                police_force_area=f"Benchmark police {i % 40:02d}",
                region=REGIONS[i % len(REGIONS)],
            )
            for i in range(1, n_orgs + 1)
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(
                slug=f"{PREFIX}org-{i:04d}",
                name=f"Benchmark {kinds[i % len(kinds)].upper()} {i:04d}",
                kind=kinds[i % len(kinds)],
                area=area,
            )
            for i, area in enumerate(areas, start=1)
        )
        quality = {org.pk: rng.uniform(0.5, 0.92) for org in organisations}
        drift = {org.pk: rng.uniform(-0.03, 0.04) for org in organisations}

        inspection_rows = []
        for index, org in enumerate(organisations):
            for number in range(n_inspections):
                start = date(FIRST_YEAR + number, 1 + index % 12, 1 + index % 27)
                inspection_rows.append(
                    (
                        org,
                        number,
                        Inspection(
                            reference=f"{PREFIX}{org.slug[len(PREFIX) :]}-{number + 1}",
                            title=f"Inspection of {org.name} ({start.year})",
                            kind=Inspection.Kind.SERVICE,
                            status=Inspection.Status.PUBLISHED,
                            framework=framework,
                            fieldwork_start=start,
                            fieldwork_end=start + timedelta(days=11),
                        ),
                    )
                )
        Inspection.objects.bulk_create([row[2] for row in inspection_rows], batch_size=BATCH)
        Inspection.organisations.through.objects.bulk_create(
            [
                Inspection.organisations.through(inspection_id=insp.pk, organisation_id=org.pk)
                for org, _n, insp in inspection_rows
            ],
            batch_size=BATCH,
        )

        now = datetime.now(tz=UTC)
        cases: list[tuple[Case, float]] = []
        case_objects = []
        for org, number, inspection in inspection_rows:
            level = quality[org.pk] + drift[org.pk] * number
            for c in range(n_cases):
                sample = sample_types[0] if c < n_cases * 0.62 else sample_types[-1]
                roll = rng.random()
                status = (
                    Case.Status.AGREED
                    if roll < 0.9
                    else Case.Status.SUBMITTED
                    if roll < 0.97
                    else Case.Status.IN_PROGRESS
                )
                case = Case(
                    inspection=inspection,
                    organisation=org,
                    reference=f"C-{c + 1:03d}",
                    sample_type=sample,
                    subject_kind="child" if youth else "adult",
                    subject_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    gender=rng.choice(["male", "male", "female"]),
                    ethnicity=rng.choice(["white", "black", "asian", "mixed"]),
                    date_of_birth=date(inspection.fieldwork_start.year - rng.randint(12, 17), 6, 1)
                    if youth
                    else date(inspection.fieldwork_start.year - rng.randint(20, 50), 6, 1),
                    risk_of_serious_harm=rng.choice(["low", "medium", "medium", "high"]),
                    safety_and_wellbeing=rng.choice(["low", "medium", "high"]),
                    case_manager="Benchmark case manager",
                    status=status,
                    submitted_at=now if status != Case.Status.IN_PROGRESS else None,
                )
                case_objects.append(case)
                cases.append((case, level))
        Case.objects.bulk_create(case_objects, batch_size=BATCH)
        AuditEvent.objects.bulk_create(
            (
                AuditEvent(
                    inspection_id=case.inspection_id,
                    case=case,
                    actor=inspector,
                    at=now,
                    action=Action.STATUS_CHANGED,
                    subject="Case status",
                    old_value=Case.Status.NOT_STARTED.label,
                    new_value=Case.Status(case.status).label,
                )
                for case in case_objects
            ),
            batch_size=BATCH,
        )

        answers = self.answers(cases, applicable, difficulty, inspector.pk, now)
        referrals = self.referrals(cases)
        ratings, events = [], []
        for org, number, inspection in inspection_rows:
            for standard_id, code, title in organisation_standards:
                rating = OrganisationRating(
                    inspection=inspection,
                    organisation=org,
                    standard_id=standard_id,
                    rating=self.rating_for(quality[org.pk] + drift[org.pk] * number),
                    narrative="Benchmark rating.",
                    rated_by=inspector,
                    updated_at=now,
                )
                ratings.append(rating)
                subject = f"{code} {title} ({org.name})"
                for name in ("rating", "narrative"):
                    events.append(
                        AuditEvent(
                            inspection=inspection,
                            case=None,
                            actor=inspector,
                            at=now,
                            action=Action.ORG_RATING_CHANGED,
                            subject=f"{subject}: {name}",
                            new_value=getattr(rating, name),
                        )
                    )
        OrganisationRating.objects.bulk_create(ratings, batch_size=BATCH)
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)
        # The answers went in in bulk (COPY): count their tallies in the same transaction.
        tallies_rebuild(inspection_ids=[row[2].pk for row in inspection_rows])
        return {
            "organisations": len(organisations),
            "inspections": len(inspection_rows),
            "cases": len(case_objects),
            "answers": answers,
            "referrals": referrals,
        }

    def rating_for(self, level: float) -> str:
        score = level + self.rng.uniform(-0.15, 0.15)
        if score >= 0.85:
            return RATING_NAMES[0]
        if score >= 0.7:
            return RATING_NAMES[1]
        if score >= 0.55:
            return RATING_NAMES[2]
        return RATING_NAMES[3]

    def answers(self, cases, applicable, difficulty, user_id: int, now: datetime) -> int:
        """Every applicable question of every case: Yes, No or Not applicable, each with its
        "answer given" audit event."""
        rng = self.rng
        random_ = rng.random
        codes = self.codes
        copy = connection.vendor == "postgresql"
        stamp = now.isoformat()
        total = 0
        answers: list[str] = []
        events: list[str] = []
        answer_objects: list[Answer] = []
        event_objects: list[AuditEvent] = []
        for case, level in cases:
            for qid, key_qid in applicable[case.sample_type]:
                p_yes = min(0.98, max(0.05, level + difficulty[key_qid]))
                roll = random_()
                value = "na" if roll < 0.06 else "yes" if random_() < p_yes else "no"
                total += 1
                if copy:
                    answers.append(f"{case.pk}\t{qid}\t{value}\t\t\t1\t{user_id}\t{stamp}\n")
                    events.append(
                        f"{case.inspection_id}\t{case.pk}\t{user_id}\t{stamp}\t"
                        f"{Action.ANSWER_CREATED.value}\t{_copy_text(codes[qid])}\t\t"
                        f"{VALUE_LABELS[value]}\n"
                    )
                    if len(answers) >= COPY_CHUNK:
                        self.copy_rows(answers, events)
                        answers, events = [], []
                else:
                    answer_objects.append(
                        Answer(
                            case_id=case.pk,
                            question_id=qid,
                            value=value,
                            answered_by_id=user_id,
                            updated_at=now,
                        )
                    )
                    event_objects.append(
                        AuditEvent(
                            inspection_id=case.inspection_id,
                            case_id=case.pk,
                            actor_id=user_id,
                            at=now,
                            action=Action.ANSWER_CREATED,
                            subject=codes[qid],
                            new_value=VALUE_LABELS[value],
                        )
                    )
        if answers:
            self.copy_rows(answers, events)
        Answer.objects.bulk_create(answer_objects, batch_size=BATCH)
        AuditEvent.objects.bulk_create(event_objects, batch_size=BATCH)
        return total

    def copy_rows(self, answers: list[str], events: list[str]) -> None:
        """COPY a chunk of answers and their audit events (PostgreSQL)."""
        tables = (
            (
                Answer._meta.db_table,
                "case_id, question_id, value, note, evidence_source, version, answered_by_id, "
                "updated_at",
                answers,
            ),
            (
                AuditEvent._meta.db_table,
                "inspection_id, case_id, actor_id, at, action, subject, old_value, new_value",
                events,
            ),
        )
        with connection.cursor() as cursor:
            for table, columns, lines in tables:
                # The psycopg2 cursor under Django's wrapper does COPY.
                cursor.cursor.copy_expert(
                    f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN",
                    io.StringIO("".join(lines)),
                )

    def referrals(self, cases) -> int:
        rng = self.rng
        rows = []
        for case, level in cases:
            if rng.random() >= 0.35:
                continue
            fieldwork = case.inspection.fieldwork_start
            referred = fieldwork - timedelta(days=rng.randint(30, 240))
            answered = rng.random() < min(0.95, level + 0.05)
            response = referred + timedelta(days=rng.randint(0, 40)) if answered else None
            timely = None if response is None else (response - referred).days <= 10
            satisfactory = None if response is None else rng.random() < level
            needs_follow_up = response is not None and not (timely and satisfactory)
            followed = needs_follow_up and rng.random() < level
            rows.append(
                Referral(
                    case=case,
                    referral_date=referred,
                    method=rng.choice(["phone", "email", "form"]),
                    included_child_details=rng.random() < level,
                    described_risk=rng.random() < level,
                    stated_response_wanted=rng.random() < level,
                    response_date=response,
                    response_timely=timely,
                    response_satisfactory=satisfactory,
                    followed_up=followed,
                    escalated=needs_follow_up and not followed and rng.random() < 0.2,
                )
            )
        Referral.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)


def _copy_text(value: str) -> str:
    """A value in COPY's text format: backslash, tab and line ends escaped."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )
