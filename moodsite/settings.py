"""Settings read from the environment, with embedded defaults so that nothing needs configuring
to try the site: SQLite under var/, local media, console e-mail, eager Celery.

Production switches: DATABASE_URL (PostgreSQL), CELERY_BROKER_URL / REDIS_URL (Redis),
SECRET_KEY, DEBUG=False, ALLOWED_HOSTS. See README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MOODSITE_VAR_DIR", BASE_DIR / "var"))
# A fresh clone has no var/: create it so the embedded SQLite database can be opened.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_SECRET_KEY = "insecure-default-key-for-local-use-only"  # noqa: S105 - refused when DEBUG is off
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", True)

if not DEBUG and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the built-in default. "
        "Set the SECRET_KEY environment variable to a long random value."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "accounts",
    "diary",
    "inference",
    "music",
    "music.compositions",
    "welfare",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "moodsite.urls"
WSGI_APPLICATION = "moodsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: SQLite file by default, DATABASE_URL for PostgreSQL -----------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the local worker write the same file: WAL lets readers go on while one
    # writes, IMMEDIATE transactions wait for the lock (up to `timeout` s) instead of failing with
    # "database is locked" half-way through.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when configured (shared login throttling across processes), else local -------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "diary:entry_list"  # caseworkers: their dashboard (AccountAdapter)
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# allauth's throttling: 5 failed logins per 5 minutes per account, 20 per IP per minute.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "moodsite"
# Accept the code of the neighbouring 30-second window too: older people type slowly, and a code
# typed just as it changes would otherwise be refused.
MFA_TOTP_TOLERANCE = 1

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The site's name and public address: e-mails come from "moodsite" (not from "127.0.0.1:8000") and
# their links point here. The Sites framework's row is kept in step on every migrate
# (accounts.apps.sync_site), so allauth's e-mails say the same.
SITE_NAME = os.environ.get("SITE_NAME", "moodsite")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SITE_ID = 1
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <no-reply@moodsite.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https:") else "http"

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
# LOCALE_PATHS wins over every app's catalogue: shared words ("Name", "Day") are translated there,
# or third-party apps' meanings win (django-celery-beat's "Name" is "태스크 이름").
LOCALE_PATHS = [BASE_DIR / "locale"]
# Korean times in Korean order: 오후 9:45 (moodsite/formats/ko/formats.py).
FORMAT_MODULE_PATH = ["moodsite.formats"]
TIME_ZONE = "UTC"
DEFAULT_USER_TIME_ZONE = os.environ.get("DEFAULT_USER_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

# --- Static files and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Chart.js comes from npm (package.json, installed by `make`); Django serves its dist folder as
# static/vendor/chartjs/ — no CDN, no copied file in the repo.
CHARTJS_DIST_DIR = BASE_DIR / "node_modules" / "chart.js" / "dist"
if CHARTJS_DIST_DIR.is_dir():
    STATICFILES_DIRS.append(("vendor/chartjs", CHARTJS_DIST_DIR))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Photos, audio and exports are health data: kept outside MEDIA_ROOT with no public URL and served
# only through views that check who is asking.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads larger than this are refused by the photo validator with a clear message; the request
# limit sits a little above it so that the form can say so instead of Django's 400.
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "moodsite API",
    "DESCRIPTION": "A private mood diary: entries, analyses, mood tracker, music and welfare.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "") or REDIS_URL
# With no broker configured, tasks still leave the request: they go to a queue in folders under
# var/broker (kombu's filesystem transport: no server), and the worker that `make run` starts
# reads them. Saving an entry then returns at once and the page shows "reading your entry…" until
# the worker has read it (figures and the alternatives weighed: bench/README.md, local broker).
# CELERY_TASK_ALWAYS_EAGER=true runs tasks inside the request instead (the unit tests do).
CELERY_LOCAL_BROKER = not CELERY_BROKER_URL
if CELERY_LOCAL_BROKER:
    _BROKER_DIR = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
        # seconds between looks at the queue folder when it is empty: a new entry waits at most
        # this long before the worker starts reading it (a look costs one listdir)
        "polling_interval": 0.1,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "120"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "180"))
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"inference.tasks.*": {"queue": "inference"}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks; each feature adds its entries with CELERY_BEAT_SCHEDULE.update(...) in its section.
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_TIMEZONE = "UTC"

# --- Analysis pipeline (inference) --------------------------------------------------------------
# Jobs one worker reads in one forward pass, and how long it waits for a burst of uploads to fill
# a batch before reading what it has. Figures behind the defaults: bench/README.md (pipeline).
INFERENCE_BATCH_SIZE = int(os.environ.get("INFERENCE_BATCH_SIZE", "16"))
INFERENCE_BATCH_MAX_WAIT = float(os.environ.get("INFERENCE_BATCH_MAX_WAIT", "0.05"))
# While full batches keep coming, a task reads the next one at once instead of returning to the
# broker, for at most this many batches and seconds (well inside the soft time limit).
INFERENCE_TASK_MAX_BATCHES = int(os.environ.get("INFERENCE_TASK_MAX_BATCHES", "8"))
INFERENCE_TASK_MAX_SECONDS = float(os.environ.get("INFERENCE_TASK_MAX_SECONDS", "30"))
# A job pending this long has probably lost its message (Redis restarted): send it again.
INFERENCE_PENDING_STALE_AFTER = int(os.environ.get("INFERENCE_PENDING_STALE_AFTER", "120"))
# A job running longer than the hard task time limit has lost its worker: take it back.
INFERENCE_RUNNING_STALE_AFTER = int(
    os.environ.get("INFERENCE_RUNNING_STALE_AFTER", str(CELERY_TASK_TIME_LIMIT + 60))
)
# After this many claims that never finished (the photo kills the worker?) the job fails.
INFERENCE_MAX_ATTEMPTS = int(os.environ.get("INFERENCE_MAX_ATTEMPTS", "3"))
INFERENCE_RECOVERY_INTERVAL = float(os.environ.get("INFERENCE_RECOVERY_INTERVAL", "60"))
INFERENCE_RECOVERY_MAX_TASKS = 50
# The seven emotions are one choice set wherever they appear in the API schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["EmotionEnum"] = "inference.emotions.EMOTION_CHOICES"
CELERY_BEAT_SCHEDULE.update({
    "inference-recover-stuck-jobs": {
        "task": "inference.tasks.analysis_recover_task",
        "schedule": INFERENCE_RECOVERY_INTERVAL,
    },
})

# --- Welfare ------------------------------------------------------------------------------------
# Alert evaluation for every consenting client, hourly (new entries and analyses also trigger it
# for their client at once). 10,000 clients take seconds: see bench/README.md.
CELERY_BEAT_SCHEDULE.update({
    "welfare-evaluate-alerts": {"task": "welfare.tasks.evaluate_alerts_task", "schedule": 60 * 60},
})
# How long a welfare API token (minted with a TOTP code) stays valid: one working day.
WELFARE_API_TOKEN_MAX_AGE = int(os.environ.get("WELFARE_API_TOKEN_MAX_AGE", str(8 * 60 * 60)))
# Links in alert e-mails to caseworkers point here.
WELFARE_SITE_URL = SITE_URL

# --- Generated music ------------------------------------------------------------------------------
# Compose a piece automatically after each analysis (off by default: composing costs CPU seconds).
COMPOSE_AFTER_ANALYSIS = env_bool("COMPOSE_AFTER_ANALYSIS", False)
COMPOSE_AFTER_ANALYSIS_TARGET = os.environ.get("COMPOSE_AFTER_ANALYSIS_TARGET", "auto")
COMPOSE_AFTER_ANALYSIS_SECONDS = int(os.environ.get("COMPOSE_AFTER_ANALYSIS_SECONDS", "60"))
COMPOSITIONS_PER_DAY = int(os.environ.get("COMPOSITIONS_PER_DAY", "40"))

# --- Security: what `manage.py check --deploy` asks for, on whenever DEBUG is off ----------------
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
