"""Tasks that child processes run in the process tests (test_processes.py): each notes which process
ran it, in the file named by PROBE_FILE, one line each ("<pid> <label>")."""

import os
import time
from pathlib import Path

from django.tasks import task


def _note(label: str) -> None:
    with open(os.environ["PROBE_FILE"], "a") as probe:
        probe.write(f"{os.getpid()} {label}\n")


def pids_seen() -> set[int]:
    path = Path(os.environ["PROBE_FILE"])
    return {int(line.split()[0]) for line in path.read_text().splitlines()} if path.exists() else set()


@task
def note_run(label: str = "timetable") -> None:
    _note(label)


@task
def note_run_and_wait_for_another_worker(label: str) -> None:
    """Holds its worker until another process has run a task (at most a minute), so the test sees
    two workers at work together however unevenly they started."""
    _note(label)
    deadline = time.monotonic() + 60
    while pids_seen() == {os.getpid()} and time.monotonic() < deadline:
        time.sleep(0.05)
