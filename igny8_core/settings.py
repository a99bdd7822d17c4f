"""IGNY8 Automation settings: one module, every knob from the environment.

Defaults are the embedded development setup (SQLite, local Redis, demo AI provider);
production sets DEBUG=false and must provide SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET = "django-insecure-igny8-development-only-key-change-me-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / ReDoc files served by the app: /api/v1/docs/ works offline
    "django_celery_beat",
    "igny8_core.accounts",
    "igny8_core.billing",
    "igny8_core.planner",
    "igny8_core.writer",
    "igny8_core.ai",
    "igny8_core.automation",
    "igny8_core.publishing",
    "igny8_core.notifications",
    "igny8_core.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "igny8_core.degraded.ServiceUnavailableMiddleware",  # database / Redis down: 503, not 500
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "igny8_core.urls"
WSGI_APPLICATION = "igny8_core.wsgi.application"
ASGI_APPLICATION = "igny8_core.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


def database_from_env(url: str) -> dict:
    """Parse DATABASE_URL into Django's DATABASES entry, with a clear error when it is wrong."""
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # environ raises a bare KeyError / ValueError on unknown schemes
        raise ImproperlyConfigured(
            f"DATABASE_URL is invalid ({url!r}): {exc!r}. "
            "Use sqlite:///path/to/db.sqlite3 or postgres://user:pass@host:5432/name."
        ) from exc
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL uses an unsupported database ({engine or 'unknown'}); IGNY8 supports sqlite and postgres."
        )
    if engine == "django.db.backends.sqlite3":
        # WAL + a busy timeout let the web process and a Celery worker share the file;
        # IMMEDIATE transactions avoid "database is locked" on lock upgrades.
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        # 0 (a connection per request) suits runserver, whose thread per keep-alive client would
        # otherwise each hold a connection; docker-compose's gunicorn sync workers (one request at
        # a time, no keep-alive) set 60 to reuse one connection per worker process.
        config.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
        config["CONN_HEALTH_CHECKS"] = True
        if env.bool("DB_PREPARED_STATEMENTS", default=True):
            # Parameters sent apart from the SQL, so psycopg can prepare what a connection runs
            # again and again (a worker's per-item statements): parsed and planned once per
            # connection, about 3 ms less per AI call in bench/bench_pipeline.py. A parameter
            # may then not appear in both SELECT and GROUP BY (PostgreSQL sees two parameters).
            options = config.setdefault("OPTIONS", {})
            options.setdefault("server_side_binding", True)
            options.setdefault("prepare_threshold", 5)
    return config


DATABASES = {"default": database_from_env(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
# The database the test runner creates and drops on DATABASE_URL's server (default: test_<name>):
# several checkouts sharing one server each pick their own.
if env.str("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="igny8"),
        # A Redis that hangs must not hang requests: the throttles then fail open quickly.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
# /api/v1/health/ fails when no Celery worker was seen (ran a task, started, answered a ping) for this long.
HEALTH_WORKER_SEEN_WITHIN = env.int("HEALTH_WORKER_SEEN_WITHIN", default=120)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Run logs: logs/automation/{account_id}/{site_id}/{run_id}/
IGNY8_LOG_ROOT = Path(env.str("IGNY8_LOG_ROOT", default=str(BASE_DIR / "logs")))

# --- AI provider --------------------------------------------------------------------
# Two roles: `text` (chat completions) and `image` (image generation), each with its own
# provider, endpoint, key and model, so e.g. Ollama writes and OpenAI draws. The image role
# defaults to the text role's endpoint and key; "none" makes no images at all.
IGNY8_AI_PROVIDER = env.str("IGNY8_AI_PROVIDER", default="demo")
if IGNY8_AI_PROVIDER not in ("demo", "openai"):
    raise ImproperlyConfigured("IGNY8_AI_PROVIDER must be 'demo' or 'openai'.")
# Empty means "as the text role" (resolved when a provider is built, see ai/providers/roles.py).
IGNY8_IMAGE_PROVIDER = env.str("IGNY8_IMAGE_PROVIDER", default="")
if IGNY8_IMAGE_PROVIDER not in ("", "demo", "openai", "none"):
    raise ImproperlyConfigured("IGNY8_IMAGE_PROVIDER must be 'demo', 'openai' or 'none'.")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
OPENAI_IMAGE_API_KEY = env.str("OPENAI_IMAGE_API_KEY", default="")  # empty: OPENAI_API_KEY
OPENAI_IMAGE_BASE_URL = env.str("OPENAI_IMAGE_BASE_URL", default="") or None  # empty: OPENAI_BASE_URL
OPENAI_TEXT_MODEL = env.str("OPENAI_TEXT_MODEL", default="gpt-4o-mini")
OPENAI_IMAGE_MODEL = env.str("OPENAI_IMAGE_MODEL", default="gpt-image-1")
# How the text role asks for JSON: json_schema (strict structured output), json_object
# (JSON mode, schema in the prompt) or prompt (schema in the prompt, JSON extracted).
OPENAI_STRUCTURED_OUTPUT = env.str("OPENAI_STRUCTURED_OUTPUT", default="json_schema")
if OPENAI_STRUCTURED_OUTPUT not in ("json_schema", "json_object", "prompt"):
    raise ImproperlyConfigured("OPENAI_STRUCTURED_OUTPUT must be 'json_schema', 'json_object' or 'prompt'.")
OPENAI_IMAGE_SIZE = env.str("OPENAI_IMAGE_SIZE", default="1024x1024")
OPENAI_IMAGE_QUALITY = env.str("OPENAI_IMAGE_QUALITY", default="auto")  # valid for every image model
OPENAI_TIMEOUT = env.float("OPENAI_TIMEOUT", default=120.0)
OPENAI_MAX_RETRIES = env.int("OPENAI_MAX_RETRIES", default=4)
# Backoff for 429 / 5xx / timeouts: base doubling up to max; Retry-After honoured up to its max.
OPENAI_RETRY_BASE_DELAY = env.float("OPENAI_RETRY_BASE_DELAY", default=1.0)
OPENAI_RETRY_MAX_DELAY = env.float("OPENAI_RETRY_MAX_DELAY", default=30.0)
OPENAI_RETRY_AFTER_MAX = env.float("OPENAI_RETRY_AFTER_MAX", default=120.0)
# Requests per minute to one provider account, shared by every worker through Redis
# (ai/ratelimit.py): chat completions and image generations. 0 = unlimited.
OPENAI_RPM = env.int("OPENAI_RPM", default=0)
OPENAI_IMAGE_RPM = env.int("OPENAI_IMAGE_RPM", default=0)
if OPENAI_RPM < 0 or OPENAI_IMAGE_RPM < 0:
    raise ImproperlyConfigured("OPENAI_RPM and OPENAI_IMAGE_RPM are requests per minute, 0 or more.")
# "" (omit: gpt-image models always answer b64_json), "b64_json" or "url" (dall-e, local servers).
OPENAI_IMAGE_RESPONSE_FORMAT = env.str("OPENAI_IMAGE_RESPONSE_FORMAT", default="")
# The format image models are asked to answer in (`output_format`): "auto" asks GPT image
# models for IGNY8_IMAGE_FORMAT (a JPEG is a fraction of a PNG's size and decodes in a third of
# its time) and other models for nothing; "none" never asks; jpeg / png / webp always ask.
OPENAI_IMAGE_OUTPUT_FORMAT = env.str("OPENAI_IMAGE_OUTPUT_FORMAT", default="auto").lower()
if OPENAI_IMAGE_OUTPUT_FORMAT not in ("auto", "none", "jpeg", "png", "webp"):
    raise ImproperlyConfigured("OPENAI_IMAGE_OUTPUT_FORMAT must be 'auto', 'none', 'jpeg', 'png' or 'webp'.")
# What the functions ask for, and how stored images are normalised (see docs/ai.md).
IGNY8_AI_IDEAS_PER_CLUSTER = env.int("IGNY8_AI_IDEAS_PER_CLUSTER", default=2)
IGNY8_AI_CONTENT_WORDS = env.int("IGNY8_AI_CONTENT_WORDS", default=1200)
IGNY8_AI_CONTENT_MAX_WORDS = env.int("IGNY8_AI_CONTENT_MAX_WORDS", default=2500)  # credit estimate cap
# A failed item is picked again by later runs until it has failed this often; then it waits
# for the user (retry_failed).
AI_MAX_ITEM_ATTEMPTS = env.int("AI_MAX_ITEM_ATTEMPTS", default=3)
IGNY8_IMAGE_FORMAT = env.str("IGNY8_IMAGE_FORMAT", default="JPEG")  # JPEG, PNG or WEBP
IGNY8_IMAGE_MAX_SIZE = env.int("IGNY8_IMAGE_MAX_SIZE", default=1600)  # longest side, px
IGNY8_IMAGE_THUMBNAIL_SIZE = env.int("IGNY8_IMAGE_THUMBNAIL_SIZE", default=400)

# --- Encryption at rest (WordPress application passwords) ---------------------------
# Defaults to a key derived from SECRET_KEY; set FIELD_ENCRYPTION_KEY to rotate separately.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

# --- Publishing (WordPress) ---------------------------------------------------------
WORDPRESS_TIMEOUT = env.float("WORDPRESS_TIMEOUT", default=30.0)
PUBLISH_MAX_ATTEMPTS = env.int("PUBLISH_MAX_ATTEMPTS", default=5)  # then the item is marked failed
PUBLISH_RETRY_BASE_SECONDS = env.int("PUBLISH_RETRY_BASE_SECONDS", default=60)  # doubles per attempt
PUBLISH_CLAIM_TIMEOUT = env.int("PUBLISH_CLAIM_TIMEOUT", default=900)  # a 'publishing' claim older is stale
PUBLISH_BATCH_SIZE = env.int("PUBLISH_BATCH_SIZE", default=50)  # due items per publisher tick

# --- Outbound requests (WordPress, image downloads): see igny8_core/outbound.py -------
# Private networks only for a WordPress on the intranet; loopback and metadata stay refused.
OUTBOUND_ALLOW_PRIVATE = env.bool("OUTBOUND_ALLOW_PRIVATE", default=False)
# Addresses allowed whatever they are ("IP", "CIDR", "IP:port"): for tests' local servers.
OUTBOUND_ALLOWED_ADDRESSES = env.list("OUTBOUND_ALLOWED_ADDRESSES", default=[])

# --- Celery -------------------------------------------------------------------------
# Pipeline runs take up to hours: early ack + prefetch 1, and crash recovery is done by
# the recover_stale_runs reaper, not by broker redelivery. The visibility timeout must be
# longer than any run and identical in every process (it is read from this one setting).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=12 * 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_AUTOMATION_QUEUE = "automation"
CELERY_TASK_ROUTES = {
    "igny8_core.automation.tasks.run_automation_task": {"queue": CELERY_AUTOMATION_QUEUE},
    "igny8_core.automation.tasks.resume_automation_task": {"queue": CELERY_AUTOMATION_QUEUE},
}
# Runs stop cooperatively at the soft limit (checked between items); the hard limit is a
# backstop just above it. Both sit below the visibility timeout.
CELERY_AUTOMATION_SOFT_TIME_LIMIT = env.int("CELERY_AUTOMATION_SOFT_TIME_LIMIT", default=6 * 3600)
CELERY_AUTOMATION_TIME_LIMIT = CELERY_AUTOMATION_SOFT_TIME_LIMIT + 600
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=600)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# --- Automation ---------------------------------------------------------------------
AUTOMATION_LOCK_TTL = env.int("AUTOMATION_LOCK_TTL", default=300)  # seconds, renewed by heartbeat
AUTOMATION_HEARTBEAT_INTERVAL = env.int("AUTOMATION_HEARTBEAT_INTERVAL", default=30)
AUTOMATION_STALE_AFTER = env.int("AUTOMATION_STALE_AFTER", default=180)
AUTOMATION_MAX_RECOVERIES = env.int("AUTOMATION_MAX_RECOVERIES", default=3)
# A started run whose task no worker picked up for this long (message lost) is re-queued.
AUTOMATION_QUEUED_STALE_AFTER = env.int("AUTOMATION_QUEUED_STALE_AFTER", default=3600)
# ... or after this long already when its message is no longer in the broker (lost).
AUTOMATION_QUEUED_LOST_AFTER = env.int("AUTOMATION_QUEUED_LOST_AFTER", default=60)

# --- REST framework -----------------------------------------------------------------
# Reverse proxies in front of the web server that append to X-Forwarded-For. 0: clients are
# told apart by the socket address only (a forged header changes nothing).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
REST_FRAMEWORK = {
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so unauthenticated requests get 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "igny8_core.api.schema.AutoSchema",  # + documented error answers
    "DEFAULT_PAGINATION_CLASS": "igny8_core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_RATES": {
        "auth_token": env.str("THROTTLE_AUTH_TOKEN", default="20/min"),
        "run_now": env.str("THROTTLE_RUN_NOW", default="10/min"),
    },
    "EXCEPTION_HANDLER": "igny8_core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IGNY8 Automation API",
    "DESCRIPTION": "Keywords to illustrated article drafts through a 7-stage AI pipeline.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads swagger-ui from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status` with different choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "KeywordStatusEnum": "igny8_core.planner.models.Keywords.Status",
        "IdeaStatusEnum": "igny8_core.planner.models.ContentIdeas.Status",
        "TaskStatusEnum": "igny8_core.writer.models.Tasks.Status",
        "ContentStatusEnum": "igny8_core.writer.models.Content.Status",
        "ImageStatusEnum": "igny8_core.writer.models.Images.Status",
        "AutomationRunStatusEnum": "igny8_core.automation.models.RunStatus",
        "StageKindEnum": "igny8_core.automation.stages.STAGE_KINDS",
        "RatioSourceEnum": "igny8_core.automation.serializers.RATIO_SOURCES",
        "ProviderSourceEnum": "igny8_core.ai.provider_api.SOURCES",
        "HealthStatusEnum": "igny8_core.api.views.HEALTH_STATUSES",
        "NotificationEventEnum": "igny8_core.notifications.models.Event",
    },
}

# --- Security (production) ----------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "/login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The openai SDK's HTTP client logs every request at INFO: one line per AI call, which
        # AIRequestLog already records (with its outcome). Its warnings still show.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
    },
}
