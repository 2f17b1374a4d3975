"""axe-core's WCAG 2.2 A and AA rules over every page of the product, in Chromium: zero violations.

Every URL pattern of the project (``tests/test_permission_matrix.py``'s walk) is either a page that answers HTML,
visited here, or named in :data:`NOT_HTML` with the reason it answers no page (a file, CSV, PDF, JSON, a button
that only posts, a redirect). A new URL pattern fails :func:`test_every_url_pattern_is_checked_or_answers_no_page`
until it is one or the other. Django's admin, which support staff use, is walked model by model
(:func:`test_the_admin_for_support_staff`), every model it registers.

The pages are seen in the states people meet them in:

* normal: filled with LA A's and its RAA's records (``tests/walk_records.py``), as a role the role matrix
  (``tests/test_role_matrix.py``'s ``ALLOWED``) lets use it; the home page as each of the nine roles; long jobs'
  pages while they run and when they fail; the refusal (403) and not found (404) pages;
* empty: every page without a record in its address, for an LA and RAA that have no records yet;
* error: every form, submitted empty (date boxes holding a date that does not exist), with its error summary;
* anonymous: signing in (its error, and locked out), two-factor set-up and verification (and their errors), the
  accessibility statement, the adopters' feedback form (no link, its errors, thanks, already answered), the not
  found, bad request and server error pages.

Each state is one test that walks all its pages in one browser and reports every page's violations at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, Response

import tests.test_role_matrix as role_matrix
from adoption.models import Job, Role
from tests.browser.axe import CONTEXT_OPTIONS, Violation, axe_violations, install, report
from tests.browser.conftest import PASSWORD, TIMEOUT_MS
from tests.test_permission_matrix import ROUTES, Route
from tests.walk_records import *  # noqa: F403  (the records the walk fills in, and the nine users)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The role a page is seen as: the first in this order that the role matrix lets use it, so the children's pages are
# seen by a social worker, households by an assessing social worker, panels by the panel adviser, support by the
# support social worker, reports by the ADM, records keeping by a manager and API clients by an administrator.
ROLE_ORDER = (
    Role.SOCIAL_WORKER,
    Role.FAMILY_FINDER,
    Role.ASSESSING_SOCIAL_WORKER,
    Role.PANEL_ADVISER,
    Role.SUPPORT_SOCIAL_WORKER,
    Role.ADM,
    Role.MANAGER,
    Role.ADMINISTRATOR,
    Role.PANEL_MEMBER,
)

# Pages seen without a role: before signing in, public, or opened from a link by someone without an account.
ANONYMOUS_PAGES = {"sign-in", "mfa-setup", "mfa-verify", "accessibility", "panels:feedback-form"}

FILE = "answers a file to download, not a page"
CSV = "answers CSV, not a page"
PDF = "answers a PDF, not a page"
POST_ONLY = "a button that only posts (405 to GET) and then redirects to a page that is checked"
REDIRECT = "only redirects to a page that is checked"

# URL names (or, for unnamed patterns, routes) that answer no HTML page, and why. The walk checks each named one
# really does not answer a 200 HTML page to the role that may use it.
NOT_HTML: dict[str, str] = {
    "favicon.ico": "redirects to the icon file",
    "health": "answers JSON for the load balancer",
    "api-schema": "answers the OpenAPI schema (YAML)",
    "sign-out": POST_ONLY,
    "session-extend": "a button that only posts, answered with JSON by the session time-out script",
    "job-download": FILE,
    "children:export": CSV,
    "adopters:export": CSV,
    "panels:paper": PDF,
    "panels:pack-download": PDF,
    "panels:confirm": POST_ONLY,
    "panels:item-move": POST_ONLY,
    "panels:item-remove": POST_ONLY,
    "panels:pack-build": POST_ONLY,
    "panels:feedback-link": "exchanges the emailed token for a session and redirects to the feedback form",
    "support:life-story-schedule-book": REDIRECT,
    "support:life-story-schedule-letter": REDIRECT,
    "reporting:scorecard-pdf": POST_ONLY,
    "reporting:return-xlsx": FILE,
    "reporting:return-children-csv": CSV,
    "reporting:return-families-csv": CSV,
    "reporting:return-pdf": PDF,
}
NOT_HTML_PREFIXES: dict[str, str] = {
    "api/v1/": "the JSON API (its HTML documentation, api/docs/, is a page and is checked)",
}
# The admin's patterns that answer no page: a script, JSON for its selects, a redirect to the site, a button; and
# its unnamed pattern for a record's bare address, which redirects to the record's form.
ADMIN_NOT_HTML = {
    "admin:jsi18n": "answers JavaScript (the admin's translations)",
    "admin:autocomplete": "answers JSON for the admin's selects",
    "admin:view_on_site": REDIRECT,
    "admin:logout": POST_ONLY,
    "admin:otp_totp_totpdevice_qrcode": "answers the two-factor device's QR code as an image",
}


def _not_html(route: Route) -> str | None:
    if route.name in NOT_HTML or route.route in NOT_HTML:
        return NOT_HTML.get(route.name) or NOT_HTML[route.route]
    if route.name in ADMIN_NOT_HTML:
        return ADMIN_NOT_HTML[route.name]
    if route.route.startswith("admin/") and (route.name or ":").endswith(":"):  # unnamed: a bare record address
        return REDIRECT
    return next((why for prefix, why in NOT_HTML_PREFIXES.items() if route.route.startswith(prefix)), None)


ADMIN_PAGES = ("changelist", "add", "change", "history", "delete")


def _admin_walked() -> set[str]:
    """The admin's URL names :func:`test_the_admin_for_support_staff` visits (a model's add and delete pages where
    the admin allows them; where it does not, they answer the refusal page, checked with the others)."""
    from django.contrib import admin

    walked = {"admin:index", "admin:login", "admin:password_change", "admin:password_change_done", "admin:app_list"}
    walked |= {"admin:auth_user_password_change", "admin:otp_totp_totpdevice_config"}
    for model in admin.site._registry:
        walked |= {f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}" for page in ADMIN_PAGES}
    return walked


# The pages walked as a role. A page the role matrix does not list yet fails the test above (and the role matrix).
PAGES = [r for r in ROUTES if _not_html(r) is None and r.name not in ANONYMOUS_PAGES and r.name in role_matrix.ALLOWED]
NO_PAGES = [
    r
    for r in ROUTES
    if _not_html(r) is not None
    and not r.route.startswith((*NOT_HTML_PREFIXES, "admin/"))  # the admin's are not a role's to ask for
]


def role_for(route: Route) -> Role:
    allowed = role_matrix.ALLOWED[route.name]
    return next(role for role in ROLE_ORDER if role in allowed)


def test_every_url_pattern_is_checked_or_answers_no_page():
    """A new page fails here until it is walked (a role page in the role matrix, or an anonymous page) or is
    named as answering no page."""
    names = {r.name for r in ROUTES} | {r.route for r in ROUTES}
    assert set(NOT_HTML) <= names, f"exempted but no longer a URL pattern: {sorted(set(NOT_HTML) - names)}"
    assert names >= ANONYMOUS_PAGES, f"no longer a URL pattern: {sorted(ANONYMOUS_PAGES - names)}"
    walked = {r.name for r in PAGES} | ANONYMOUS_PAGES | _admin_walked()
    unchecked = [f"{r.route} ({r.name})" for r in ROUTES if _not_html(r) is None and r.name not in walked]
    assert unchecked == [], f"pages neither checked with axe nor exempted as answering no page: {unchecked}"
    assert len(PAGES) >= 150  # guards the walk itself


# --- reflow -------------------------------------------------------------------------------------------------------

REFLOW_WIDTH = 320  # CSS pixels: a window 1280 pixels wide zoomed to 400% (WCAG 2.2, 1.4.10 Reflow)
# What sticks out of the page sideways at that width, other than inside a box that scrolls on its own (a table's:
# static/js/tables.mjs; data tables are the exception 1.4.10 allows).
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const inBox = el => !!el.closest('.app-table-box, .app-table-scroll');
  return [...document.body.querySelectorAll('*')]
    .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > width + 1 && !inBox(el); })
    .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1)
    .slice(0, 5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/)[0] : '')
      + ' "' + (el.textContent || '').trim().slice(0, 40) + '"');
}"""


def reflow_problems(page: Page) -> list[str]:
    """The page at 320 CSS pixels wide: what makes it scroll sideways (nothing, for a page that reflows)."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 900})
    try:
        page.wait_for_function(f"() => document.documentElement.clientWidth <= {REFLOW_WIDTH}")
        sticking_out = page.evaluate(STICKING_OUT)
    finally:
        if size:
            page.set_viewport_size(size)
    return [f"sticks out sideways: {', '.join(sticking_out)}"] if sticking_out else []


# --- driving the browser ------------------------------------------------------------------------------------------


@dataclass
class Walk:
    """Every page seen in one state, and every problem found on them."""

    browser: Browser
    base_url: str
    violations: list[Violation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # console errors, uncaught exceptions, wrong answers
    seen: list[str] = field(default_factory=list)
    contexts: dict[Any, BrowserContext] = field(default_factory=dict)

    def context(self, key: Any) -> BrowserContext:
        """A browser context (its own cookies) for ``key``: a role, or anything else that needs its own session."""
        if key not in self.contexts:
            context = self.browser.new_context(
                base_url=self.base_url, locale="en-GB", viewport={"width": 1280, "height": 900}, **CONTEXT_OPTIONS
            )
            context.set_default_timeout(TIMEOUT_MS)
            install(context)
            self.contexts[key] = context
        return self.contexts[key]

    def page(self, key: Any) -> Page:
        context = self.context(key)
        if context.pages:
            return context.pages[0]
        page = context.new_page()
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))
        return page

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        # The browser logs a 4xx answer to the page itself (a form's errors, a refusal, not found) as an error;
        # the walk checks the page's status itself. Anything else logged as an error is a problem.
        if message.type != "error" or message.location.get("url") == page.url:
            return
        self.problems.append(f"{page.url}: console {message.text}")

    def sign_in(self, user, then: str = "") -> Page:
        """Sign ``user`` in through the form, in their own context, and wait for the page after it (or for an
        address containing ``then``)."""
        page = self.page(user.username)
        page.goto("/sign-in/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: then in url if then else "/sign-in/" not in url)
        return page

    def open(self, page: Page, url: str, expect_status: int = 200) -> Response | None:
        response = page.goto(url)
        status = response.status if response else None
        if status != expect_status:
            self.problems.append(f"{url}: answered {status}, not {expect_status}")
            return None
        content_type = response.headers.get("content-type", "") if response else ""
        if not content_type.startswith("text/html"):
            self.problems.append(f"{url}: answered {content_type}, not a page")
            return None
        return response

    def check(self, page: Page, where: str) -> None:
        """Run axe on the page as it is now; then see it reflow at 320 CSS pixels wide."""
        self.seen.append(where)
        self.violations.extend(axe_violations(page, where))
        self.problems.extend(f"{where}: at {REFLOW_WIDTH}px, {problem}" for problem in reflow_problems(page))

    def visit(self, page: Page, url: str, where: str, expect_status: int = 200) -> bool:
        if self.open(page, url, expect_status) is None:
            return False
        self.check(page, where)
        return True

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)
        assert self.violations == [], report(self.violations)


@pytest.fixture
def walk(browser: Browser, live_server) -> Iterator[Walk]:
    walk = Walk(browser, live_server.url)
    yield walk
    walk.close()


def _url(route: Route, request) -> str:
    values: dict[str, object] = {}
    for parameter in route.parameters:
        if parameter in role_matrix.LITERALS:
            values[parameter] = role_matrix.LITERALS[parameter]
        else:
            values[parameter] = request.getfixturevalue(role_matrix._record_for(route, parameter)).pk
    return route.url(values)


def _signed_in(walk: Walk, role_users, role: Role) -> Page:
    key = role_users[role].username
    if key in walk.contexts:
        return walk.page(key)
    return walk.sign_in(role_users[role])


# --- normal and error: with records ---------------------------------------------------------------------------

FIELDS = "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea"
BOXES = "input[type=text], input:not([type]), input[type=number], input[type=email], textarea"


def _form_with_fields(page: Page) -> Locator | None:
    """The page's first form that posts something a person fills in (not a button on its own), or None."""
    forms = page.locator("main form[method=post]")
    for index in range(forms.count()):
        form = forms.nth(index)
        if form.locator(FIELDS).count():
            return form
    return None


def _submit_empty(page: Page, form: Locator) -> bool:
    """Clear every box, put a date that does not exist (31 February) in the date boxes, send the form: whether the
    page came back with its error summary."""
    for box in form.locator(BOXES).all():
        box.fill("")
    for group in form.locator(".govuk-date-input").all():
        for box, value in zip(group.locator("input").all(), ("31", "2", "2024"), strict=False):
            box.fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit], button:not([type]), input[type=submit]").first.click()
    return page.locator(".govuk-error-summary").count() > 0


def _jobs_in_progress(request) -> list[tuple[str, Role]]:
    """Jobs of LA A and the RAA that are running, waiting or failed: the pages that show them, and who reads them."""
    la_a, raa = request.getfixturevalue("la_a"), request.getfixturevalue("raa")
    meeting = request.getfixturevalue("panel_meeting_raa")
    export = {"kind": Job.Kind.SSDA903_EXPORT, "organisation": la_a}
    running = Job.objects.create(**export, status=Job.Status.RUNNING, progress=40)
    failed = Job.objects.create(**export, status=Job.Status.FAILED, error="The worker stopped")
    checking = Job.objects.create(
        kind=Job.Kind.SSDA903_IMPORT,
        organisation=la_a,
        status=Job.Status.RUNNING,
        progress=30,
        params={"phase": "preview"},
    )
    Job.objects.create(
        kind=Job.Kind.QUARTERLY_RETURN,
        organisation=la_a,
        status=Job.Status.QUEUED,
        params={"organisation_id": la_a.pk, "year": 2025, "quarter": 2},
    )
    meeting.pack_job = Job.objects.create(
        kind=Job.Kind.AGENDA_PACK, organisation=raa, status=Job.Status.RUNNING, progress=50
    )
    meeting.save(update_fields=["pack_job"])
    return [
        (reverse("job-detail", args=[running.pk]), Role.SOCIAL_WORKER),
        (reverse("job-detail", args=[failed.pk]), Role.SOCIAL_WORKER),
        (reverse("ssda903:import-detail", args=[checking.pk]), Role.SOCIAL_WORKER),
        (reverse("reporting:returns"), Role.ADM),
        (reverse("panels:pack", args=[meeting.pk]), Role.PANEL_ADVISER),
    ]


def test_every_page_with_its_records_and_every_form_with_its_errors(walk: Walk, role_users, request):
    """Each page as a role that uses it, with LA A's and the RAA's records; then its form (if it has one to fill
    in) sent empty, with the error summary it answers. A form that accepts an empty answer has no error state; the
    answer is a page walked anyway. Each form is sent after its page was seen, so what it changed (a form that
    accepts nothing changed nothing; the few that accept an empty answer record an empty note or job) is the state
    the later pages are seen in."""
    errors = 0
    for route in PAGES:
        url = _url(route, request)
        role = role_for(route)
        page = _signed_in(walk, role_users, role)
        if not walk.visit(page, url, f"{url} as {role.label}"):
            continue
        form = _form_with_fields(page)
        if form is not None and _submit_empty(page, form):
            walk.check(page, f"{url} as {role.label}, sent empty: its errors")
            errors += 1
    for role in Role:  # the home page is each role's own
        walk.visit(_signed_in(walk, role_users, role), "/", f"/ as {role.label}")
    social_worker = _signed_in(walk, role_users, Role.SOCIAL_WORKER)
    # Long jobs while they run (their pages follow the progress) and when they fail.
    for url, role in _jobs_in_progress(request):
        walk.visit(_signed_in(walk, role_users, role), url, f"{url} as {role.label}, in progress or failed")
    walk.visit(social_worker, reverse("reporting:dashboard"), "the refusal page (403)", expect_status=403)
    walk.visit(social_worker, "/children/999999/", "the not found page (404), signed in", expect_status=404)
    # The exempted patterns really answer no page.
    for route in NO_PAGES:
        if route.name in ANONYMOUS_PAGES or route.name not in role_matrix.ALLOWED:
            continue
        url = _url(route, request)
        answer = _signed_in(walk, role_users, role_for(route)).request.get(url, max_redirects=0)
        if answer.status == 200 and answer.headers.get("content-type", "").startswith("text/html"):
            walk.problems.append(f"{url} ({route.name}) answers a page, but is exempted as: {_not_html(route)}")
    walk.assert_clean()
    assert len(walk.seen) == len(PAGES) + errors + len(Role) + 5 + 2
    assert errors >= len(PAGES) // 2, f"only {errors} forms answered an empty form with their errors"


# --- empty: an LA and RAA with no records yet ------------------------------------------------------------------


def test_every_list_page_empty(walk: Walk, role_users):
    """Every page without a record in its address (the lists, dashboards, reports and the forms that start a
    record), for an LA and its RAA that have nothing yet: only the nine users exist."""
    empty = [route for route in PAGES if not route.parameters]
    for route in empty:
        url = route.url({})
        role = role_for(route)
        walk.visit(_signed_in(walk, role_users, role), url, f"{url} as {role.label}, empty")
    walk.assert_clean()
    assert len(walk.seen) == len(empty) >= 40


# --- anonymous: before signing in, and public pages ----------------------------------------------------------


def _answering(answer: dict[str, Any]):
    """A route handler that answers every request with ``answer``."""
    return lambda route: route.fulfill(**answer)


def test_the_pages_without_an_account(walk: Walk, role_users, panel_item_raa, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from adoption import views
    from panels import feedback

    visitor = walk.page("visitor")
    walk.visit(visitor, "/sign-in/", "sign in")
    visitor.get_by_label("Username").fill("nobody")
    visitor.get_by_label("Password").fill("not the password")
    visitor.get_by_role("button", name="Sign in").click()
    visitor.locator(".govuk-error-summary").wait_for()
    walk.check(visitor, "sign in, with errors")
    locked = visitor.get_by_role("heading", name="Your account is locked")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):  # the attempt above was the first
        if locked.count():
            break
        visitor.get_by_label("Username").fill("nobody")
        visitor.get_by_label("Password").fill("still not the password")
        with visitor.expect_navigation():
            visitor.get_by_role("button", name="Sign in").click()
    locked.wait_for()
    walk.check(visitor, "sign in, locked out")
    walk.visit(visitor, "/accessibility/", "the accessibility statement")
    walk.visit(visitor, "/no-such-page/", "the not found page (404)", expect_status=404)
    # The bad request (400) and server error (500) pages, as Django's handlers render them.
    for status, handler in ((400, views.error_400), (500, views.error_500)):
        address = f"/an-address-that-fails-with-{status}/"
        made = RequestFactory().get(address)
        made.user = AnonymousUser()
        made.session = {}
        answer = handler(made, SuspiciousOperation()) if status == 400 else handler(made)
        html = answer.content.decode()
        answered = {"status": status, "body": html, "content_type": "text/html; charset=utf-8"}
        visitor.route(f"**{address}", _answering(answered))
        walk.visit(visitor, address, f"the error page ({status})", expect_status=status)

    # An adopter's feedback: no link yet, the form, its errors, thanks, and the link once answered.
    walk.visit(visitor, "/panels/feedback/", "feedback without a link (404)", expect_status=404)
    _record, token = feedback.feedback_invite(
        actor=role_users[Role.PANEL_ADVISER], item_id=panel_item_raa.pk, respondent="adopter"
    )
    adopter = walk.page("adopter")
    walk.open(adopter, f"/panels/feedback/{token}/")
    walk.check(adopter, "the feedback form")
    adopter.get_by_role("button", name="Send").click()
    adopter.locator(".govuk-error-summary").wait_for()
    walk.check(adopter, "the feedback form, with errors")
    adopter.locator(".govuk-radios__input").first.check()
    adopter.get_by_role("group", name="How relevant were the panel's questions?").locator("input").first.check()
    adopter.get_by_label("How many minutes after your arrival time did your item start?").fill("5")
    adopter.get_by_role("button", name="Send").click()
    walk.check(adopter, "feedback, thanks")
    walk.visit(adopter, f"/panels/feedback/{token}/", "feedback link already answered")

    # Two-factor sign-in: setting it up, then verifying a code.
    settings.REQUIRE_MFA = True
    new = walk.sign_in(role_users[Role.SOCIAL_WORKER], then=reverse("mfa-setup"))
    walk.check(new, "two-factor set-up")
    new.locator("input[name=token]").fill("12")
    new.get_by_role("button", name="Continue").click()
    new.locator(".govuk-error-summary").wait_for()
    walk.check(new, "two-factor set-up, with errors")
    enrolled = role_users[Role.MANAGER]
    TOTPDevice.objects.create(user=enrolled, name="Authenticator app", confirmed=True)
    returning = walk.sign_in(enrolled, then=reverse("mfa-verify"))
    walk.check(returning, "two-factor verification")
    returning.locator("input[name=token]").fill("000000")
    returning.get_by_role("button", name="Continue").click()
    returning.locator(".govuk-error-summary").wait_for()
    walk.check(returning, "two-factor verification, with errors")
    walk.assert_clean()


# --- a long job's page follows the job without reloading itself -----------------------------------------------


def test_a_running_jobs_page_shows_the_finish_without_reloading(walk: Walk, role_users, la_a):
    """The page of a running job used to reload itself every 3 seconds (a timed meta refresh: axe's meta-refresh,
    WCAG 2.2.1). It now asks for itself and swaps in what changed: the page is never reloaded, the new status is
    announced, and the asking stops once the job has finished."""
    job = Job.objects.create(kind=Job.Kind.SSDA903_EXPORT, organisation=la_a, status=Job.Status.RUNNING, progress=40)
    page = _signed_in(walk, role_users, Role.SOCIAL_WORKER)
    walk.visit(page, reverse("job-detail", args=[job.pk]), "a running job")
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads
    job.status, job.progress = Job.Status.SUCCEEDED, 100
    job.file.save("903.zip", ContentFile(b"PK test"), save=False)
    job.save()
    summary = page.locator(".govuk-summary-list")
    summary.get_by_text("Finished").wait_for(timeout=15_000)
    assert page.evaluate("() => window.sameDocument") is True
    assert page.get_by_role("status").last.text_content() == "Finished"
    assert page.get_by_role("link", name="Download the SSDA903 export").count() == 1
    assert page.locator('meta[name="app-refresh"]').count() == 1  # the old page's marker: the looking has stopped
    walk.check(page, "a job that finished while its page was open")
    walk.assert_clean()


# --- the admin, for support staff -------------------------------------------------------------------------------


def test_the_admin_for_support_staff(walk: Walk, role_users, la_a, job_a, api_client_record_a):
    """Django's admin, as a member of support staff uses it: its index, each app's and each model's list, the form
    to add one (where it may), a record's form, history and deletion page (where it may), and its own password
    pages; each with its records, and every form sent empty with its errors."""
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib import admin
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from adoption.models import User
    from reporting.models import EnglandFigure

    staff = User.objects.create_superuser(username="support.staff", password=PASSWORD, email="")
    # A record of every model the admin shows, for its pages to be seen with one.
    Group.objects.create(name="Service desk")
    device = TOTPDevice.objects.create(user=staff, name="Authenticator app", confirmed=True)
    attempt = {"username": "nobody", "ip_address": "192.0.2.1", "user_agent": "a browser", "path_info": "/sign-in/"}
    AccessAttempt.objects.create(**attempt, failures_since_start=1)
    AccessFailureLog.objects.create(**attempt)
    EnglandFigure.objects.get_or_create(
        measure="a1", period_end=date(2025, 3, 31), defaults={"value": Decimal("450"), "source": "Adoption scorecards"}
    )
    page = walk.page("support staff")
    walk.visit(page, "/admin/login/", "the admin's sign in")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    walk.check(page, "the admin's index")
    walk.visit(page, reverse("admin:password_change"), "the admin's password change")
    walk.visit(page, reverse("admin:password_change_done"), "the admin's password changed")
    walk.visit(page, reverse("admin:auth_user_password_change", args=[staff.pk]), "the admin's setting a password")
    walk.visit(page, reverse("admin:otp_totp_totpdevice_config", args=[device.pk]), "the admin's two-factor device")
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        walk.visit(page, reverse("admin:app_list", args=[app_label]), f"the admin's {app_label}")
    without_records: list[str] = []  # a model whose record's pages could not be seen: the walk would miss them
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        walk.visit(page, reverse(f"{name}_changelist"), f"the admin's {opts.label} list")
        record = model._default_manager.order_by("pk").first()
        may_add = model_admin.has_add_permission(_admin_request(staff))
        if may_add and walk.visit(page, reverse(f"{name}_add"), f"the admin's new {opts.label}"):
            _admin_submit(walk, page, f"the admin's new {opts.label}, sent empty")
        if record is None:
            without_records.append(opts.label)
            continue
        walk.visit(page, reverse(f"{name}_change", args=[record.pk]), f"the admin's {opts.label} {record.pk}")
        walk.visit(page, reverse(f"{name}_history", args=[record.pk]), f"the admin's {opts.label} history")
        if model_admin.has_delete_permission(_admin_request(staff), record):
            walk.visit(page, reverse(f"{name}_delete", args=[record.pk]), f"the admin's {opts.label} deletion")
    assert without_records == [], f"give these models a record in the walk's data: {without_records}"
    walk.assert_clean()


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _admin_submit(walk: Walk, page: Page, where: str) -> None:
    """Send the admin's form as it is (its required boxes empty) and check the page with its errors."""
    save = page.locator("input[type=submit][name=_save]")
    if not save.count():
        return
    with page.expect_navigation():
        save.first.click()
    if page.locator(".errornote").count():
        walk.check(page, where)
