"""No child's name or date of birth in an address or a log line.

Logs are kept longer and read by more people than the records. The test works a child's record the way a social worker
does (signs in, opens it, searches by name, posts forms with the name, meets errors) and reads everything the service's
logging wrote, formatted as the service formats it. gunicorn's own logs (its access and error logs, configured by
adoption/gunicorn_conf.py wherever gunicorn is started) are written for a search by name and a feedback link's token
in the same way.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import IntegrityError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from gunicorn.app.wsgiapp import WSGIApplication

from adoption.log_privacy import PersonalDataFilter
from adoption.request_context import RequestContextLogFilter
from children import selectors as child_selectors
from tests import factories
from tests.adoption.conftest import sign_in
from tests.children.conftest import date_fields

FIRST, LAST, BORN = "Zephyrine", "Quillfeather", date(2019, 3, 14)
NEEDLES = [FIRST, LAST, "2019-03-14", "14/03/2019", "14 March 2019", "14 Mar 2019", "14-03-2019", "2019, 3, 14"]


def _personal_data_in(text: str) -> list[str]:
    return [needle for needle in NEEDLES if needle.lower() in text.lower()]


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Everything the service's logging writes while the test runs: the handlers LOGGING configured write here."""
    buffer = io.StringIO()
    loggers = [logging.getLogger(), logging.getLogger("django"), logging.getLogger("django.server")]
    handlers = {h for lg in loggers for h in lg.handlers if type(h) is logging.StreamHandler}
    assert handlers, "LOGGING configures no stream handler"
    previous = {h: h.setStream(buffer) for h in handlers}
    try:
        yield buffer
    finally:
        for handler, stream in previous.items():
            handler.setStream(stream)


@pytest.fixture
def child(la_a):
    return factories.ChildFactory(responsible_la=la_a, first_name=FIRST, last_name=LAST, date_of_birth=BORN)


def _child_form(la, **overrides) -> dict[str, str]:
    return {
        "responsible_la": str(la.pk),
        "first_name": FIRST,
        "last_name": LAST,
        **date_fields("date_of_birth", BORN),
        **date_fields("expected_date_of_birth"),
        "sex": "F",
        "ethnicity": "WBRI",
        "has_disability": "no",
        "is_uasc": "no",
        "la_child_id": "",
        "child_903_id": "",
        "upn": "",
        **overrides,
    }


def _runserver_logs_request(line: str, status: int) -> None:
    """What the development server does after answering: log the request line through ``django.server``."""
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.requestline = line
    handler.request = None
    handler.client_address = ("127.0.0.1", 50000)
    handler.log_request(status, 5120)


def test_working_a_childs_record_leaves_no_name_or_date_of_birth_in_the_logs(
    client, child, la_a, social_worker_a, log_output, monkeypatch
):
    assert sign_in(client, social_worker_a.username).status_code == 302
    assert client.get(f"/children/{child.pk}/").status_code == 200

    found = client.get("/children/", {"q": f"{FIRST} {LAST}"})
    assert f"{FIRST} {LAST}" in found.content.decode()  # the search by name works
    _runserver_logs_request(f"GET /children/?q={FIRST}+{LAST} HTTP/1.1", 200)

    # The name posted in a form: refused (a date of birth in the future), then accepted.
    refused = client.post(
        "/children/new/", _child_form(la_a, **date_fields("date_of_birth", date.today() + timedelta(1)))
    )
    assert refused.status_code == 200
    assert client.post("/children/new/", _child_form(la_a)).status_code == 302
    # ... and without its CSRF token, which Django's security logger reports.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(social_worker_a)
    assert strict.post("/children/new/", _child_form(la_a)).status_code == 403

    assert client.get("/children/987654321/").status_code == 404

    # A fault whose exception message quotes the child: the page is the error page, the log keeps only the type.
    def faulty(record):
        raise ValueError(f"cannot place {record.first_name} {record.last_name}, born {record.date_of_birth}")

    monkeypatch.setattr(child_selectors, "child_situation", faulty)
    client.raise_request_exception = False
    assert client.get(f"/children/{child.pk}/?q={FIRST}").status_code == 500
    # A record and a database error passed to a logger, as the 903 importer does when a row is refused.
    logging.getLogger("children.ssda903.importer.apply").warning(
        "903 import: integrity error for child %s: %s",
        child,
        IntegrityError(f"DETAIL: Key (first_name, date_of_birth)=({FIRST}, {BORN}) already exists."),
    )

    written = log_output.getvalue()
    # What the logs must still say, to be of use: which request failed and how, without whom it was about.
    assert re.search(rf"ERROR django\.request \[[0-9a-f]{{32}}\] Internal Server Error: /children/{child.pk}/", written)
    assert "Traceback (most recent call last):" in written
    assert "ValueError: (message withheld: it may hold personal data)" in written
    assert "WARNING django.request [" in written and "Not Found: /children/987654321/" in written
    assert "Forbidden (CSRF cookie not set.): /children/new/" in written
    assert '"GET /children/?(query removed) HTTP/1.1" 200 5120' in written
    assert f"integrity error for child children.child#{child.pk}: IntegrityError" in written
    assert _personal_data_in(written) == []


def test_log_filter_keeps_paths_and_drops_queries_of_whole_urls():
    from adoption.log_privacy import without_query_strings

    assert (
        without_query_strings(f"Referer https://adoption.example.org/children/?q={FIRST}&page=2 then /health/")
        == "Referer https://adoption.example.org/children/?(query removed) then /health/"
    )
    assert without_query_strings("Is the job done? yes") == "Is the job done? yes"


def test_sql_with_its_parameters_is_never_logged():
    assert settings.LOGGING["loggers"]["django.db.backends"]["level"] == "INFO"
    assert logging.getLogger("django.db.backends").getEffectiveLevel() >= logging.INFO


def test_a_feedback_links_token_is_masked_in_the_apps_log_lines(client, log_output, raa, panel_adviser, child_a):
    from panels import feedback
    from tests.panels.conftest import meeting
    from tests.panels.test_feedback import match_item

    matching = match_item(meeting(raa), raa, child_a)
    _record, token = feedback.feedback_invite(actor=panel_adviser, item_id=matching.pk, respondent="adopter")
    assert client.get(f"/panels/feedback/{token}/").status_code == 303
    _runserver_logs_request(f"GET /panels/feedback/{token}/ HTTP/1.1", 303)
    unknown = "ZmFrZS10b2tlbi10aGF0LW5vYm9keS13YXMtc2VudC0xMjM0"
    assert client.get(f"/panels/feedback/{unknown}/", {"q": FIRST}).status_code == 404
    _runserver_logs_request(f"GET /panels/feedback/{unknown}/?q={FIRST} HTTP/1.1", 404)
    assert client.get("/panels/feedback/").status_code == 200  # the form's own address: nothing to mask

    written = log_output.getvalue()
    assert '"GET /panels/feedback/(token removed)/ HTTP/1.1" 303' in written
    assert "Not Found: /panels/feedback/(token removed)/" in written
    assert '"GET /panels/feedback/(token removed)/?(query removed) HTTP/1.1" 404' in written
    assert token not in written and unknown not in written
    assert _personal_data_in(written) == []


def test_the_log_filter_masks_the_token_segment_only():
    from adoption.log_privacy import masked

    assert masked("GET /panels/feedback/abc-DEF_123/ 303") == "GET /panels/feedback/(token removed)/ 303"
    assert masked("https://h.example/panels/feedback/abc?x=1") == (
        "https://h.example/panels/feedback/(token removed)?(query removed)"
    )
    assert masked("GET /panels/feedback/ 200") == "GET /panels/feedback/ 200"
    assert masked("POST /panels/items/7/feedback/invite/ 200") == "POST /panels/items/7/feedback/invite/ 200"


# --- gunicorn: started by the Dockerfile, docker-compose.yml and scripts/load.sh, always with its config -------------

GUNICORN_CONFIG = "python:adoption.gunicorn_conf"


def _dockerfile_command() -> list[str]:
    dockerfile = Path(settings.BASE_DIR, "Dockerfile").read_text()
    (line,) = [line for line in dockerfile.splitlines() if line.startswith("CMD ")]
    return json.loads(line.removeprefix("CMD "))


def _gunicorn_commands() -> dict[str, list[str]]:
    """Each place that starts gunicorn, and its command line (from ``gunicorn`` on)."""
    base = Path(settings.BASE_DIR)
    compose = base.joinpath("docker-compose.yml").read_text()
    script = base.joinpath("scripts", "load.sh").read_text().replace("\\\n", " ")
    found = {"Dockerfile": _dockerfile_command()}
    for name, text in (("docker-compose.yml", compose), ("scripts/load.sh", script)):
        lines = [line for line in text.splitlines() if re.search(r"gunicorn\"? adoption\.wsgi", line)]
        assert len(lines) == 1, f"{name} starts gunicorn {len(lines)} times"
        found[name] = lines[0][lines[0].index("gunicorn") :].split()
    return found


def test_every_place_that_starts_gunicorn_gives_it_the_config():
    for place, command in _gunicorn_commands().items():
        assert command[0].strip('"') == "gunicorn", place
        assert command[command.index("--config") + 1] == GUNICORN_CONFIG, place
        # A log file or format given on the command line would bypass the config's filtered handlers.
        assert not {"--access-logfile", "--error-logfile", "--access-logformat", "--log-config"} & set(command), place


@pytest.fixture
def gunicorn_log(monkeypatch):
    """gunicorn's logger, configured as the Dockerfile's command configures it (its config module loaded by gunicorn
    itself). Setting it up reconfigures this process's logging, which the fixture puts back as Django set it."""
    monkeypatch.setattr(sys, "argv", _dockerfile_command())
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    application = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")
    assert application.cfg.logconfig_dict  # the config module was read
    try:
        yield application.cfg.logger_class(application.cfg)
    finally:
        logging.config.dictConfig(settings.LOGGING)


def _configured(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers logging's configuration gave ``logger`` (pytest adds capturing handlers of its own)."""
    return [handler for handler in logger.handlers if type(handler) is logging.StreamHandler]


def _filters(handler: logging.Handler) -> set[type]:
    return {type(f) for f in handler.filters}


def test_gunicorns_error_log_goes_through_the_apps_handler_and_filter(gunicorn_log):
    (handler,) = _configured(gunicorn_log.error_log)
    assert handler in logging.getLogger().handlers and handler in logging.getLogger("django").handlers  # the app's
    assert {PersonalDataFilter, RequestContextLogFilter} <= _filters(handler)
    written = io.StringIO()
    handler.setStream(written)

    # What a worker logs when the app raises outside Django's handling: the request's whole URI and the traceback.
    token = "q0Jr6pW1cS4mV8yTz2Xb5nK7hL9dF3gA6eR1uY0iO4w"
    try:
        raise ValueError(f"cannot read {FIRST} {LAST}, born {BORN}")
    except ValueError:
        gunicorn_log.exception("Error handling request %s", f"/panels/feedback/{token}/?q={FIRST}+{LAST}")
    gunicorn_log.warning("Invalid request from ip=10.0.0.7: Invalid HTTP Version: 'GET /children/?q=%s'", LAST)

    lines = written.getvalue()
    assert re.search(
        r"ERROR gunicorn\.error \[-\] Error handling request /panels/feedback/\(token removed\)/\?\(query removed\)\n"
        r"Traceback \(most recent call last\):",
        lines,
    )
    assert "ValueError: (message withheld: it may hold personal data)" in lines
    assert "WARNING gunicorn.error [-] Invalid request from ip=10.0.0.7" in lines
    assert token not in lines and _personal_data_in(lines) == []


def _access_line(gunicorn_log, handler: logging.Handler, raw_uri: str, status: str) -> str:
    written = io.StringIO()
    handler.setStream(written)
    path, _, query = raw_uri.partition("?")
    environ = {
        "REMOTE_ADDR": "10.0.0.7",
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://adoption.example.org/children/?q={FIRST}+{LAST}",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status=status, sent=5120, headers=[("X-Request-ID", "3f2a9c1e5b7d4e6f8a0b1c2d3e4f5a6b")])
    gunicorn_log.access(response, request, environ, timedelta(milliseconds=42))
    return written.getvalue()


def test_gunicorns_access_log_has_no_query_string_referrer_or_link_token(gunicorn_log):
    (handler,) = _configured(gunicorn_log.access_log)
    assert PersonalDataFilter in _filters(handler)

    search = _access_line(gunicorn_log, handler, f"/children/?q={FIRST}+{LAST}&born={BORN}", "200 OK")
    request_id = "3f2a9c1e5b7d4e6f8a0b1c2d3e4f5a6b"  # to find the app's own lines for the request
    assert re.fullmatch(rf'10\.0\.0\.7 \[[^]]+\] "GET /children/ HTTP/1\.1" 200 5120 0\.042000 {request_id}\n', search)
    token = "q0Jr6pW1cS4mV8yTz2Xb5nK7hL9dF3gA6eR1uY0iO4w"
    link = _access_line(gunicorn_log, handler, f"/panels/feedback/{token}/", "303 See Other")
    assert '"GET /panels/feedback/(token removed)/ HTTP/1.1" 303 5120' in link
    assert token not in link and "?" not in search + link and _personal_data_in(search + link) == []


# Converters that can only carry ids; any other parameter must be one of these, none of which is personal data.
ID_CONVERTERS = {"IntConverter", "UUIDConverter"}
OTHER_PARAMETERS = {
    ("panels/feedback/<str:token>/", "token"): "a one-off feedback link's random token",
    ("reports/scorecard/<slug:measure>/", "measure"): "a scorecard measure's code (a1, a10...)",
    ("api/v1/returns/<int:return_id>/files/<slug:file>/", "file"): "which of a return's files (xlsx, summary-pdf...)",
    ("api/v1/codes/<slug:name>/", "name"): "a 903 code list's name (ethnicity, legal-status...)",
}
# The admin's own addresses take any primary key as text; it holds staff accounts and configuration, never children
# (tests/test_permission_matrix.py holds it to that).
ADMIN_KEYS = {"object_id", "content_type_id", "id"}


def _parameters(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """(route, parameter, converter) of every parameter of every URL pattern."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        converters = getattr(entry.pattern, "converters", None)
        if converters is None:  # a regular expression: its named groups take any text
            converters = {name: SimpleNamespace() for name in entry.pattern.regex.groupindex}
        for name, converter in converters.items():
            yield route, name, type(converter).__name__
        if isinstance(entry, URLResolver):
            yield from _parameters(entry, route)
        else:
            assert isinstance(entry, URLPattern)


def test_addresses_carry_ids_never_names_or_dates_of_birth():
    parameters = list(_parameters(get_resolver()))
    assert ("children/<int:child_id>/", "child_id", "IntConverter") in parameters  # the walk sees the pages

    free_text = [
        (route, name, kind)
        for route, name, kind in parameters
        if kind not in ID_CONVERTERS
        and (route, name) not in OTHER_PARAMETERS
        and not (route.startswith("admin/") and name in ADMIN_KEYS)
    ]
    assert free_text == []
    personal = re.compile(r"name|birth|dob|postcode|address|upn|nhs", re.IGNORECASE)
    assert [(r, n) for r, n, _ in parameters if personal.search(n) and (r, n) not in OTHER_PARAMETERS] == []


def test_celery_workers_log_through_the_same_filter():
    from adoption.celery import app as celery_app
    from adoption.log_privacy import PersonalDataFilter

    # A worker that took over the root logger would replace the handler below with Celery's own, unfiltered.
    assert celery_app.conf.worker_hijack_root_logger is False
    root_handlers = logging.getLogger().handlers
    assert any(isinstance(f, PersonalDataFilter) for h in root_handlers for f in h.filters)
