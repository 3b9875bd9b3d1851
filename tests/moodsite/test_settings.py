"""The settings boot with nothing configured, and refuse unsafe production setups."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
CLEAN_ENV["DJANGO_SETTINGS_MODULE"] = "moodsite.settings"


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**CLEAN_ENV, **env},
                          capture_output=True, text=True, timeout=120)


def test_it_boots_on_embedded_defaults_with_no_environment(tmp_path):
    result = _python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.EMAIL_BACKEND, "
        "s.DEBUG)",
        MOODSITE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    # tasks leave the request for the local folder queue that `make run`'s worker reads
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False", "filesystem://",
                                     "django.core.mail.backends.console.EmailBackend", "True"]
    assert (tmp_path / "broker" / "queue").is_dir()


def test_it_switches_to_postgres_and_redis_from_the_environment():
    result = _python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)",
        DATABASE_URL="postgres://u@db.example:5432/mood", CELERY_BROKER_URL="redis://cache.example:6379/0",
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "redis://cache.example:6379/0"]


def test_it_refuses_to_start_with_debug_off_and_the_default_secret_key():
    result = _python("import django; django.setup()", DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ImproperlyConfigured" in result.stderr


def test_it_passes_the_deploy_check_when_configured_for_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
        env={**CLEAN_ENV, "DEBUG": "False", "SECRET_KEY": "k" * 64 + "!@#xyzXYZ0123456789",
             "ALLOWED_HOSTS": "moodsite.example.org", "MOODSITE_VAR_DIR": str(tmp_path),
             "ALLAUTH_TRUSTED_PROXY_COUNT": "1"},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_the_proxy_address_would_be_counted_for_everybody():
    code = ("import django; django.setup(); from django.core.management import call_command; "
            "call_command('check', '--deploy')")
    secret = "k" * 64 + "!@#xyzXYZ0123456789"
    warned = _python(code, DEBUG="False", SECRET_KEY=secret, ALLOWED_HOSTS="example.org")
    assert "accounts.W001" in warned.stderr + warned.stdout
    quiet = _python(code, DEBUG="False", SECRET_KEY=secret, ALLOWED_HOSTS="example.org",
                    ALLAUTH_TRUSTED_PROXY_COUNT="1")
    assert "accounts.W001" not in quiet.stderr + quiet.stdout


def test_the_proxy_count_and_token_lifetime_come_from_the_environment():
    result = _python(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER, s.API_TOKEN_MAX_AGE)",
        ALLAUTH_TRUSTED_PROXY_COUNT="2", ALLAUTH_TRUSTED_CLIENT_IP_HEADER="X-Real-IP",
        API_TOKEN_MAX_AGE="3600",  # noqa: S106 - seconds, not a secret
    )
    assert result.stdout.split() == ["2", "X-Real-IP", "3600"]
