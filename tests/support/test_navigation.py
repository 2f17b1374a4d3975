"""The Support link is shown to whoever works on an LA's adoption support, and to no one else."""

from __future__ import annotations

import pytest

from adoption.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _navigation(client, user) -> list[str]:
    client.force_login(user)
    return [item["text"] for item in client.get("/").context["navigation"]]


def test_support_is_in_the_navigation_of_support_workers_managers_and_administrators_only(
    client, la_a, raa, manager, social_worker_a
):
    spoke_worker = factories.staff(la_a, Role.SUPPORT_SOCIAL_WORKER, username="support.a")
    administrator = factories.staff(la_a, Role.ADMINISTRATOR, username="admin.a")
    assert "Support" in _navigation(client, spoke_worker)
    assert "Support" in _navigation(client, manager)  # the RAA's manager: every LA of the RAA
    assert "Support" in _navigation(client, administrator)
    assert "Support" not in _navigation(client, social_worker_a)
    assert client.get("/support/").status_code == 403
