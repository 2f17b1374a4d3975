"""Helpers for the sign-in, two-factor and session tests: signing in the way a person does."""

from __future__ import annotations

import pytest

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    """Post the sign-in form as the browser does."""
    return client.post("/sign-in/", {"username": username, "password": password}, **extra)


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.fixture
def password() -> str:
    return PASSWORD
