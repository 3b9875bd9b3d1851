"""README's settings table lists every environment variable the code reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Tests and benchmarks set up their own environments; migrations read nothing.
SKIPPED = {"tests", "bench", "node_modules", "var", "migrations"}
NAME = r"[\"']([A-Z][A-Z0-9_]*)[\"']"
READS = [
    re.compile(rf"\bos\.environ\.(?:get|setdefault|pop)\(\s*{NAME}"),
    re.compile(rf"\bos\.getenv\(\s*{NAME}"),
    re.compile(rf"\bos\.environ\[\s*{NAME}\s*\](?!\s*=[^=])"),  # a read, not `os.environ["X"] = ...`
    re.compile(rf"{NAME}\s+(?:not\s+)?in\s+os\.environ\b"),
    re.compile(rf"\benv_(?:bool|list)\(\s*{NAME}"),  # moodsite.settings' helpers
]


def environment_reads() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or SKIPPED & set(parts):
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in READS:
            for name in pattern.findall(text):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def readme_table() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration (environment variables)", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


def test_it_finds_the_reads_it_looks_for():
    # given the settings module and the runtime, which are known to read the environment
    found = environment_reads()
    # then the scan sees reads of each form they use (a scan that saw nothing would pass vacuously)
    assert {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "OMP_WAIT_POLICY"} <= set(found)
    # and not the variables the code only writes (for OpenMP and for a training run's hash seed)
    assert not {"OMP_NUM_THREADS", "PYTHONHASHSEED"} & set(found)


def test_it_lists_every_environment_variable_the_code_reads_in_the_readme_table():
    # given every name the code reads from the environment
    found = environment_reads()
    # when README's configuration table is read
    documented = readme_table()
    # then each of them is a row there
    missing = {name: sorted(where) for name, where in found.items() if name not in documented}
    assert not missing, f"add these to README.md's settings table: {missing}"


def test_it_reads_the_models_settings_only_in_settings_py():
    # given the settings the issue moved into moodsite/settings.py
    found = environment_reads()
    moved = ["INFERENCE_DEVICE", "INFERENCE_THREADS", "INFERENCE_PRECISION", "FACE_MODEL_DIR", "TEXT_MODEL_DIR",
             "TEXT_ENCODER_THREADS", "INFERENCE_PHOTO_READ_THREADS", "MOODSITE_DATASETS"]
    # then nothing but the settings module reads them from the environment
    assert {name: sorted(found[name]) for name in moved} == {name: ["moodsite/settings.py"] for name in moved}
