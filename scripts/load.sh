#!/usr/bin/env bash
# The load test: simulated users (loadtest/locustfile.py) against a production-like server on this machine.
#
#   scripts/load.sh            (or: make load)   50 users for 5 minutes
#   LOAD_USERS=10 LOAD_MINUTES=1 scripts/load.sh  a quick run
#
# It installs the load tools if needed (pip's ".[dev,load]"), makes a fresh database (DATABASE_URL, by default
# adoption_load on the local PostgreSQL; only ever one this script made), migrates it and loads the demo region,
# registers an API client per demo LA, then starts gunicorn with the production settings (DJANGO_ENV=production,
# a random secret key, secure cookies, HSTS, two-factor sign-in off for the simulated staff) behind where a
# TLS-terminating proxy would be (SECURE_PROXY_SSL_HEADER: the simulated users send X-Forwarded-Proto: https)
# and a Celery worker on Redis (REDIS_URL), and runs locust headless. Locust's CSV statistics, the server's and
# the worker's logs and summary.json go to var/load/. It prints a JSON summary (requests, failures, throughput,
# median and 95th percentile per request group and overall), stops everything it started, and exits non-zero if
# any request failed (an error answer, or one the scenario did not expect).
#
# Settings (environment): LOAD_USERS (50), LOAD_MINUTES (5, may be a fraction), LOAD_SPAWN_RATE (users started
# a second, 2: signing in is deliberately slow), LOAD_WEB_WORKERS (gunicorn workers, 3), LOAD_CELERY_CONCURRENCY
# (2), DATABASE_URL, REDIS_URL (redis://127.0.0.1:6379/0), LOAD_HOST_PORT (a free port on 127.0.0.1 if not given).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN="$ROOT/.venv/bin"
OUT="$ROOT/var/load"

LOAD_USERS=${LOAD_USERS:-50}
LOAD_MINUTES=${LOAD_MINUTES:-5}
LOAD_SPAWN_RATE=${LOAD_SPAWN_RATE:-2}
LOAD_WEB_WORKERS=${LOAD_WEB_WORKERS:-3}
LOAD_CELERY_CONCURRENCY=${LOAD_CELERY_CONCURRENCY:-2}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/adoption_load}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

fail() { echo "load: $*" >&2; exit 2; }
is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
is_count "$LOAD_USERS" || fail "LOAD_USERS must be a whole number of users, at least 1 (got '$LOAD_USERS')."
is_count "$LOAD_SPAWN_RATE" || fail "LOAD_SPAWN_RATE must be a whole number, at least 1 (got '$LOAD_SPAWN_RATE')."
is_count "$LOAD_WEB_WORKERS" || fail "LOAD_WEB_WORKERS must be a whole number, at least 1 (got '$LOAD_WEB_WORKERS')."
is_count "$LOAD_CELERY_CONCURRENCY" || fail "LOAD_CELERY_CONCURRENCY must be a whole number, at least 1."
[[ $LOAD_MINUTES =~ ^([0-9]+([.][0-9]+)?|[.][0-9]+)$ ]] \
    || fail "LOAD_MINUTES must be a number of minutes (got '$LOAD_MINUTES')."
RUN_SECONDS=$(awk -v m="$LOAD_MINUTES" 'BEGIN { printf "%d", m * 60 }')
[ "$RUN_SECONDS" -ge 10 ] || fail "LOAD_MINUTES must give a run of at least 10 seconds."
[ -z "${LOAD_HOST_PORT:-}" ] || is_count "$LOAD_HOST_PORT" || fail "LOAD_HOST_PORT must be a port number."
[[ $DATABASE_URL == postgres://* || $DATABASE_URL == postgresql://* ]] || fail "DATABASE_URL must be a PostgreSQL URL."
[[ $REDIS_URL == redis://* ]] || fail "REDIS_URL must be a redis:// URL (the worker's broker)."

# --- tools -------------------------------------------------------------------------------------------------------
if [ ! -x "$BIN/python" ]; then
    PYTHON=$(command -v python3.11 || command -v python3)
    "$PYTHON" -m venv "$ROOT/.venv"
fi
if ! "$BIN/python" -c "import locust, gunicorn, celery" 2>/dev/null; then
    echo "load: installing the project with its dev and load tools"
    "$BIN/pip" install --quiet -e ".[dev,load]"
fi
if [ ! -f build/static/css/main.css ]; then
    echo "load: building the front end's assets"
    npm ci --no-audit --no-fund --loglevel=error
    node scripts/build-assets.mjs
fi

mkdir -p "$OUT"
rm -f "$OUT"/stats_*.csv "$OUT"/summary.json "$OUT"/*.log

# --- a fresh database ----------------------------------------------------------------------------------------------
export DATABASE_URL
"$BIN/python" - <<'PY'
"""Make the load test's database afresh. A database of that name that this script did not make is left alone."""
import os
import sys

import dj_database_url
import psycopg2
from psycopg2 import sql

MARK = "adoption case management: load test database, remade by scripts/load.sh"
config = dj_database_url.parse(os.environ["DATABASE_URL"])
name = config["NAME"]
connection = psycopg2.connect(
    dbname="postgres",
    user=config["USER"] or None,
    password=config["PASSWORD"] or None,
    host=config["HOST"] or None,
    port=config["PORT"] or None,
)
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    )
    found = cursor.fetchone()
    if found is not None and found[0] != MARK:
        sys.exit(
            f"load: the database {name!r} exists and was not made by the load test: it is left alone. "
            "Set DATABASE_URL to another database name."
        )
    if found is not None:
        cursor.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(MARK)))
print(f"load: made the database {name}")
PY

# --- production settings -------------------------------------------------------------------------------------------
export DJANGO_ENV=production
DJANGO_SECRET_KEY=$("$BIN/python" -c "import secrets; print(secrets.token_urlsafe(64))")
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export REDIS_URL
export SECURE_PROXY_SSL_HEADER=true  # the simulated users stand where the TLS-terminating proxy would
export REQUIRE_MFA=false             # simulated staff have no authenticator app
export STATIC_ROOT="$OUT/static"
export MEDIA_ROOT="$OUT/media"
export CELERY_QUEUE=adoption-load    # never take another instance's tasks from a shared Redis
export LOG_LEVEL=WARNING

echo "load: migrating and loading the demo region"
"$BIN/python" manage.py migrate --no-input >"$OUT/setup.log"
"$BIN/python" manage.py load_demo >>"$OUT/setup.log"
"$BIN/python" manage.py collectstatic --no-input >>"$OUT/setup.log" 2>&1 \
    || fail "collectstatic failed with the production settings: see $OUT/setup.log"

# An API client per demo LA, each with its own token (the simulated LA systems share them out).
LA_CODES=$(DJANGO_SETTINGS_MODULE=adoption.settings "$BIN/python" -c "import django; django.setup()
from adoption.demo import DEMO_LAS
print(' '.join(la.ons_code for la in DEMO_LAS))")
TOKENS=()
for code in $LA_CODES; do
    made=$("$BIN/python" manage.py create_api_client "$code" --name "Load test system ($code)" --days 1)
    TOKENS+=("$(tail -n 1 <<<"$made")")
done
LOAD_API_TOKENS=$(IFS=,; echo "${TOKENS[*]}")
export LOAD_API_TOKENS

# --- the server and the worker -------------------------------------------------------------------------------------
FREE_PORT='import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
PORT=${LOAD_HOST_PORT:-$("$BIN/python" -c "$FREE_PORT")}
HOST_URL="http://127.0.0.1:$PORT"
STARTED=()
stop_all() {
    for pid in "${STARTED[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${STARTED[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

"$BIN/celery" -A adoption worker --loglevel=INFO --concurrency="$LOAD_CELERY_CONCURRENCY" \
    --hostname "load-$$@%h" >"$OUT/worker.log" 2>&1 &
STARTED+=($!)
# gunicorn logs through the app's LOGGING (adoption/gunicorn_conf.py): the access lines on stdout, its own and the app's
# other lines on stderr.
"$BIN/gunicorn" adoption.wsgi --config python:adoption.gunicorn_conf --bind "127.0.0.1:$PORT" \
    --workers "$LOAD_WEB_WORKERS" >"$OUT/access.log" 2>"$OUT/server.log" &
STARTED+=($!)

for _ in $(seq 60); do
    if "$BIN/python" -c "import urllib.request; urllib.request.urlopen('$HOST_URL/health/', timeout=2)" 2>/dev/null \
        && grep -q "ready" "$OUT/worker.log"; then
        break
    fi
    sleep 1
done
"$BIN/python" -c "import urllib.request; urllib.request.urlopen('$HOST_URL/health/', timeout=2)" \
    || fail "the server did not answer on $HOST_URL (see $OUT/server.log)."
grep -q "ready" "$OUT/worker.log" || fail "the Celery worker did not start (see $OUT/worker.log)."

# --- the load ------------------------------------------------------------------------------------------------------
echo "load: $LOAD_USERS users for ${RUN_SECONDS}s against $HOST_URL ($LOAD_WEB_WORKERS web workers)"
set +e
PYTHONPATH="$ROOT" LOAD_SUMMARY="$OUT/summary.json" "$BIN/locust" -f loadtest/locustfile.py --headless \
    --users "$LOAD_USERS" --spawn-rate "$LOAD_SPAWN_RATE" --run-time "${RUN_SECONDS}s" --stop-timeout 30 \
    --host "$HOST_URL" --csv "$OUT/stats" --only-summary --loglevel WARNING
status=$?
set -e
echo "load: statistics in $OUT (stats_*.csv, summary.json; access.log, server.log, worker.log)"
if [ "$status" -ne 0 ]; then
    echo "load: FAILED (some requests failed or were not answered as expected: see the summary above)" >&2
fi
exit "$status"
