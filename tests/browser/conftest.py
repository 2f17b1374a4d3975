"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's ``live_server``.

Chromium is the system one (``/usr/bin/chromium``); Playwright never downloads a browser here.
The live server serves static files from ``STATICFILES_DIRS``, so ``build/static`` must have been
built (``node scripts/build-assets.mjs``) for the pages to be styled and for their scripts to run.

Every page records console errors, uncaught exceptions and failed requests; a test that leaves
any behind fails at teardown, so no browser test can pass on a page that is broken in the browser.

Playwright and Django's connections. Between its calls, Playwright's sync API leaves its event loop
marked as running in this thread, and while it is, Django hands out a *second* set of database
connections (asgiref keeps thread-critical locals per context when a loop runs). So:

* Playwright runs only for the length of one test (``browser`` is function-scoped). pytest-django
  sets up and flushes each test's database before and after, on the usual connection, which is
  the one that holds the serialised migration data that ``serialized_rollback`` reloads.
* The connections opened while Playwright ran are closed before it stops; left open they would
  keep the test database from being dropped at the end of the session.
* These tests use real transactions (the live server is another thread), so the database is
  flushed after each one, migration data (reference LAs, scorecard thresholds) included. Each
  test reloads it first (``serialized_rollback``), and it is reloaded once more when a module is
  done, so the tests that run after these still find it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API leaves its event loop marked as running in this thread, and Django refuses ORM calls
# from a thread with a running loop unless told it is safe (it is: the loop never runs our ORM code).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.keyboard import ACTIONS, Actions, Pointer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling Google's hosts, which this machine's network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module", autouse=True)
def _reload_migration_data_after_module(migration_data_reloaded_after_module) -> None:
    """Put back the rows the migrations loaded, which the last test's flush removed (tests/conftest.py)."""


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Chromium, for one test (see the module docstring for why not longer)."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (Debian package 'chromium').")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            connections.close_all()  # the connections opened while Playwright's loop ran
            browser.close()


class BrowserProblems:
    """What went wrong in the browser while a test drove it."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []

    def all(self) -> list[str]:
        return self.console_errors + self.page_errors + self.failed_requests


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def page(browser: Browser, live_server, browser_problems: BrowserProblems) -> Iterator[Page]:
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: message.type == "error" and browser_problems.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: browser_problems.page_errors.append(str(error)))
    # A request the page itself abandoned (navigating away while the favicon loads, say) is not a
    # failure; one the server refused shows up as an error response below.
    page.on(
        "requestfailed",
        lambda request: (
            request.failure != "net::ERR_ABORTED"
            and browser_problems.failed_requests.append(f"{request.url}: {request.failure}")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and browser_problems.failed_requests.append(f"{response.url}: HTTP {response.status}")
        ),
    )
    yield page
    context.close()
    assert browser_problems.all() == [], "the browser reported problems"


PASSWORD = "correct horse battery staple"  # every factory-made user's password


@pytest.fixture
def sign_in(page: Page):
    """``sign_in(user)`` signs ``user`` in through the form, as a person would, and waits for home; with
    ``act=``, the way ``act`` uses pages (the keyboard alone, say)."""

    def sign_in(user, password: str = PASSWORD, act: Actions | None = None) -> None:
        act = act or Pointer(page)
        page.goto("/sign-in/")
        act.fill(page.get_by_label("Username"), user.username)
        act.fill(page.get_by_label("Password"), password)
        act.click(page.get_by_role("button", name="Sign in"))
        page.wait_for_url(lambda url: "/sign-in/" not in url)

    return sign_in


@pytest.fixture(params=sorted(ACTIONS))
def act(request, page: Page) -> Actions:
    """The journey done with the pointer, then again with the keyboard alone (tests/browser/keyboard.py)."""
    return ACTIONS[request.param](page)
