#!/usr/bin/env bash
# Load test on 127.0.0.1: a fresh PostgreSQL database `load_test` with the demonstration data,
# every demonstration case scored and submitted, and one case of their own for each of
# INSPECTORS load inspectors; gunicorn as in production (DEBUG off, hashed static files)
# on 127.0.0.1:8765; then locust (bench/locustfile.py) with USERS users for DURATION.
# Prints locust's statistics; the CSV files are left in bench/results/.
#
#   bench/run_load.sh                      # 50 users, 10 a second, 60 s
#   USERS=20 DURATION=30s bench/run_load.sh
#   STATIC_MANIFEST=0 bench/run_load.sh   # static files copied without hashed names
#   PORT=8766 bench/run_load.sh           # when 8765 is taken
#
# For a local load test only: it serves plain HTTP, so it turns the HTTPS redirect and
# secure cookies off (SECURE_SSL_REDIRECT=0, SECURE_COOKIES=0), which production never does.
set -euo pipefail
cd "$(dirname "$0")/.."

USERS="${USERS:-50}"
SPAWN_RATE="${SPAWN_RATE:-10}"
DURATION="${DURATION:-60s}"
INSPECTORS="${INSPECTORS:-50}"
WORKERS="${WORKERS:-$((2 * $(nproc) + 1))}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
ADDRESS="127.0.0.1:${PORT:-8765}"
RESULTS="bench/results"

export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/load_test"
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1 DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0
export SECURE_HSTS_SECONDS=0 LOG_LEVEL=WARNING STATIC_MANIFEST="${STATIC_MANIFEST:-1}"
manage() { .venv/bin/python manage.py "$@"; }

if (exec 3<>"/dev/tcp/127.0.0.1/${ADDRESS##*:}") 2>/dev/null; then
  echo "Something is already listening on ${ADDRESS}: stop it or choose another PORT." >&2
  exit 1
fi

echo "== database load_test on ${PGHOST}:${PGPORT}"
dropdb --if-exists load_test
createdb load_test
manage migrate --no-input -v0
manage seed_demo >/dev/null

echo "== scoring the demonstration cases; ${INSPECTORS} load inspectors with a case each"
INSPECTORS="$INSPECTORS" manage shell -v0 <<'PYTHON'
import os

from casefiles.models import Case
from reports.management.commands.seed_demo import DEMO_PASSWORD
from inspection.models import Inspection, Membership, User
from judgements.rules import applicable_questions
from judgements.services import AnswerInput, answers_record, case_assign, case_submit

# Every demonstration case scored and submitted through the services, so the ratings page and
# the dashboards have answers to count (a No on about one key question in four).
for number, case in enumerate(Case.objects.select_related("inspection", "inspector")):
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

inspection = Inspection.objects.get(reference="yos-barking-dagenham-2018")
lead = User.objects.get(username="lead")
template = Case.objects.filter(inspection=inspection).order_by("reference").first()
for number in range(1, int(os.environ["INSPECTORS"]) + 1):
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
PYTHON

echo "== static files (hashed names: STATIC_MANIFEST=${STATIC_MANIFEST})"
if [ ! -f static/build/app.css ]; then npm ci --no-audit --no-fund --loglevel=error && npm run --silent build; fi
manage collectstatic --no-input -v0

echo "== gunicorn on ${ADDRESS} with ${WORKERS} workers"
mkdir -p "$RESULTS"
.venv/bin/gunicorn config.wsgi --workers "$WORKERS" --bind "$ADDRESS" \
  --access-logfile /dev/null --error-logfile "$RESULTS/gunicorn.log" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  kill -0 "$GUNICORN" 2>/dev/null || { echo "gunicorn stopped: see $RESULTS/gunicorn.log" >&2; exit 1; }
  curl -fs -o /dev/null "http://${ADDRESS}/login/" && break
  sleep 0.5
done

echo "== locust: ${USERS} users, ${SPAWN_RATE} a second, ${DURATION}"
.venv/bin/locust -f bench/locustfile.py --headless -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" \
  --host "http://${ADDRESS}" --csv "$RESULTS/load" --only-summary --loglevel WARNING || status=$?

kill "$GUNICORN"
wait "$GUNICORN" 2>/dev/null || true
trap - EXIT

echo "== results (${RESULTS}/load_stats.csv)"
.venv/bin/python - "$RESULTS/load_stats.csv" <<'PYTHON'
import csv
import sys

with open(sys.argv[1], newline="") as file:
    rows = list(csv.DictReader(file))
print(f"{'page':<48} {'requests':>8} {'failures':>8} {'median ms':>9} {'95% ms':>7} {'req/s':>6}")
for row in rows:
    name = row["Name"] if row["Name"] != "Aggregated" else "All requests"
    print(
        f"{(row['Type'] + ' ' + name).strip():<48} {row['Request Count']:>8} "
        f"{row['Failure Count']:>8} {row['Median Response Time']:>9} {row['95%']:>7} "
        f"{float(row['Requests/s']):>6.1f}"
    )
PYTHON
if [ -s "$RESULTS/load_failures.csv" ] && [ "$(wc -l <"$RESULTS/load_failures.csv")" -gt 1 ]; then
  echo "== failures"
  cat "$RESULTS/load_failures.csv"
fi
exit "${status:-0}"
