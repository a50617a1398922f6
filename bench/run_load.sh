#!/usr/bin/env bash
# Load test on 127.0.0.1: a PostgreSQL database (DATABASE, `load_test` by default) with the
# demonstration data, every demonstration case scored and submitted, INSPECTORS load inspectors
# with a case of their own and MANAGERS load managers (bench/load_setup.py); with BENCHMARK=1
# also the national dataset of `manage.py seed_benchmark` (about 6 minutes to build); gunicorn
# as in production (DEBUG off, hashed static files) on 127.0.0.1:8765 with WORKERS workers;
# then locust (bench/locustfile.py): USERS people sign in (not measured), then MEASURE seconds
# are measured. Prints locust's statistics; the CSV files are left in bench/results/.
#
#   bench/run_load.sh                          # 100 users (80 inspectors, 20 managers), 60 s
#   BENCHMARK=1 DATABASE=load_national bench/run_load.sh     # with the national dataset
#   REUSE=1 DATABASE=load_national bench/run_load.sh         # the database as it was left
#   USERS=50 MEASURE=120 WORKERS=5 bench/run_load.sh
#   PORT=8766 bench/run_load.sh               # when 8765 is taken
#
# For a local load test only: it serves plain HTTP, so it turns the HTTPS redirect and
# secure cookies off (SECURE_SSL_REDIRECT=0, SECURE_COOKIES=0), which production never does.
# Signing in a hundred people at once does not trip the sign-in throttle or django-axes: both
# count failed attempts only (inspection/signin.py), so the run needs no setting for them.
set -euo pipefail
cd "$(dirname "$0")/.."

USERS="${USERS:-100}"
SPAWN_RATE="${SPAWN_RATE:-20}"
MEASURE="${MEASURE:-60}"
INSPECTORS="${INSPECTORS:-80}"
MANAGERS="${MANAGERS:-20}"
WORKERS="${WORKERS:-$((2 * $(nproc) + 1))}"
DATABASE="${DATABASE:-load_test}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
ADDRESS="127.0.0.1:${PORT:-8765}"
RESULTS="bench/results"

export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DATABASE}"
SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1 DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0
export SECURE_HSTS_SECONDS=0 LOG_LEVEL=WARNING STATIC_MANIFEST="${STATIC_MANIFEST:-1}"
# The workers share one cache, as on a production server (docs/operations.md): in a directory
# of its own for this run, so nothing drawn from another database is ever read.
export CACHE_BACKEND="${CACHE_BACKEND:-file}"
CACHE_DIR="$(mktemp -d)"
export CACHE_DIR
manage() { .venv/bin/python manage.py "$@"; }

if (exec 3<>"/dev/tcp/127.0.0.1/${ADDRESS##*:}") 2>/dev/null; then
  echo "Something is already listening on ${ADDRESS}: stop it or choose another PORT." >&2
  exit 1
fi

if [ "${REUSE:-0}" = 1 ] && psql -Atc "select 1" "$DATABASE" >/dev/null 2>&1; then
  echo "== database ${DATABASE} on ${PGHOST}:${PGPORT}, as it was left"
  manage migrate --no-input -v0
else
  echo "== database ${DATABASE} on ${PGHOST}:${PGPORT}"
  dropdb --if-exists "$DATABASE"
  createdb "$DATABASE"
  manage migrate --no-input -v0
  manage seed_demo >/dev/null
  if [ "${BENCHMARK:-0}" = 1 ]; then
    echo "== the national dataset (seed_benchmark)"
    manage seed_benchmark
  fi
  echo "== scoring the demonstration cases; ${INSPECTORS} load inspectors, ${MANAGERS} managers"
  INSPECTORS="$INSPECTORS" MANAGERS="$MANAGERS" .venv/bin/python bench/load_setup.py
fi

echo "== static files (hashed names: STATIC_MANIFEST=${STATIC_MANIFEST})"
if [ ! -f static/build/app.css ]; then npm ci --no-audit --no-fund --loglevel=error && npm run --silent build; fi
manage collectstatic --no-input -v0

echo "== gunicorn on ${ADDRESS} with ${WORKERS} workers"
mkdir -p "$RESULTS"
.venv/bin/gunicorn config.wsgi --workers "$WORKERS" --bind "$ADDRESS" \
  --access-logfile /dev/null --error-logfile "$RESULTS/gunicorn.log" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true; rm -rf "$CACHE_DIR"' EXIT
for _ in $(seq 1 60); do
  kill -0 "$GUNICORN" 2>/dev/null || { echo "gunicorn stopped: see $RESULTS/gunicorn.log" >&2; exit 1; }
  curl -fs -o /dev/null "http://${ADDRESS}/login/" && break
  sleep 0.5
done

echo "== locust: ${USERS} users signed in at ${SPAWN_RATE} a second, then ${MEASURE} s measured"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
.venv/bin/locust -f bench/locustfile.py --headless -u "$USERS" -r "$SPAWN_RATE" \
  --measure "$MEASURE" -t "$((MEASURE + 900))s" --host "http://${ADDRESS}" \
  --csv "$RESULTS/load" --only-summary --loglevel WARNING || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

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
