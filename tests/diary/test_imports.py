"""The diary does not depend on the ML app: the mood vocabulary lives in moodsite.emotions."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Boots Django with the real test settings but without the apps that use inference (inference
# itself, music, welfare, diary.wellbeing), so that nothing but the diary's own imports can load it.
DIARY_ONLY = """
import sys
import django
from django.conf import settings
import moodsite.settings_test as base

apps = [app for app in base.INSTALLED_APPS
        if app.split(".")[0] not in {"inference", "music", "welfare"} and app != "diary.wellbeing"]
values = {name: getattr(base, name) for name in dir(base) if name.isupper()}
settings.configure(**{**values, "INSTALLED_APPS": apps})
django.setup()
import diary.models  # noqa: F401
loaded = sorted(name for name in sys.modules if name == "inference" or name.startswith("inference."))
assert not loaded, f"importing diary.models imported {loaded}"
print("ok")
"""


def test_it_imports_diary_models_without_importing_inference():
    # given a fresh interpreter (this test process has long since imported inference)
    # when it imports diary.models
    result = subprocess.run([sys.executable, "-c", DIARY_ONLY], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    # then no inference module was loaded
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
