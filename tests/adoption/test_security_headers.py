"""Browser protections on every response, and production settings that refuse to be insecure."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

MANAGE = str(settings.BASE_DIR / "manage.py")


@pytest.fixture
def signed_in(client, social_worker_a):
    client.force_login(social_worker_a)
    return client


def _directives(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("path", ["/sign-in/", "/", "/children/", "/accessibility/", "/no-such-page/"])
def test_pages_carry_the_browser_protections(signed_in, path):
    response = signed_in.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"

    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    directives = _directives(csp)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["style-src"] == ["'self'"]
    # Scripts from this origin, and inline scripts only with this response's nonce (added when
    # the page has one; a redirect has none).
    assert directives["script-src"][0] == "'self'"
    assert all(v.startswith("'nonce-") for v in directives["script-src"][1:])
    if response.status_code != 302:
        assert len(directives["script-src"]) == 2


def test_the_inline_script_carries_this_responses_nonce(client):
    first, second = client.get("/sign-in/"), client.get("/sign-in/")
    nonces = []
    for response in (first, second):
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
        assert scripts, "the page has an inline script"
        assert all(f'nonce="{nonce}"' in attributes for attributes in scripts)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]  # a fresh nonce per response


def test_api_responses_carry_the_protections_too(client, api_client_a):
    _, token = api_client_a
    response = client.get("/api/v1/children/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_https_responses_carry_hsts_for_at_least_a_year(client):
    response = client.get("/sign-in/", secure=True)
    hsts = response["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts)[1])
    assert max_age >= 31_536_000
    assert "includeSubDomains" in hsts


def test_plain_http_responses_do_not_carry_hsts(client):
    # Browsers ignore HSTS over HTTP; sending it there would only mislead.
    assert "Strict-Transport-Security" not in client.get("/sign-in/")


def test_session_cookie_cannot_be_read_by_scripts(client, social_worker_a):
    client.post("/sign-in/", {"username": "sw.a", "password": "correct horse battery staple"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


# --- production settings ---------------------------------------------------------------------------


def _database_url() -> str:
    """The server these tests use (not the test database itself: the checks below never connect)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _production_env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "SESSION_", "REQUIRE_MFA"))}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="adoption.example.org",
        DATABASE_URL=_database_url(),
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_checks(db):
    assert len(_production_env()["DJANGO_SECRET_KEY"]) >= 60
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_host_bound(db):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.DEBUG, s.REQUIRE_MFA)"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=_production_env())
    assert result.returncode == 0, result.stderr
    session_name, csrf_name, *flags = result.stdout.splitlines()[-1].split()
    assert session_name.startswith("__Host-")
    assert csrf_name.startswith("__Host-")
    assert flags == ["True", "True", "True", "False", "True"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"DJANGO_SECRET_KEY": None},
        {"DJANGO_SECRET_KEY": "django-insecure-" + "x" * 60},
        {"DJANGO_SECRET_KEY": "short-but-random-Q7v"},
    ],
    ids=["missing", "insecure-default", "too-short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(db, overrides):
    result = _manage("check", env=_production_env(**overrides))
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_debug_on(db):
    result = _manage("check", env=_production_env(DJANGO_DEBUG="true"))
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "DJANGO_DEBUG must be off" in result.stderr
