"""SafeGrid settings: one file, configured from the environment.

Every SAFEGRID_* variable is read through a typed helper that fails loudly on a bad value,
so a typo in production stops the process at start-up instead of running with a default.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SAFEGRID_VAR_DIR", PROJECT_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_DEV_SECRET_KEY = "insecure-dev-only-key-not-for-production"  # noqa: S105
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer")
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# A production secret key must be long and not repetitive: Django signs sessions, password-reset links and
# CSRF tokens with it, so a guessable key lets anyone forge them.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_BITS = 128


def secret_key_problem(key: str) -> str | None:
    """Why `key` is too weak for production, or None. Entropy is estimated as length × the Shannon entropy
    of its character frequencies (so "ab" repeated 40 times counts 80 bits, not 80 × log2 64)."""
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"is {len(key)} characters long; use at least {SECRET_KEY_MIN_LENGTH}"
    if key.startswith("django-insecure-") or key == _DEV_SECRET_KEY:
        return "is a development key"
    counts = Counter(key)
    per_char = sum(n / len(key) * math.log2(len(key) / n) for n in counts.values())
    bits = per_char * len(key)
    if bits < SECRET_KEY_MIN_BITS:
        return f"is too repetitive (about {bits:.0f} bits of entropy; at least {SECRET_KEY_MIN_BITS} needed)"
    return None


# "dev" (default: demo on a laptop), "test" or "production".
PROFILE = env_str("SAFEGRID_PROFILE", "dev")
if PROFILE not in {"dev", "test", "production"}:
    raise ImproperlyConfigured(f"SAFEGRID_PROFILE={PROFILE!r} must be dev, test or production")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("SAFEGRID_DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SAFEGRID_SECRET_KEY", "")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SAFEGRID_SECRET_KEY must be set in production "
            '(e.g. python3 -c "import secrets; print(secrets.token_urlsafe(50))")'
        )
    if problem := secret_key_problem(SECRET_KEY):
        raise ImproperlyConfigured(
            f"SAFEGRID_SECRET_KEY {problem} "
            '(make one with python3 -c "import secrets; print(secrets.token_urlsafe(50))")'
        )
elif not SECRET_KEY:
    SECRET_KEY = _DEV_SECRET_KEY
ALLOWED_HOSTS = env_list(
    "SAFEGRID_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "SAFEGRID_ALLOWED_HOSTS must name the host names this site answers to in production "
        "(comma-separated, e.g. safegrid.example.gov.cn); with none, every request would answer 400"
    )
CSRF_TRUSTED_ORIGINS = env_list("SAFEGRID_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "safegrid.core",
    "safegrid.jobs",
    "safegrid.notifications",
    "safegrid.regions",
    "safegrid.enterprises",
    "safegrid.risks",
    "safegrid.hazards",
    "safegrid.majorhazards",
    "safegrid.monitoring",
    "safegrid.api",
    "safegrid.demo",
]
if PROFILE == "test":
    # A test-only model for the workflow kit's service tests (core cannot borrow an app's model).
    INSTALLED_APPS.append("safegrid.core.tests.workflow_app")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safegrid.core.middleware.RequestIdMiddleware",
    "safegrid.core.middleware.RequestLimitsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "safegrid.core.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safegrid.urls"
WSGI_APPLICATION = "safegrid.wsgi.application"
ASGI_APPLICATION = "safegrid.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safegrid.core.context_processors.navigation",
                "safegrid.notifications.context_processors.unread",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# Database: embedded SQLite (WAL) by default, anything dj-database-url understands via DATABASE_URL.
VAR_DIR.mkdir(parents=True, exist_ok=True)
_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    try:
        _db = dj_database_url.parse(_database_url, conn_max_age=env_int("SAFEGRID_DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}")
    _db.setdefault("OPTIONS", {})
    _db["CONN_HEALTH_CHECKS"] = True
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SAFEGRID_DB_PATH", str(VAR_DIR / "safegrid.sqlite3")),
        # Tests use a file too (not :memory:), so `safegrid worker` subprocesses share the test database.
        "TEST": {"NAME": str(VAR_DIR / "test_safegrid.sqlite3")},
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        },
    }
DATABASES = {"default": _db}

# Cache: per-process memory for the embedded setup; Redis (shared by every process) when
# SAFEGRID_REDIS_URL is set. Cached entries are keyed by what they depend on (e.g. the risk map by the
# register revision stamp and the user's scope), so nothing is ever deleted to invalidate them.
_redis_url = env_str("SAFEGRID_REDIS_URL", "")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": "safegrid",
            "TIMEOUT": 600,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "safegrid",
            "TIMEOUT": 600,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs (safegrid.jobs on Django's Tasks API). The default queue is the database itself
# (django-tasks-db): works on SQLite and PostgreSQL with no other service. For scale-out set
# SAFEGRID_TASKS_BACKEND to another Tasks backend (e.g. django_tasks_rq.RQBackend for Redis); see
# docs/operations.md.
SAFEGRID_TASKS_BACKEND = env_str("SAFEGRID_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {
    "default": {
        "BACKEND": SAFEGRID_TASKS_BACKEND,
        "QUEUES": env_list("SAFEGRID_TASKS_QUEUES", ["default"]),
    }
}
# RQ on Redis (SAFEGRID_TASKS_BACKEND=django_tasks_rq.RQBackend): the same queues in Redis, run by the same
# `safegrid worker` (it runs an RQ worker instead of the database loop).
SAFEGRID_TASKS_REDIS_URL = env_str("SAFEGRID_TASKS_REDIS_URL", _redis_url or "redis://127.0.0.1:6379/0")
RQ_QUEUES = {name: {"URL": SAFEGRID_TASKS_REDIS_URL} for name in TASKS["default"]["QUEUES"]}
if SAFEGRID_TASKS_BACKEND == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")
# A running job whose heartbeat is older than this is taken as lost (worker killed) and retried.
SAFEGRID_JOB_LEASE_SECONDS = env_int("SAFEGRID_JOB_LEASE_SECONDS", 120, minimum=5)
# First retry after this many seconds, then doubling per attempt (capped at one hour).
SAFEGRID_JOB_RETRY_BASE_SECONDS = env_int("SAFEGRID_JOB_RETRY_BASE_SECONDS", 30, minimum=0)
# How often each worker checks the schedules and the leases.
SAFEGRID_SCHEDULE_TICK_SECONDS = env_int("SAFEGRID_SCHEDULE_TICK_SECONDS", 15, minimum=1)

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if PROFILE == "test":
    # Tests create hundreds of users; argon2 at full cost would dominate the run.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP after N failures for a cool-off period.
AXES_FAILURE_LIMIT = env_int("SAFEGRID_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("SAFEGRID_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env_int("SAFEGRID_SESSION_MINUTES", 120, minimum=5) * 60
# Sessions expire SAFEGRID_SESSION_MINUTES after their last change. Not saved on every request: on the
# embedded SQLite database that would make every page view a write competing with long imports.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SAFEGRID_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP on the private network: a 301 would never count as healthy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS (sent on HTTPS responses only): browsers then refuse plain HTTP to this host for that long.
    # One year by default, as production already redirects to HTTPS; 0 turns it off.
    SECURE_HSTS_SECONDS = env_int("SAFEGRID_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SAFEGRID_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SAFEGRID_HSTS_PRELOAD", False)

# Content Security Policy (django-csp 4): everything is served from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # No inline script, no eval (htmx runs with allowEval off), no inline style: every script and
        # stylesheet is a static file; scripts set element styles through the CSSOM, which CSP allows.
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("SAFEGRID_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Outside production, serve straight from the finders (node_modules, app static) without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
_NODE = PROJECT_DIR / "node_modules"
# The npm files the pages load, published as /static/<prefix>/<name> (safegrid.core.staticfiles): only
# these, so collectstatic never meets the rest of a package's dist/ (bundled CSS naming maps it lacks).
_TABLER = _NODE / "@tabler" / "core" / "dist"
SAFEGRID_VENDOR_STATIC = {
    "vendor/tabler/css": (_TABLER / "css", ["tabler.min.css", "tabler.min.css.map"]),
    "vendor/tabler/js": (_TABLER / "js", ["tabler.min.js", "tabler.min.js.map"]),
    "vendor/htmx": (_NODE / "htmx.org" / "dist", ["htmx.min.js"]),
    "vendor/echarts": (_NODE / "echarts" / "dist", ["echarts.min.js"]),
    "vendor/idb-keyval": (_NODE / "idb-keyval" / "dist", ["umd.js"]),
}
# Outline SVG icons, inlined into pages by the `icon` template tag (read from here, never published).
SAFEGRID_ICON_DIR = _NODE / "@tabler" / "icons" / "icons" / "outline"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "safegrid.core.staticfiles.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# A request body (JSON, form fields) over this is a 413 (core.middleware.RequestLimitsMiddleware);
# a multipart upload may add core.middleware.MAX_MULTIPART_BYTES of files.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# SafeGrid's own knobs.
SAFEGRID_COUNTY_CODE = env_str("SAFEGRID_COUNTY_CODE", "370321")
SAFEGRID_EXPIRY_WARNING_DAYS = env_int("SAFEGRID_EXPIRY_WARNING_DAYS", 30, minimum=1)
# National-format upload targets added to or replacing the shipped ones (REFERENCE §9: provinces differ in the
# enterprise code, level numbering and date format): a JSON list of {"key", "name", "company_code" uscc|hazchem,
# "levels" zero_major|one_major, "date_format" "yyyy-MM-dd HH:mm:ss"|"yyyyMMddHHmmss", "source"}.
try:
    SAFEGRID_NATIONAL_PROFILES = json.loads(os.environ.get("SAFEGRID_NATIONAL_PROFILES", "[]"))
except ValueError:
    raise ImproperlyConfigured("SAFEGRID_NATIONAL_PROFILES is not valid JSON")
# Special work (GB 30871-2022) and the daily safety commitment: overrides of majorhazards.rules.work.WorkLimits
# as a JSON object, e.g. {"commitment_deadline": "09:30", "hot_two_hours": 48} (checked at first use).
try:
    SAFEGRID_SPECIAL_WORK = json.loads(os.environ.get("SAFEGRID_SPECIAL_WORK", "{}"))
except ValueError:
    raise ImproperlyConfigured("SAFEGRID_SPECIAL_WORK is not valid JSON")
# Monitoring alarms left unacknowledged: minutes before the town, then the county, is told, and between
# reminders — overrides of monitoring.rules.alarms.Ladder as a JSON object, e.g. {"town_minutes": 10}.
try:
    SAFEGRID_ALARM_ESCALATION = json.loads(os.environ.get("SAFEGRID_ALARM_ESCALATION", "{}"))
except ValueError:
    raise ImproperlyConfigured("SAFEGRID_ALARM_ESCALATION is not valid JSON")
# The enterprise dynamic risk index: overrides of monitoring.rules.risk_index.RiskIndexConfig (weights, caps,
# colour thresholds, version) as a JSON object, e.g. {"red": 75, "major_hazard": 15} (docs/monitoring-quality-and-risk-index.md).
try:
    SAFEGRID_RISK_INDEX = json.loads(os.environ.get("SAFEGRID_RISK_INDEX", "{}"))
except ValueError:
    raise ImproperlyConfigured("SAFEGRID_RISK_INDEX is not valid JSON")
SAFEGRID_API_TOKEN_DAYS = env_int("SAFEGRID_API_TOKEN_DAYS", 90, minimum=1)
SAFEGRID_PAGE_SIZE = env_int("SAFEGRID_PAGE_SIZE", 25, minimum=5)
# The county's and a town's home picture (aggregates over every enterprise in the area: 0.3–0.9 s of SQL
# at --scale 30) is kept this many seconds per scope, role and language; the page says when it was
# counted. The to-dos above it are always live. 0 turns the cache off (the test profile's default).
SAFEGRID_HOME_PICTURE_SECONDS = env_int("SAFEGRID_HOME_PICTURE_SECONDS", 0 if PROFILE == "test" else 60)
# How long the API keeps an Idempotency-Key and its first answer (safegrid.api.idempotency).
SAFEGRID_IDEMPOTENCY_KEY_HOURS = env_int("SAFEGRID_IDEMPOTENCY_KEY_HOURS", 24, minimum=1)
# Monitoring ingest (docs/monitoring.md). Raw readings are kept at least 30 days (40号令 art. 13): a shorter
# retention is refused at start-up; rollups are kept for years.
SAFEGRID_READINGS_RETENTION_DAYS = env_int("SAFEGRID_READINGS_RETENTION_DAYS", 30)
if SAFEGRID_READINGS_RETENTION_DAYS < 30:
    raise ImproperlyConfigured(
        f"SAFEGRID_READINGS_RETENTION_DAYS={SAFEGRID_READINGS_RETENTION_DAYS}: raw monitoring readings must be "
        "kept at least 30 days by law (40号令 art. 13); set 30 or more"
    )
# Stored video and positioning events (monitoring data too: the same legal minimum, the readings' retention by
# default) and dead letters (the refused messages with their raw payload: 90 days by default, at least 30;
# docs/monitoring.md "Storage"), purged by the same daily job as the readings.
SAFEGRID_EVENTS_RETENTION_DAYS = env_int("SAFEGRID_EVENTS_RETENTION_DAYS", SAFEGRID_READINGS_RETENTION_DAYS)
SAFEGRID_DEAD_LETTER_RETENTION_DAYS = env_int("SAFEGRID_DEAD_LETTER_RETENTION_DAYS", 90)
if SAFEGRID_EVENTS_RETENTION_DAYS < 30:
    raise ImproperlyConfigured(
        f"SAFEGRID_EVENTS_RETENTION_DAYS={SAFEGRID_EVENTS_RETENTION_DAYS}: monitoring events must be kept at "
        "least 30 days by law (40号令 art. 13); set 30 or more"
    )
if SAFEGRID_DEAD_LETTER_RETENTION_DAYS < 30:
    raise ImproperlyConfigured(
        f"SAFEGRID_DEAD_LETTER_RETENTION_DAYS={SAFEGRID_DEAD_LETTER_RETENTION_DAYS}: refused monitoring data "
        "must be kept at least 30 days like the readings (40号令 art. 13); set 30 or more"
    )
SAFEGRID_ROLLUP_RETENTION_DAYS = env_int("SAFEGRID_ROLLUP_RETENTION_DAYS", 5 * 366, minimum=366)
# A reading stamped more than this many seconds ahead of the ingest's clock is refused (a device clock off).
SAFEGRID_INGEST_FUTURE_SECONDS = env_int("SAFEGRID_INGEST_FUTURE_SECONDS", 300, minimum=0)
SAFEGRID_INGEST_BATCH_SIZE = env_int("SAFEGRID_INGEST_BATCH_SIZE", 5000, minimum=1)
SAFEGRID_INGEST_FLUSH_MS = env_int("SAFEGRID_INGEST_FLUSH_MS", 200, minimum=1)
# The ingest's young-generation collector threshold after freezing its start-up heap (ingest/collector.py);
# 0 keeps Python's defaults.
SAFEGRID_INGEST_GC_GEN0 = env_int("SAFEGRID_INGEST_GC_GEN0", 50_000, minimum=0)
# Events messages held in memory while the database is away (ingest/held.py), unacknowledged: below the
# broker's max_inflight_messages (10,000 in deploy/mosquitto.conf), so the readings keep flowing meanwhile.
SAFEGRID_INGEST_EVENTS_HELD = env_int("SAFEGRID_INGEST_EVENTS_HELD", 5000, minimum=1)
# Messages the broker may send an ingest process before it acknowledges them (MQTT 5 Receive Maximum): the
# bound on what waits in the process's memory, whatever the broker's own max_inflight_messages. Room for the
# held events and a batch of the readings.
SAFEGRID_MQTT_RECEIVE_MAXIMUM = env_int("SAFEGRID_MQTT_RECEIVE_MAXIMUM", 10_000, minimum=2)
if SAFEGRID_MQTT_RECEIVE_MAXIMUM > 65_535:
    raise ImproperlyConfigured("SAFEGRID_MQTT_RECEIVE_MAXIMUM is at most 65535 (MQTT 5)")
if SAFEGRID_INGEST_EVENTS_HELD >= SAFEGRID_MQTT_RECEIVE_MAXIMUM:
    raise ImproperlyConfigured(
        f"SAFEGRID_INGEST_EVENTS_HELD={SAFEGRID_INGEST_EVENTS_HELD} must be below SAFEGRID_MQTT_RECEIVE_MAXIMUM="
        f"{SAFEGRID_MQTT_RECEIVE_MAXIMUM}: held events count against it, and the readings need room meanwhile"
    )
SAFEGRID_INGEST_SPILL_DIR = Path(env_str("SAFEGRID_INGEST_SPILL_DIR", str(VAR_DIR / "ingest-spill")))
SAFEGRID_MQTT_HOST = env_str("SAFEGRID_MQTT_HOST", "127.0.0.1")
SAFEGRID_MQTT_PORT = env_int("SAFEGRID_MQTT_PORT", 1883, minimum=1)
SAFEGRID_MQTT_USERNAME = env_str("SAFEGRID_MQTT_USERNAME", "")
SAFEGRID_MQTT_PASSWORD = env_str("SAFEGRID_MQTT_PASSWORD", "")
SAFEGRID_MQTT_TOPIC_ROOT = env_str("SAFEGRID_MQTT_TOPIC_ROOT", "safegrid/readings").strip("/")
SAFEGRID_MQTT_EVENTS_TOPIC_ROOT = env_str("SAFEGRID_MQTT_EVENTS_TOPIC_ROOT", "safegrid/events").strip("/")
SAFEGRID_MQTT_GROUP = env_str("SAFEGRID_MQTT_GROUP", "safegrid-ingest")
# Stable per process, so the broker keeps the session (and redelivers its unacknowledged messages) across a
# restart; empty: "<group>-<host name>".
SAFEGRID_MQTT_CLIENT_ID = env_str("SAFEGRID_MQTT_CLIENT_ID", "")
SAFEGRID_MQTT_SESSION_EXPIRY_S = env_int("SAFEGRID_MQTT_SESSION_EXPIRY_S", 7 * 24 * 3600, minimum=0)
# The address workers' phones reach; printed QR codes point here (empty: the requesting host).
SAFEGRID_PUBLIC_URL = env_str("SAFEGRID_PUBLIC_URL", "").rstrip("/")
SAFEGRID_DEMO_PASSWORD = env_str("SAFEGRID_DEMO_PASSWORD", "safegrid-demo")
# Fonts of every PDF (safegrid.core.pdf_fonts): TrueType files embedded as subsets, the first sets the text,
# the others fill in characters it lacks. A .ttc collection takes "#index". Debian packages: see operations.md.
SAFEGRID_PDF_FONTS = env_list(
    "SAFEGRID_PDF_FONTS",
    [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc#0",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ],
)

# The audit chain's anchors (safegrid.core.audit_anchor): an append-only file of the chain's head, written
# by a schedule, so a chain wiped or cut short together with its head in the database is still found.
# Put it where the database's administrators cannot rewrite it (another disk, a WORM or log host), and/or
# mail each anchor to SAFEGRID_AUDIT_ANCHOR_EMAILS (comma-separated; needs e-mail configured below).
SAFEGRID_AUDIT_ANCHOR_FILE = Path(
    env_str(
        "SAFEGRID_AUDIT_ANCHOR_FILE",
        str(
            VAR_DIR / "anchors" / ("test-audit-anchors.jsonl" if PROFILE == "test" else "audit-anchors.jsonl")
        ),
    )
)
SAFEGRID_AUDIT_ANCHOR_CRON = env_str("SAFEGRID_AUDIT_ANCHOR_CRON", "7 * * * *")  # hourly, at :07
SAFEGRID_AUDIT_ANCHOR_EMAILS = env_list("SAFEGRID_AUDIT_ANCHOR_EMAILS", [])

# E-mail for notifications: on once an SMTP host is given (or SAFEGRID_EMAIL_ENABLED=1 with another
# backend, e.g. django.core.mail.backends.console.EmailBackend on a laptop). Users without e-mail get none.
SAFEGRID_EMAIL_HOST = env_str("SAFEGRID_EMAIL_HOST", "")
SAFEGRID_EMAIL_ENABLED = env_bool("SAFEGRID_EMAIL_ENABLED", bool(SAFEGRID_EMAIL_HOST))
EMAIL_BACKEND = env_str("SAFEGRID_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = SAFEGRID_EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("SAFEGRID_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("SAFEGRID_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("SAFEGRID_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SAFEGRID_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("SAFEGRID_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("SAFEGRID_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("SAFEGRID_EMAIL_FROM", "safegrid@localhost")

LOG_LEVEL = env_str("SAFEGRID_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"SAFEGRID_LOG_LEVEL={LOG_LEVEL!r} is not a logging level")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "safegrid.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if env_bool("SAFEGRID_LOG_JSON", PRODUCTION) else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
