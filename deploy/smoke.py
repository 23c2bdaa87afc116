#!/usr/bin/env python
"""The smoke journey through the production stack (`make smoke`; CI runs it after the tests).

Starts what the Procfile starts, with honcho, as one region's machine runs it: gunicorn with two
workers, two task workers and two task timetables (one must run, the other wait), with the
production settings (a fresh SECRET_KEY, bid encryption key and audit signing key, JSON logs) on
PostgreSQL (a fresh database, cps_smoke) and Redis. It loads the demo world, then walks a short
journey over HTTP as a browser behind a TLS-terminating load balancer would (X-Forwarded-Proto:
https): the start page, public opportunities, an insight page (its answer kept in Redis), /readyz, a demo provider signing in and opening an
opportunity, and a member of staff signing in with the second factor. Then it stops the stack with
SIGTERM, as a deploy does, and checks every process stopped. Only 127.0.0.1 is ever contacted.

Uploaded files go to object storage (STORAGE_BACKEND=s3) on a local S3 server (moto in server mode,
on loopback); e-mail goes by SMTP to a relay on loopback that keeps count.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urljoin

import boto3
import psycopg
import redis
import requests
from moto.server import ThreadedMotoServer

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from audit.signing import new_key_pair  # noqa: E402
from competitions.sealing import new_key  # noqa: E402

PG = os.environ.get("SMOKE_POSTGRES", "postgres://cps@127.0.0.1:5432")
DATABASE = os.environ.get("SMOKE_DATABASE", "cps_smoke")
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/0")
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - the demo world's published password
PROVIDER = "jo@medway-womens.example"
STAFF = "assessor@demo.example"
BOOT_SECONDS = 180


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailRelay(socketserver.ThreadingTCPServer):
    """A mail relay on loopback that accepts every message and keeps count, standing in for the
    region's SMTP relay: the service sends e-mail by SMTP unless told otherwise (EMAIL_BACKEND)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.messages = 0
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class _SmtpSession(socketserver.StreamRequestHandler):
    def handle(self):
        self.reply("220 smoke relay")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb == "DATA":
                self.reply("354 go on")
                while (body := self.rfile.readline()) and body.rstrip(b"\r\n") != b".":
                    pass
                self.server.messages += 1
                self.reply("250 kept")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


def fresh_database() -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{PG}/{DATABASE}"


class ObjectStore:
    """A local S3 server with one private bucket, reached by boto3 over HTTP as production reaches its store."""

    REGION = "eu-west-2"
    BUCKET = "cps-smoke-uploads"

    def __init__(self):
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.env = {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": self.BUCKET,
            "AWS_S3_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "smoke-key",
            "AWS_SECRET_ACCESS_KEY": secrets.token_urlsafe(20),
            "AWS_S3_REGION_NAME": self.REGION,
        }
        self.client = boto3.client(
            "s3",
            endpoint_url=self.env["AWS_S3_ENDPOINT_URL"],
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            region_name=self.REGION,
        )
        self.client.create_bucket(Bucket=self.BUCKET, CreateBucketConfiguration={"LocationConstraint": self.REGION})

    def keys(self) -> list[str]:
        return [item["Key"] for item in self.client.list_objects_v2(Bucket=self.BUCKET).get("Contents", [])]


def environment(port: int, relay: MailRelay, store: ObjectStore) -> dict[str, str]:
    redis.Redis.from_url(REDIS_URL).ping()
    audit_private, audit_public = new_key_pair()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "LOG_"))}
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "BID_ENCRYPTION_KEYS": new_key(),
            "PERSONAL_DATA_KEYS": new_key(),
            "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(48),
            "AUDIT_SIGNING_KEY": audit_private,
            "AUDIT_VERIFY_KEYS": audit_public,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SERVICE_BASE_URL": f"https://127.0.0.1:{port}",
            "DATABASE_URL": fresh_database(),
            "REDIS_URL": REDIS_URL,
            **store.env,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(relay.port),
            "LOG_FORMAT": "json",
            "WEB_CONCURRENCY": "2",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPOSITORY, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"smoke: manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


class Browser:
    """A person's browser behind the load balancer, which ends TLS and says so in X-Forwarded-Proto.

    The service's cookies are Secure. Browsers treat a loopback address as secure and send them over
    it; requests does not, so this browser forgets the flag on each cookie it is given, and follows
    redirects itself so that a cookie set on a redirect goes with the next request."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()
        self.session.headers.update({"X-Forwarded-Proto": "https", "Origin": base.replace("http://", "https://")})

    def _send(self, method: str, url: str, data: dict | None = None) -> requests.Response:
        for _ in range(10):
            response = self.session.request(method, url, data=data, allow_redirects=False, timeout=60)
            for cookie in self.session.cookies:
                cookie.secure = False
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            url, method, data = urljoin(url, response.headers["Location"]), "GET", None
        raise SystemExit(f"smoke: too many redirects from {url}")

    def get(self, path: str, expect: int = 200) -> requests.Response:
        response = self._send("GET", self.base + path)
        check(response, expect)
        return response

    def submit(self, path: str, fields: dict[str, str], expect: int = 200) -> requests.Response:
        """GET the form, then POST it with its CSRF token and hidden fields, as a browser would."""
        page = self.get(path)
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        response = self._send("POST", page.url, {**hidden, **fields})
        check(response, expect)
        return response


def check(response: requests.Response, expect: int) -> None:
    if response.status_code != expect:
        raise SystemExit(
            f"smoke: {response.request.method} {response.url} answered {response.status_code}, "
            f"not {expect}:\n{response.text[:2000]}"
        )


def wait_ready(base: str, stack: subprocess.Popen) -> dict:
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            raise SystemExit("smoke: the stack stopped before it was ready")
        try:
            response = requests.get(base + "/readyz", timeout=30)
            if response.status_code == 200:
                return response.json()
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(1)
    raise SystemExit("smoke: /readyz did not answer 200 in time")


def journey(base: str, env: dict[str, str]) -> None:
    public = Browser(base)
    assert "Commission probation services" in public.get("/").text
    say("start page: 200")
    public.get("/public/opportunities/")
    say("public opportunities: 200")
    # Public answers are kept in Redis (core/pagecache.py, ADR 10) under "page:" and "kept:" keys. They
    # are only a cache: forget any an earlier run left, so that this request must keep its own.
    store = redis.Redis.from_url(REDIS_URL)
    for pattern in ("*page:*", "*kept:*"):
        for key in store.scan_iter(pattern):
            store.delete(key)
    public.get("/insights/who-takes-part/")
    kept = {key for pattern in ("*page:*", "*kept:*") for key in store.scan_iter(pattern)}
    assert kept, "the insight page's answer was not kept in Redis"
    say(f"an insight page: 200, its answer kept in Redis ({len(kept)} new keys)")
    ready = public.get("/readyz").json()
    assert ready["status"] == "ready", ready
    say(f"/readyz: {json.dumps(ready['checks'])}")

    provider = Browser(base)
    home = provider.submit("/account/sign-in/", {"email": PROVIDER, "password": DEMO_PASSWORD})
    assert home.url.endswith("/account/"), home.url
    for_you = provider.get("/opportunities/for-you/")
    opportunity = re.search(r'href="(/opportunities/\d+/)"', for_you.text)
    assert opportunity, "no opportunity listed for the demo provider"
    provider.get(opportunity.group(1))
    say(f"provider signed in and opened {opportunity.group(1)}: 200")

    staff = Browser(base)
    code_page = staff.submit("/account/sign-in/", {"email": STAFF, "password": DEMO_PASSWORD})
    assert "/account/sign-in/code/" in code_page.url, code_page.url
    # The code the demo's authenticator app shows now: demo_code runs only with DEBUG (dev settings).
    code = manage({**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}, "demo_code", STAFF).strip()
    signed_in = staff.submit(code_page.url.removeprefix(base), {"code": code})
    assert signed_in.url.endswith("/account/"), signed_in.url
    staff.get("/join/assess/")
    say("staff signed in with the second factor and opened the assessor's work: 200")


def stop(stack: subprocess.Popen) -> None:
    """SIGTERM to honcho, which passes it to every process and waits for them, as a deploy stops one."""
    if stack.poll() is None:
        stack.send_signal(signal.SIGTERM)
    try:
        stack.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(stack.pid, signal.SIGKILL)
        stack.wait()
        raise SystemExit("smoke: the stack did not stop within 60 seconds of SIGTERM") from None


def check_logs(log: str) -> None:
    stopped = re.findall(r"\| (\w+\.\d+) stopped \(rc=", log)
    assert sorted(stopped) == ["timetable.1", "timetable.2", "web.1", "worker.1", "worker.2"], stopped
    timetables = log.count("This process runs the task timetable")
    waiting = log.count("this one waits, and takes over if it stops")
    assert (timetables, waiting) == (1, 1), f"timetables running {timetables}, waiting {waiting}"
    say("of two timetables, one ran and one waited")
    workers = len(re.findall(r"Starting worker worker_id=", log))
    assert workers == 2, f"{workers} task workers started"
    access = [line for line in log.splitlines() if '"logger": "core.access"' in line]
    assert access, "no access log lines"
    record = json.loads(access[-1].split("|", 1)[1])
    assert {"method", "path", "status", "duration_ms", "request_id", "user_id"} <= record.keys(), record
    say(f"{len(access)} JSON access log lines, each with its request id")


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="cps-smoke-") as scratch:
        relay, store = MailRelay(), ObjectStore()
        env = environment(port, relay, store)
        say(f"database {DATABASE}, Redis {REDIS_URL}, S3 {store.env['AWS_S3_ENDPOINT_URL']}, port {port}")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_demo_world", "--force", "--national-scale", os.environ.get("SMOKE_NATIONAL_SCALE", "0"))
        uploads = store.keys()
        assert uploads, "the demo world's uploaded files are not in the object store"
        say(f"migrated and loaded the demo world; {len(uploads)} uploaded files in the S3 bucket")
        empty_env_file = Path(scratch) / "empty.env"
        empty_env_file.write_text("")
        log_path = REPOSITORY / "var" / "smoke-stack.log"  # kept after the run, for reading
        log_path.parent.mkdir(exist_ok=True)
        with log_path.open("w") as log:
            stack = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "honcho"),
                    "start",
                    "--no-colour",
                    "--env",
                    str(empty_env_file),
                    "--port",
                    str(port),
                    "--concurrency",
                    "web=1,worker=2,timetable=2",
                ],
                cwd=REPOSITORY,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_ready(base, stack)
            say("the stack is ready (gunicorn 2 workers, 2 task workers, 2 timetables)")
            journey(base, env)
        except BaseException:
            print(log_path.read_text()[-8000:], file=sys.stderr)
            raise
        finally:
            stop(stack)
        output = log_path.read_text()
        for line in output.splitlines():
            if "system" in line.split("|", 1)[0] or "task timetable" in line:
                print("  " + line[:200])
        check_logs(output)
        say(f"the stack stopped cleanly (honcho exit {stack.returncode}); the mail relay took {relay.messages} e-mails")
        relay.shutdown()
        store.server.stop()
    say("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
