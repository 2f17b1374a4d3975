"""gunicorn's settings: ``gunicorn adoption.wsgi -c python:adoption.gunicorn_conf`` (Dockerfile, docker-compose.yml,
scripts/load.sh).

gunicorn logs through the service's own LOGGING, so its lines pass the same filter as the app's
(adoption.log_privacy): its error log (worker timeouts, a request it could not parse, which quote the request line)
through the very handler the app logs through, on stderr; its access log through a handler of its own on stdout
that writes the access line alone, filtered the same way. Neither keeps a query string or a feedback link's token.
"""

from __future__ import annotations

import copy
from typing import Any

from adoption import settings as project_settings

# The access line: address, time, method, path (never the query string: a search by name is ?q=<name>), protocol,
# status, size, duration and the request id that the app's own lines carry. No referrer: it repeats the previous
# page's query. The path goes through the filter, which masks a feedback link's token.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s %({x-request-id}o)s'


def logging_config(logging_settings: dict[str, Any]) -> dict[str, Any]:
    """The project's LOGGING, with gunicorn's two loggers added to it (a level left out keeps ``--log-level``)."""
    config = copy.deepcopy(logging_settings)
    config["formatters"]["access"] = {"format": "%(message)s"}
    config["handlers"]["access"] = {
        "class": "logging.StreamHandler",
        "formatter": "access",
        "filters": ["no_personal_data"],
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["gunicorn.error"] = {"handlers": ["console"], "propagate": False}
    config["loggers"]["gunicorn.access"] = {"handlers": ["access"], "propagate": False}
    return config


logconfig_dict = logging_config(project_settings.LOGGING)
