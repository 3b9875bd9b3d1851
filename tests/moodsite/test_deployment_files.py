"""compose.yaml describes the split deployment of the README: three kinds of host sharing no disk,
only PostgreSQL, Redis and the object store."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {"web", "worker", "beat", "inference"}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_it_runs_every_process_of_the_production_section():
    services = _compose()["services"]
    assert set(services) == APP_SERVICES | {"db", "broker", "objects"}
    commands = {name: " ".join(services[name]["command"]) if isinstance(services[name]["command"], list)
                else services[name]["command"] for name in APP_SERVICES}
    assert "gunicorn moodsite.wsgi" in commands["web"]
    assert "-Q default" in commands["worker"] and "-Q inference" in commands["inference"]
    assert commands["beat"].endswith("beat")
    # and only the inference worker asks for a GPU, and reads on it
    assert services["inference"]["environment"]["INFERENCE_DEVICE"] == "cuda"
    assert "deploy" not in services["web"] and "deploy" in services["inference"]


def test_the_app_processes_share_no_disk_only_the_database_broker_and_object_store():
    services = _compose()["services"]
    for name in APP_SERVICES:
        service = services[name]
        assert not service.get("volumes"), f"{name} mounts a volume: another host would not have it"
        env = service["environment"]
        assert env["S3_BUCKET"] and env["S3_ENDPOINT_URL"], name
        assert env["DATABASE_URL"].startswith("postgres://") and env["CELERY_BROKER_URL"].startswith("redis://")
        assert env["S3_SERVER_SIDE_ENCRYPTION"].endswith("AES256}"), name
