"""The project's promises about itself: pinned dependencies, the compose stack, the README's commands."""

from __future__ import annotations

import json
import re
import tomllib
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def test_every_dependency_is_pinned_to_one_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    unpinned = [r for r in requirements if not re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][A-Za-z0-9.]*", r)]
    assert unpinned == []


def test_django_is_the_52_lts():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(r.startswith("Django==5.2.") for r in project["dependencies"])


def test_compose_runs_the_five_services_with_health_checks_and_volumes():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert all("healthcheck" in service for service in services.values())
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "adoption", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "adoption", "beat"]
    assert {"pgdata", "media"} <= set(compose["volumes"])
    assert services["web"]["environment"]["DJANGO_ENV"] == "production"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text().splitlines()
    first_block = "\n".join(readme[:8])
    assert "make run" in first_block
    assert "make test" in first_block
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_no_sqlite_anywhere():
    sources = [
        p
        for app in ("adoption", "adopters", "children", "panels", "support", "reporting")
        for p in (ROOT / app).rglob("*.py")
    ]
    assert not [p for p in sources if "sqlite" in p.read_text().lower()]


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exit_:
        pytest.fail(f"A model change has no migration (exit {exit_.code}):\n{out.getvalue()}")


def test_the_production_static_files_collect_with_every_file_the_stylesheets_name(tmp_path, settings):
    """The production storage (WhiteNoise's manifest) refuses a stylesheet that names a file the build did not copy,
    which would stop the image from building; the development storage would not notice."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "css/main.css" in manifest["paths"]
    assert "govuk/assets/images/govuk-crest.svg" in manifest["paths"]
