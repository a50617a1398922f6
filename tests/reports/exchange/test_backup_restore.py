"""A backup is only as good as its restore: make data, back it up, restore it, compare.

Each database runs the restore that fits it:

* PostgreSQL (production): the nightly backup of docs/operations.md, `pg_dump -Fc` of the
  database, restored with `pg_restore` into a new, empty database, whose main tables are then
  counted and a sample answer read back, then dropped;
* SQLite: the per-inspection backup, `manage.py export_inspection REF OUT.json`, then the
  inspection is deleted, imported again with `manage.py import_inspection OUT.json`, and
  compared with what was there.

The data is made through the services: cases with their files, scored and submitted, one
quality-assured, the lead's organisation ratings and report text.
"""

import json
import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from casefiles.models import Case, LinkedChild, Order
from inspection.models import Inspection, Membership
from judgements.models import Answer, AuditEvent, ModerationDecision, OrganisationRating
from judgements.services import organisation_rating_record
from reports.models import Report
from reports.writing import services as report_services
from tests.reports.test_retention import build

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")

# The main tables, as (label, model) so both restores can count them.
TABLES = [
    ("inspections", Inspection),
    ("team", Membership),
    ("cases", Case),
    ("linked children", LinkedChild),
    ("orders", Order),
    ("answers", Answer),
    ("moderation", ModerationDecision),
    ("organisation ratings", OrganisationRating),
    ("audit events", AuditEvent),
    ("reports", Report),
]



@pytest.fixture
def data(inspection, organisation, people):
    build(inspection, people, cases=3)
    organisation_rating_record(
        inspection=inspection,
        organisation=organisation,
        standard=inspection.framework.standards.get(code="1.1"),
        rating="Good",
        narrative="Leadership is clear.",
        evidence="Interviews with the management board.",
        actor=people.lead,
    )
    report_services.report_foreword_save(
        inspection=inspection, foreword="Our inspection of the service.", actor=people.lead
    )
    return inspection


def sample_answer(inspection) -> dict:
    """One answer with a No and its note, named the way people name it, not by database key."""
    answer = (
        Answer.objects.filter(case__inspection=inspection, value="no")
        .select_related("case", "question", "answered_by")
        .order_by("case__reference", "question__position")
        .first()
    )
    return {
        "case": str(answer.case.public_id),
        "question": answer.question.code,
        "value": answer.value,
        "note": answer.note,
        "version": answer.version,
        "answered_by": answer.answered_by.username,
    }


def ratings(reference) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("inspection_ratings", reference, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db(transaction=True)  # pg_dump must see the data: it is committed
def test_a_backup_restores_to_the_same_data(data, tmp_path):
    counts = {label: model.objects.count() for label, model in TABLES}
    assert counts["cases"] == 3 and counts["answers"] > 100 and counts["moderation"] == 1
    sample = sample_answer(data)
    if connection.vendor == "postgresql":
        restored_counts, restored_sample = pg_dump_and_restore(tmp_path, sample)
        assert restored_counts == counts
        assert restored_sample == sample
    else:
        before = ratings(data.reference)
        of_inspection = {label: count_of(model, data) for label, model in TABLES}
        export_delete_and_import(data, tmp_path)
        inspection = Inspection.objects.get(reference=data.reference)
        after = {label: count_of(model, inspection) for label, model in TABLES}
        # The import records every answer, decision and rating it brings in, in its own
        # audit rows: the trail is there, though not row for row the one it replaced.
        assert after.pop("audit events") > 0
        of_inspection.pop("audit events")
        assert after == of_inspection
        assert sample_answer(inspection) == sample
        assert ratings(data.reference) == before
        assert Report.objects.get(inspection=inspection).foreword == (
            "Our inspection of the service."
        )


def count_of(model, inspection) -> int:
    """Rows of one inspection (SQLite path: the other rows are not exported)."""
    paths = {
        Inspection: "pk",
        Membership: "inspection",
        Case: "inspection",
        LinkedChild: "case__inspection",
        Order: "case__inspection",
        Answer: "case__inspection",
        ModerationDecision: "case__inspection",
        OrganisationRating: "inspection",
        AuditEvent: "inspection",
        Report: "inspection",
    }
    value = inspection.pk if paths[model] == "pk" else inspection
    return model.objects.filter(**{paths[model]: value}).count()


def export_delete_and_import(inspection, tmp_path: Path) -> None:
    backup = tmp_path / f"{inspection.reference}.json"
    call_command("export_inspection", inspection.reference, str(backup))
    assert json.loads(backup.read_text())["inspection"]["reference"] == inspection.reference
    Inspection.objects.get(pk=inspection.pk).delete()
    assert not Case.objects.exists() and not Answer.objects.exists()
    call_command("import_inspection", str(backup))


# PostgreSQL: pg_dump -Fc, pg_restore into a new database -------------------------------------


@contextmanager
def scratch_database(env: dict):
    """A new, empty database with a name of its own, dropped afterwards whatever happens."""
    name = f"restore_check_{uuid.uuid4().hex[:12]}"
    run(["createdb", name], env)
    try:
        yield name
    finally:
        run(["dropdb", "--if-exists", name], env)


def run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert result.returncode == 0, f"{' '.join(args)}: {result.stderr}"


def pg_dump_and_restore(tmp_path: Path, sample: dict):
    for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        assert shutil.which(tool), f"{tool} is needed to test the backup (postgresql-client)"
    settings = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": settings["HOST"] or "127.0.0.1",
        "PGPORT": str(settings["PORT"] or 5432),
        "PGUSER": settings["USER"] or "postgres",
    }
    if settings["PASSWORD"]:
        env["PGPASSWORD"] = settings["PASSWORD"]
    backup = tmp_path / "nightly.dump"
    run(["pg_dump", "--format=custom", "--file", str(backup), settings["NAME"]], env)
    assert backup.stat().st_size > 0
    with scratch_database(env) as restored:
        run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, str(backup)], env)
        import psycopg2

        db = psycopg2.connect(
            host=env["PGHOST"],
            port=env["PGPORT"],
            user=env["PGUSER"],
            password=settings["PASSWORD"] or None,
            dbname=restored,
        )
        try:
            with db.cursor() as cursor:
                counts = {}
                for label, model in TABLES:
                    table = model._meta.db_table  # names from the models, not from input
                    cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
                    counts[label] = cursor.fetchone()[0]
                cursor.execute(
                    """
                    SELECT a.value, a.note, a.version, u.username
                    FROM judgements_answer a
                    JOIN casefiles_case c ON c.id = a.case_id
                    JOIN inspection_question q ON q.id = a.question_id
                    JOIN inspection_user u ON u.id = a.answered_by_id
                    JOIN inspection_inspection i ON i.id = c.inspection_id
                    WHERE c.public_id = %s AND q.code = %s AND q.framework_id = i.framework_id
                    """,
                    [sample["case"], sample["question"]],
                )
                value, note, version, username = cursor.fetchone()
        finally:
            db.close()  # before dropdb: a database cannot be dropped while in use
    restored_sample = {
        "case": sample["case"],
        "question": sample["question"],
        "value": value,
        "note": note,
        "version": version,
        "answered_by": username,
    }
    return counts, restored_sample
