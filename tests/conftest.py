"""Persona fixtures shared by every test: two LAs in one RAA, a third LA elsewhere, a VAA.

``la_a`` and ``la_b`` belong to ``raa``; ``la_other`` to another RAA. Persona names say who they
are: ``social_worker_a`` works for LA A only, ``family_finder`` for the RAA (so sees LA A and B).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import override_settings

from adoption.celery import app as celery_app
from adoption.models import Role
from tests import factories


@pytest.fixture(autouse=True)
def _fast_and_eager(settings):
    """Fast password hashing, tasks run in-process, and no two-factor unless a test asks for it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REQUIRE_MFA = False
    settings.MEDIA_ROOT = settings.BASE_DIR / "var" / "test-media"
    celery_app.conf.task_always_eager = True
    yield


@contextmanager
def rolled_back_after(django_db_blocker) -> Iterator[None]:
    """For a fixture wider than one test (a class's or a module's): what is written inside is shared by its tests
    and rolled back when they are done, with the fast hashing and media directory each test has."""
    per_test = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=django_settings.BASE_DIR / "var" / "test-media",
    )
    with per_test, django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def raa(db):
    return factories.RaaFactory(name="Heartlands Adoption")


@pytest.fixture
def la_a(raa):
    return factories.LaFactory(name="Ashby Borough", raa=raa)


@pytest.fixture
def la_b(raa):
    return factories.LaFactory(name="Brookfield County", raa=raa)


@pytest.fixture
def la_other(db):
    return factories.LaFactory(name="Coastal City", raa=factories.RaaFactory(name="Coast Adoption"))


@pytest.fixture
def vaa(db):
    return factories.VaaFactory(name="Family Futures VAA")


@pytest.fixture
def social_worker_a(la_a):
    return factories.staff(la_a, Role.SOCIAL_WORKER, username="sw.a")


@pytest.fixture
def social_worker_b(la_b):
    return factories.staff(la_b, Role.SOCIAL_WORKER, username="sw.b")


@pytest.fixture
def family_finder(raa):
    return factories.staff(raa, Role.FAMILY_FINDER, username="ff.raa")


@pytest.fixture
def assessing_social_worker(raa):
    return factories.staff(raa, Role.ASSESSING_SOCIAL_WORKER, username="asw.raa")


@pytest.fixture
def panel_adviser(raa):
    return factories.staff(raa, Role.PANEL_ADVISER, username="pa.raa")


@pytest.fixture
def adm(raa):
    return factories.staff(raa, Role.ADM, username="adm.raa")


@pytest.fixture
def manager(raa):
    return factories.staff(raa, Role.MANAGER, username="manager.raa")


@pytest.fixture
def manager_a(la_a):
    return factories.staff(la_a, Role.MANAGER, username="manager.a")


@pytest.fixture
def vaa_worker(vaa):
    return factories.staff(vaa, Role.ASSESSING_SOCIAL_WORKER, username="asw.vaa")


@pytest.fixture
def child_a(la_a):
    return factories.ChildFactory(responsible_la=la_a, first_name="Amelia", last_name="Ashdown")


@pytest.fixture
def child_b(la_b):
    return factories.ChildFactory(responsible_la=la_b, first_name="Bertie", last_name="Brookes")


@pytest.fixture
def api_client_a(la_a):
    """An LA A API client and its token: ``(client, token)``."""
    return factories.api_client_with_token(la_a, name="Ashby case system")


@pytest.fixture
def api_client_b(la_b):
    return factories.api_client_with_token(la_b, name="Brookfield case system")


@pytest.fixture
def panel_member_user(raa):
    """A member of the RAA's adoption panel who signs in: reads the panels, changes nothing."""
    return factories.staff(raa, Role.PANEL_MEMBER, username="pm.raa")


@pytest.fixture
def panel_adviser_other(la_other):
    """The panel adviser of another RAA (``la_other``'s)."""
    return factories.staff(la_other.raa, Role.PANEL_ADVISER, username="pa.other")


@pytest.fixture(scope="module")
def migration_data_reloaded_after_module(django_db_blocker) -> Iterator[None]:
    """For a module with transactional tests: put back, once it is done, the rows the migrations loaded (reference
    LAs, scorecard thresholds, content types), which those tests' flush removed, so the tests after it find them.
    Its transactional tests use ``serialized_rollback`` to have them while they run."""
    yield
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(contents)


def figures_committed() -> None:
    """What the test's transaction has written so far stands for transactions already committed, as the
    figures' cache sees it (``reporting.figure_versions``): the transaction's list of organisations whose changes it
    has logged, the triggers' only state between statements, is cleared as a commit clears it. Without it, a test
    (one transaction) would have every figure computed afresh and the cache never used."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('reporting.figures_logged', '', true)")
