# Everything a newcomer needs. `make run` and `make test` do all set-up on a fresh machine.
#
#   make run     install, migrate, load the demo region (first time), serve on http://127.0.0.1:8000
#   make test    install and run the whole test suite (embedded PostgreSQL unless DATABASE_URL is set)
#   make lint    ruff (lint and format check) and mypy
#   make national  migrate and load synthetic England (the demo region and 27 more RAAs, 40,000 children) once
#   make worker  a Celery worker (needs REDIS_URL); make beat for the scheduler
#   make load    load test: 50 simulated users for 5 minutes against gunicorn with the production settings and a
#                Celery worker (PostgreSQL and Redis on 127.0.0.1; LOAD_USERS, LOAD_MINUTES, DATABASE_URL, REDIS_URL)
#   make bench   the benchmark on national data: DATABASE_URL (default: a local adoption_bench database,
#                made if missing), migrated and loaded with synthetic England once; JSON report in build/bench.json

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format worker beat load setup system-deps assets migrate demo national clean

setup: system-deps $(VENV)/.installed node_modules/.installed build/static/css/main.css

system-deps:
	@scripts/install-system-deps.sh

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build/static/css/main.css: node_modules/.installed scripts/build-assets.mjs $(wildcard static/scss/*.scss)
	node scripts/build-assets.mjs

assets: node_modules/.installed
	node scripts/build-assets.mjs

migrate: setup
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py load_demo --if-empty

# The demo region and every other English LA in RAAs, ten years of synthetic history (about 30 s; DATABASE_URL).
national: migrate
	$(BIN)/python manage.py load_demo --scale national --if-empty

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy adoption adopters children panels support reporting

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: setup
	$(BIN)/celery -A adoption worker --loglevel=INFO

beat: setup
	$(BIN)/celery -A adoption beat --loglevel=INFO --schedule var/celerybeat-schedule

load: setup
	scripts/load.sh

# The benchmark's database: DATABASE_URL when set, else adoption_bench on the local PostgreSQL (made here if missing;
# the national data is loaded only into an empty database). REDIS_URL, when set, adds the Celery worker's item.
BENCH_DATABASE_URL := postgres://postgres@127.0.0.1:5432/adoption_bench
define BENCH_CREATE_DATABASE
import os, dj_database_url, psycopg2
from psycopg2 import sql
config = dj_database_url.parse(os.environ["DATABASE_URL"])
kwargs = {key: config[big] or None for key, big in (("user", "USER"), ("password", "PASSWORD"), ("host", "HOST"), ("port", "PORT"))}
connection = psycopg2.connect(dbname="postgres", **kwargs)
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
    if cursor.fetchone() is None:
        print(f"bench: creating the database {config['NAME']}")
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
endef
export BENCH_CREATE_DATABASE

.PHONY: bench
bench: export DATABASE_URL := $(or $(DATABASE_URL),$(BENCH_DATABASE_URL))
bench: setup
	$(BIN)/python -c "$$BENCH_CREATE_DATABASE"
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo --scale national --if-empty
	$(BIN)/python manage.py bench --output build/bench.json

clean:
	rm -rf build node_modules $(VENV)
