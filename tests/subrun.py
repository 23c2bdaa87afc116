"""Run pytest in a child process on example tests, to see a suite-wide guard fail as a developer would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.shared import REPOSITORY


def run_pytest(*args: str, tmp_path: Path) -> tuple[int, str]:
    """Exit code and output. The child always uses its own SQLite database (in memory for tests), so
    it never touches the test databases of the run that started it (on PostgreSQL they share names).
    Its tables are made from the models, not by running every migration: the examples need no
    reference data, and migrating took most of the child's time (26 s against 10 s)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'child.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-q", "--no-header", "--no-migrations", *args],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    return result.returncode, result.stdout + result.stderr
