"""The Celery app. With ``REDIS_URL`` a worker and beat run tasks; without it they run eagerly."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adoption.settings")

app = Celery("adoption")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks that live in an app's sub-package (autodiscovery looks only at <app>.tasks).
app.autodiscover_tasks(["children.ssda903"])
