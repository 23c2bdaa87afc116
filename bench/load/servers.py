"""The two servers of `make bench-load`, started by the same gunicorn command and configuration: the
service (config.settings.production) and the floor (bench/floor). Also their databases, keys and
the processes' memory."""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import psycopg.conninfo
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent.parent
VAR = ROOT / "var" / "bench-load"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

PG = os.environ.get("BENCH_PG", "postgres://cps@127.0.0.1:5432")
SERVICE_DB = os.environ.get("BENCH_SERVICE_DB", "cps_bench")
FLOOR_DB = os.environ.get("BENCH_FLOOR_DB", "cps_bench_floor")
# Same worker model and count for both, in the variables the service's gunicorn.conf.py reads
# (the comparison: 2 sync workers).
WORKERS = os.environ.get("WEB_CONCURRENCY", "2")
WORKER_CLASS = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
THREADS = os.environ.get("GUNICORN_THREADS", "1")


# On a fresh machine the role may not exist yet: made as .ci/run makes it, by the superuser.
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")


def ensure_role() -> None:
    role = psycopg.conninfo.conninfo_to_dict(PG + "/postgres").get("user", "cps")
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            connection.execute(f'CREATE ROLE "{role}" LOGIN CREATEDB')


def ensure_database(name: str) -> bool:
    """Create the database if it is missing; True if it was created."""
    try:
        connection = psycopg.connect(f"{PG}/postgres", autocommit=True)
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        ensure_role()
        connection = psycopg.connect(f"{PG}/postgres", autocommit=True)
    with connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return not exists


def drop_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _secret(path: Path, make) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def service_env() -> dict[str, str]:
    """Production settings, unchanged, with bench keys (made once, kept in var/bench-load/). E-mails
    are queued as tasks in the database as in production; no task worker runs during the bench."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "EMAIL_BACKEND": "console",
        "DATABASE_URL": f"{PG}/{SERVICE_DB}",
        "SECRET_KEY": _secret(VAR / "secret-key", lambda: secrets.token_urlsafe(50)),
        "BID_ENCRYPTION_KEYS": _secret(VAR / "bid-encryption.key", lambda: Fernet.generate_key().decode()),
        "PERSONAL_DATA_KEYS": _secret(VAR / "personal-data.key", lambda: Fernet.generate_key().decode()),
        "PERSONAL_DATA_HASH_KEY": _secret(VAR / "personal-data-hash.key", lambda: secrets.token_urlsafe(48)),
        "AUDIT_SIGNING_KEY": _secret(VAR / "audit-signing.key", lambda: base64.b64encode(os.urandom(32)).decode()),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SERVICE_BASE_URL": "https://127.0.0.1",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
        "PYTHONPATH": str(ROOT),
    }


def floor_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.floor.settings",
        "FLOOR_DATABASE_URL": f"{PG}/{FLOOR_DB}",
        "PYTHONPATH": str(ROOT),
    }


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run a Django command (manage.py or `python -m ...`) for one of the two projects."""
    command = [PYTHON, *args] if args[0] == "-m" else [PYTHON, "-m", "django", *args]
    stdout = subprocess.PIPE if capture else None  # errors still reach the terminal
    result = subprocess.run(command, cwd=ROOT, env=env, check=True, text=True, stdout=stdout)
    return result.stdout if capture else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    wsgi: str
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The service's own gunicorn configuration (gunicorn.conf.py, read from the environment)
        for both, so they differ only in the application."""
        config = ROOT / "gunicorn.conf.py"
        return [GUNICORN, *(["--config", str(config)] if config.exists() else []), "--chdir", str(ROOT), self.wsgi]

    def start(self, *, ready_path: str = "/") -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        log = (VAR / f"{self.name}.log").open("ab")
        env = {
            **self.env,
            "WEB_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": WORKERS,
            "GUNICORN_WORKER_CLASS": WORKER_CLASS,
            "GUNICORN_THREADS": THREADS,
            "GUNICORN_GRACEFUL_TIMEOUT": os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "5"),
        }
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server stopped; see {VAR / (self.name + '.log')}")
            try:
                response = httpx.get(self.url + ready_path, headers={"X-Forwarded-Proto": "https"}, timeout=5)
                if response.status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} server did not answer within 90 s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def kill_master(self) -> None:
        """SIGKILL the master and its workers at once (a crashed machine), and reap them."""
        if self.process is None:
            return
        for pid in [*self.worker_pids(), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        return children(self.process.pid)

    def worker_rss_mb(self) -> float:
        """Total resident memory of the workers, MB."""
        return sum(rss_mb(pid) for pid in self.worker_pids())


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may hold spaces and brackets: the parent pid is the second field after ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
