"""The load scenario: the product's main users at work on the demo region, against a production-like server.

Run by ``scripts/load.sh`` (``make load``), which prepares the database, the server, the worker and the API tokens.
Four kinds of user, weighted as an RAA's working day is:

* **Social workers** of the five LAs browse their children, open a child's page and the children waiting, record a
  child's family-finding status and save a child's details through the pages' forms (with the CSRF token).
* **Family finders** search the children, open the children waiting and a child's suggested families, and look at
  the family-finding figures and the households waiting.
* **LA systems** (API clients, one token per LA) list their children, create children and record ADM decisions
  and their reversals with an ``Idempotency-Key`` (and check a retry is answered, not repeated), and pull their
  quarterly returns and the returns' files.
* **Managers** open the dashboard, the scorecard and the report runs, and ask for a quarterly return (a job run by
  the Celery worker), following it until it is made; how long that takes is reported as ``JOB quarterly return``.

Every request is reported under its route's template (``loadtest.routes``). A request fails when the answer is not
the one the scenario expects: any 4xx or 5xx it did not ask for, a redirect elsewhere (to sign in, say), a form
shown again with errors instead of its confirmation, or a job that fails.

The server sits where a TLS-terminating proxy would put it (``SECURE_PROXY_SSL_HEADER``): each request carries
``X-Forwarded-Proto: https``, and the simulated browsers send back the ``Secure`` ``__Host-`` cookies, and the
``Origin`` and ``Referer`` of the HTTPS address, as a browser on HTTPS would.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from collections.abc import Callable
from datetime import date
from http.cookiejar import DefaultCookiePolicy
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, between, events, task
from locust.stats import StatsEntry

from loadtest import answers, personas, routes
from loadtest.forms import page_form

CHILD_LINK = re.compile(r'href="/children/(\d+)/"[^>]*>([^<]+)<')
TAG = re.compile(r"<[^>]+>")
JOB_LINK = re.compile(r'href="/jobs/([0-9a-f-]{36})/"')
JOB_STATUS = re.compile(r'<strong class="govuk-tag[^"]*">\s*([^<]+?)\s*</strong>')
JOB_WAIT_SECONDS = float(os.environ.get("LOAD_JOB_WAIT_SECONDS", "180"))
# Children an LA system records decisions on, or a social worker saves the details of, are shared out by id between
# the users with the same token or login, so that no two change the same child at once; users beyond this many per
# token or login only read and create.
EVENT_SLOTS = 4


class BehindTlsProxy(DefaultCookiePolicy):
    """Send ``Secure`` cookies over the plain-HTTP hop to the server: a simulated browser stands for a browser and
    the TLS-terminating proxy together, and the browser would be on HTTPS."""

    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        return True


class _Refused(Exception):
    """The answer was not the one the scenario expected (the message says what came back)."""


class StaffUser(FastHttpUser):
    """A member of staff signed in to the pages (one session per simulated user).

    Redirects are not followed blindly: each answer must be the one the page gives (200, or after a form the
    redirect to where it goes on to), so a session that ended (a redirect to sign in) is a failure, not a page."""

    abstract = True
    wait_time = between(1, 5)
    default_headers = {"X-Forwarded-Proto": "https"}
    logins: ClassVar[tuple[str, ...]] = ()
    _counter: ClassVar[itertools.count]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._counter = itertools.count()

    def on_start(self) -> None:
        self.origin = "https://" + urlsplit(str(self.host)).netloc
        self.client.cookiejar.set_policy(BehindTlsProxy())
        self.number = next(self._counter)
        self.username = self.logins[self.number % len(self.logins)]
        self.sign_in()

    def sign_in(self) -> None:
        form = page_form(self.page(routes.SIGN_IN).text, routes.SIGN_IN.path())
        self.submit(
            routes.SIGN_IN,
            form.data(username=self.username, password=personas.DEMO_PASSWORD),
            then=routes.HOME,
            says="Sign out",
        )

    # --- requests --------------------------------------------------------------------------------------------

    def page(self, route: routes.Route, query: dict[str, Any] | None = None, **params: Any) -> Any:
        """GET a page; it must answer 200 itself (not redirect to sign in, or anywhere else)."""
        path = route.path(**params)
        address = f"{path}?{urlencode(query)}" if query else path
        with self.client.get(address, name=route.template, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"{response.status_code} for {address}{' to ' + where if where else ''}")
            return response

    def submit(self, route: routes.Route, data: dict[str, str], *, then: routes.Route, says: str, **params: Any) -> Any:
        """POST a page's form as a browser does (its CSRF token is among ``data``); it must redirect to ``then``
        (``params`` fill both addresses), whose page must say ``says``. A form shown again with its errors answers
        200 at its own address: a failure here, with the errors it shows."""
        path = route.path(**params)
        target = then.path(**{name: params[name] for name in then.parameters})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + path,
        }
        with self.client.post(
            path,
            data=urlencode(data),
            headers=headers,
            name=route.template,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            where = urlsplit(response.headers.get("Location", "")).path
            if response.status_code == 200:
                start = response.text.find("govuk-error-summary")
                errors = " ".join(TAG.sub(" ", response.text[start : start + 2000]).split())[:300] or "no message"
                response.failure(f"POST {path} showed the form again: {errors}")
                return response
            if response.status_code != 302 or where != target:
                response.failure(f"POST {path}: {response.status_code} to {where or 'nowhere'}, not to {target}")
                return response
        followed = self.page(then, **{name: params[name] for name in then.parameters})
        if followed.status_code == 200 and says not in followed.text:
            raise _Refused(f"{target} after POST {path} does not say {says!r}")
        return followed

    def children_on(self, response: Any) -> list[tuple[int, str]]:
        return [(int(child_id), name.strip()) for child_id, name in CHILD_LINK.findall(response.text)]


class SocialWorker(StaffUser):
    """An LA's child's social worker: their own LA's children only.

    Several simulated users sign in as each LA's social worker. The children whose details they save are shared
    out between them by id (as ``LaSystem`` shares its children), so that two of them never save the same child's
    form at the same moment: the page would rightly refuse the second as made on a stale copy."""

    weight = 5
    logins = personas.SOCIAL_WORKERS

    def on_start(self) -> None:
        super().on_start()
        self.slot = self.number // len(self.logins)
        self.children: list[int] = []
        self.waiting: list[int] = []
        self.browse()

    @task(4)
    def browse(self) -> None:
        query = random.choice(answers.CHILD_LIST_QUERIES)
        found = self.children_on(self.page(routes.CHILD_LIST, query))
        self.children = [child_id for child_id, _ in found] or self.children

    @task(4)
    def open_child(self) -> None:
        if self.children:
            self.page(routes.CHILD_DETAIL, child_id=random.choice(self.children))

    @task(2)
    def children_waiting(self) -> None:
        self.waiting = [child_id for child_id, _ in self.children_on(self.page(routes.CHILDREN_WAITING))]

    @task(1)
    def record_family_finding(self) -> None:
        if not self.waiting:
            return
        child_id = random.choice(self.waiting)
        path = routes.FAMILY_FINDING_STATUS.path(child_id=child_id)
        form = page_form(self.page(routes.FAMILY_FINDING_STATUS, child_id=child_id).text, path)
        data = form.data(
            **answers.family_finding(status=random.choice(answers.FAMILY_FINDING_STATUSES), on=date.today())
        )
        self.submit(
            routes.FAMILY_FINDING_STATUS,
            data,
            child_id=child_id,
            then=routes.CHILD_DETAIL,
            says="The family-finding status was recorded",
        )

    @task(1)
    def save_details(self) -> None:
        mine = [child_id for child_id in self.children if child_id % EVENT_SLOTS == self.slot]
        if not mine:
            return
        child_id = random.choice(mine)
        path = routes.CHILD_UPDATE.path(child_id=child_id)
        form = page_form(self.page(routes.CHILD_UPDATE, child_id=child_id).text, path)
        self.submit(
            routes.CHILD_UPDATE,
            form.data(),
            child_id=child_id,
            then=routes.CHILD_DETAIL,
            says="The child&#x27;s details were saved",
        )


class FamilyFinder(StaffUser):
    """The RAA's family finder: every LA of the RAA."""

    weight = 2
    logins = personas.FAMILY_FINDERS

    def on_start(self) -> None:
        super().on_start()
        self.surnames: list[str] = ["Smith"]
        self.waiting: list[int] = []
        self.children_waiting()

    @task(3)
    def search(self) -> None:
        found = self.children_on(self.page(routes.CHILD_LIST, {"q": random.choice(self.surnames)}))
        self.surnames = list({name.split()[-1] for _, name in found} | set(self.surnames))[:50]

    @task(2)
    def children_waiting(self) -> None:
        query = random.choice(answers.WAITING_QUERIES)
        found = self.children_on(self.page(routes.CHILDREN_WAITING, query))
        self.waiting = [child_id for child_id, _ in found] or self.waiting
        self.surnames = list({name.split()[-1] for _, name in found} | set(self.surnames))[:50]

    @task(3)
    def suggested_families(self) -> None:
        if self.waiting:
            self.page(routes.SUGGESTED_FAMILIES, child_id=random.choice(self.waiting))

    @task(1)
    def figures(self) -> None:
        self.page(routes.FAMILY_FINDING_FIGURES)

    @task(1)
    def households_waiting(self) -> None:
        self.page(routes.HOUSEHOLDS_WAITING)


class Manager(StaffUser):
    """A manager: the dashboard, the scorecard, report runs, and quarterly returns made by the worker. Managers
    read what they open (the dashboard's figures and charts) for longer than case workers between clicks."""

    weight = 1
    wait_time = between(5, 15)
    logins = personas.MANAGERS

    @task(3)
    def dashboard(self) -> None:
        self.page(routes.DASHBOARD)

    @task(1)
    def scorecard(self) -> None:
        self.page(routes.SCORECARD)

    @task(1)
    def report_runs(self) -> None:
        self.page(routes.REPORT_RUNS)

    @task(1)
    def ask_for_a_return(self) -> None:
        page = self.page(routes.RETURNS)
        form = page_form(page.text, routes.RETURNS.path())
        organisations = [value for value in form.options.get("organisation", []) if value]
        if not organisations:
            raise _Refused(f"{self.username} is offered no organisation to ask a return for")
        before = set(JOB_LINK.findall(page.text))
        asked = self.submit(
            routes.RETURNS,
            form.data(organisation=random.choice(organisations)),
            then=routes.RETURNS,
            says="is being made",
        )
        started = time.monotonic()
        new = [job for job in dict.fromkeys(JOB_LINK.findall(asked.text)) if job not in before]
        if new:
            self.follow_job(new[0], started)

    def follow_job(self, job_id: str, started: float) -> None:
        """Poll the job's page as its refresh does (every 3 seconds) until it is made; report how long it took."""
        status = ""
        while time.monotonic() - started < JOB_WAIT_SECONDS:
            found = JOB_STATUS.search(self.page(routes.JOB, job_id=job_id).text)
            status = found.group(1) if found else ""
            if status in ("Finished", "Failed"):
                break
            time.sleep(3)
        waited = (time.monotonic() - started) * 1000
        problem = None if status == "Finished" else _Refused(f"job {job_id}: {status or 'no status'}")
        events.request.fire(
            request_type="JOB",
            name="quarterly return",
            response_time=waited,
            response_length=0,
            exception=problem,
            context={},
        )


class LaSystem(FastHttpUser):
    """An LA's case management system on the API with its own token (one per LA, ``LOAD_API_TOKENS``)."""

    weight = 2
    wait_time = between(1, 5)
    _counter: ClassVar[itertools.count] = itertools.count()

    def on_start(self) -> None:
        tokens = [token for token in os.environ.get("LOAD_API_TOKENS", "").split(",") if token]
        if not tokens:
            raise RuntimeError("LOAD_API_TOKENS must list the API tokens (made by scripts/load.sh).")
        number = next(self._counter)
        self.slot = number // len(tokens)
        self.headers = {
            "Authorization": f"Bearer {tokens[number % len(tokens)]}",
            "X-Forwarded-Proto": "https",
            "Accept": "application/json",
        }
        self.children: dict[int, dict[str, Any]] = {}
        self.list_children()

    def call(
        self,
        method: str,
        route: routes.Route,
        expect: int = 200,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        key: str | None = None,
        check: Callable[[Any], str | None] | None = None,
        name: str | None = None,
        **params: Any,
    ) -> Any:
        """Call an operation; the answer must have the status ``expect`` and pass ``check`` (which names a fault)."""
        path = route.path(**params)
        address = f"{path}?{urlencode(query)}" if query else path
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        with self.client.request(
            method, address, name=name or route.template, json=body, headers=headers, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{method} {path}: {response.status_code} {(response.text or '')[:300]}")
            elif check and (fault := check(response)):
                response.failure(f"{method} {path}: {fault}")
            return response

    def mine(self, child_id: int) -> bool:
        return self.slot < EVENT_SLOTS and child_id % EVENT_SLOTS == self.slot

    @task(3)
    def list_children(self) -> None:
        listed = self.call("GET", routes.API_CHILDREN, query={"ordering": "id", "page_size": 200})
        if listed.status_code == 200:
            self.children = {row["id"]: row for row in listed.json()["results"] if self.mine(row["id"])}

    @task(2)
    def create_child(self) -> None:
        key = str(uuid.uuid4())
        born = date.fromordinal(date.today().toordinal() - random.randint(30, 3000))
        body = {
            "la_child_id": f"LOAD-{key[:18]}",
            "first_name": random.choice(["Ava", "Noah", "Isla", "Leo", "Maya", "Theo", "Zara", "Kai"]),
            "last_name": random.choice(["Hughes", "Patel", "Kowalski", "Okafor", "Evans", "Begum"]),
            "date_of_birth": born.isoformat(),
            "sex": random.choice(["M", "F"]),
            "ethnicity": random.choice(["WBRI", "MWBC", "AIND", "BAFR", "OOTH"]),
        }
        created = self.call("POST", routes.API_CHILDREN, 201, body=body, key=key)
        if created.status_code != 201:
            return
        child_id = created.json()["id"]
        if random.random() < 0.25:
            # A retry after a lost answer: the first answer again, marked as such, and no second child.
            def replayed(response: Any) -> str | None:
                if response.headers.get("Idempotent-Replayed") != "true":
                    return "the retry was not answered as a replay"
                if response.json().get("id") != child_id:
                    return f"the retry made child {response.json().get('id')}, not the first answer's {child_id}"
                return None

            self.call(
                "POST",
                routes.API_CHILDREN,
                201,
                body=body,
                key=key,
                check=replayed,
                name=f"{routes.API_CHILDREN.template} (retry)",
            )
        self.call(
            "GET",
            routes.API_CHILD,
            child_id=child_id,
            check=lambda response: None if response.headers.get("ETag") else "no ETag",
        )

    @task(2)
    def record_decision(self) -> None:
        today = date.today()
        ready = [
            (row, event) for row in self.children.values() if (event := answers.next_decision_event(row, on=today))
        ]
        if not ready:
            return
        row, body = random.choice(ready)
        child_id = row["id"]
        recorded = self.call("POST", routes.API_CHILD_EVENTS, 201, child_id=child_id, body=body, key=str(uuid.uuid4()))
        if recorded.status_code == 201:
            row["stage"] = "decision" if body["type"] == "adm_decision" else "reversed"

            def listed(response: Any) -> str | None:
                recorded_id = recorded.json()["id"]
                found = [e for e in response.json()["events"] if e["type"] == body["type"] and e["id"] == recorded_id]
                return None if found else f"the {body['type']} just recorded is not among the events"

            self.call("GET", routes.API_CHILD_EVENTS, child_id=child_id, check=listed)

    @task(2)
    def pull_returns(self) -> None:
        listed = self.call("GET", routes.API_RETURNS, query={"page_size": 20})
        if listed.status_code != 200 or not listed.json()["results"]:
            return
        newest = listed.json()["results"][0]
        self.call("GET", routes.API_RETURN, return_id=newest["id"])
        files = [name for name in routes.RETURN_FILES if name in newest["files"]]
        if files:
            self.call(
                "GET",
                routes.API_RETURN_FILE,
                return_id=newest["id"],
                file=random.choice(files),
                check=lambda response: None if response.content else "an empty file",
            )


# --- the run's summary -------------------------------------------------------------------------------------------


def _figures(entry: StatsEntry) -> dict[str, Any]:
    served = entry.num_requests > 0
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50_ms": round(entry.get_response_time_percentile(0.5)) if served else None,
        "p95_ms": round(entry.get_response_time_percentile(0.95)) if served else None,
    }


@events.quitting.add_listener
def summarise(environment: Any, **_kwargs: Any) -> None:
    """Write and print the run's figures (LOAD_SUMMARY, JSON); the run fails on any failure or error.

    HTTP requests are counted apart from the jobs followed (``JOB``), whose times are how long a return took."""
    stats = environment.stats
    http = StatsEntry(stats, "HTTP", "")
    groups: dict[str, Any] = {}
    for entry in sorted(stats.entries.values(), key=lambda e: (e.method != "JOB", e.name, e.method)):
        groups[f"{entry.method} {entry.name}"] = _figures(entry)
        if entry.method != "JOB":
            http.extend(entry)
    exceptions = sum(error["count"] for error in environment.runner.exceptions.values())
    options = environment.parsed_options
    summary = {
        "users": getattr(options, "num_users", None),
        "run_time_s": getattr(options, "run_time", None),
        "requests": http.num_requests,
        "failures": http.num_failures,
        "errors_in_scenario": exceptions,
        "throughput_rps": round(http.total_rps, 2),
        "p50_ms": _figures(http)["p50_ms"],
        "p95_ms": _figures(http)["p95_ms"],
        "groups": groups,
        "failure_reasons": sorted(
            (f"{error.occurrences} x {error.method} {error.name}: {error.error}" for error in stats.errors.values()),
            reverse=True,
        )[:20],
    }
    text = json.dumps(summary, indent=2)
    path = os.environ.get("LOAD_SUMMARY")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    print(text)
    if stats.total.num_failures or exceptions or not http.num_requests:
        environment.process_exit_code = 1
