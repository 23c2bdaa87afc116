"""Background processes started as production starts them, two at a time, on the suite's database
engine (SQLite under `make test`, PostgreSQL with DATABASE_URL): the task timetable runs once
however many are started, and two task workers together run each task once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from core.singleton import SingleInstanceLock
from tests.shared import REPOSITORY

# Transactional: the child processes see what the test database holds, and whatever they write is
# emptied after the test like any transactional test's rows.
shares_the_database = pytest.mark.django_db(transaction=True)

BOOT_SECONDS = 90  # a child's Django start on a busy two-core machine


def _shared_database_url(tmp_path: Path) -> str:
    """A database the children share: on PostgreSQL this test's own database; on SQLite (whose test
    database is in this process's memory) a file of its own."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}"


class Children:
    """Child `manage.py` processes with the process settings, their output in files."""

    def __init__(self, tmp_path: Path, **env: str):
        self.tmp_path = tmp_path
        self.probe = tmp_path / "probe.txt"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "core.tests.process_settings",
            "DATABASE_URL": _shared_database_url(tmp_path),
            "PROBE_FILE": str(self.probe),
            "LOG_FORMAT": "plain",
            **env,
        }
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        self.stopped: set[int] = set()

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPOSITORY,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=BOOT_SECONDS * 2,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    def start(self, *args: str) -> subprocess.Popen:
        output = self.tmp_path / f"child-{len(self.processes)}.log"
        with output.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "manage.py", *args], cwd=REPOSITORY, env=self.env, stdout=out, stderr=out
            )
        self.processes.append((process, output))
        return process

    def output(self, process: subprocess.Popen) -> str:
        return next(path for child, path in self.processes if child is process).read_text()

    def wait_for(self, what, timeout: float = BOOT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while not what():
            for process, output in self.processes:
                if process.pid not in self.stopped:
                    assert process.poll() is None or process.returncode == 0, output.read_text()
            assert time.monotonic() < deadline, "\n---\n".join(path.read_text() for _, path in self.processes)
            time.sleep(0.1)

    def probe_lines(self) -> list[tuple[int, str]]:
        if not self.probe.exists():
            return []
        return [(int(pid), label) for pid, label in (line.split() for line in self.probe.read_text().splitlines())]

    def stop(self, process: subprocess.Popen) -> None:
        """As honcho or systemd stops a process: SIGTERM, then wait."""
        self.stopped.add(process.pid)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _ in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def children(tmp_path):
    started = Children(tmp_path)
    yield started
    started.stop_all()


@shares_the_database
def test_two_timetables_started_together_enqueue_from_one_and_the_other_takes_over_when_it_stops(children):
    first = children.start("run_periodic_tasks", "--tick", "0.2")
    children.wait_for(lambda: "This process runs the task timetable" in children.output(first))
    second = children.start("run_periodic_tasks", "--tick", "0.2")
    children.wait_for(lambda: "this one waits" in children.output(second))
    # The probe task runs every second: wait for three runs after the second process began waiting.
    runs_before = len(children.probe_lines())
    children.wait_for(lambda: len(children.probe_lines()) >= runs_before + 3)

    assert {pid for pid, _ in children.probe_lines()} == {first.pid}
    assert "Enqueued core.tests.probe_tasks.note_run" not in children.output(second)
    # As from cron: --once enqueues nothing while a timetable runs.
    once = children.run("run_periodic_tasks", "--once")
    assert "Another process runs the task timetable" in once and "Enqueued" not in once

    children.stop(first)
    children.wait_for(lambda: second.pid in {pid for pid, _ in children.probe_lines()})
    assert "This process runs the task timetable" in children.output(second)
    lines = children.probe_lines()
    # Never both: every run of the first comes before every run of the second.
    assert [pid for pid, _ in lines] == sorted((pid for pid, _ in lines), key=[first.pid, second.pid].index)


@shares_the_database
def test_two_task_workers_together_run_every_task_exactly_once(children):
    tasks = 24
    children.env["PROBE_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    enqueue = (
        # The SQLite file is new: the task table is all the workers need (migrate would ask for every app's).
        (
            "from django.db import connection\n"
            "from django_tasks_db.models import DBTaskResult\n"
            "with connection.schema_editor() as editor: editor.create_model(DBTaskResult)\n"
            if connection.vendor == "sqlite"
            else ""
        )
        + "from core.tests import probe_tasks\n"
        "probe_tasks.note_run_and_wait_for_another_worker.enqueue('0')\n"
        f"for label in range(1, {tasks}): probe_tasks.note_run.enqueue(str(label))\n"
    )
    children.run("shell", "-c", enqueue)

    workers = [children.start("db_worker", "--batch", "--interval", "0.1", "--no-startup-delay") for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=BOOT_SECONDS * 2) == 0, children.output(worker)

    lines = children.probe_lines()
    assert sorted(int(label) for _, label in lines) == list(range(tasks)), "each task ran once, none twice"
    assert {pid for pid, _ in lines} == {worker.pid for worker in workers}, "both workers ran tasks"


def test_a_file_lock_beside_an_sqlite_database_lets_one_holder_in(tmp_path):
    """The SQLite lock within one process: flock treats two opens of the file as two holders."""
    from django.db import connections

    database = tmp_path / "db.sqlite3"
    connections.settings["lockdb"] = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(database),
        "OPTIONS": {},
    }
    try:
        first, second = SingleInstanceLock("probe", using="lockdb"), SingleInstanceLock("probe", using="lockdb")
        assert first.describe() == f"file lock {database}.probe.lock"
        assert first.acquire()
        assert not second.acquire()
        first.release()
        assert second.acquire()
        second.release()
    finally:
        del connections["lockdb"]
        del connections.settings["lockdb"]


def test_an_in_memory_database_needs_no_lock():
    lock = SingleInstanceLock("probe")
    if connection.vendor == "postgresql":
        assert lock.describe().startswith("PostgreSQL advisory lock ")
    else:
        assert lock.describe() == "no lock needed (in-memory database)"
