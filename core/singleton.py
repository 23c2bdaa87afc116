"""A lock that lets only one process in a deployment do a job, however many are started.

The task timetable must run once per database: two would enqueue every periodic task twice. On
PostgreSQL the lock is a session advisory lock (`pg_try_advisory_lock`) on the database itself, so
it holds across machines and is released by PostgreSQL the moment the holder's connection ends
(the process stopped, crashed, or its machine went away). On SQLite, where every process is on one
machine, it is an OS file lock (`fcntl.flock`) on a file beside the database file, released by the
kernel when the holder exits. An in-memory SQLite database (the tests') is private to one process,
so there the lock is always free.
"""

from __future__ import annotations

import fcntl
import hashlib
from pathlib import Path

from django.db import DatabaseError, connections


def advisory_key(name: str) -> int:
    """A stable, positive 64-bit key for pg_try_advisory_lock from a readable name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") & (2**63 - 1)


class SingleInstanceLock:
    def __init__(self, name: str, using: str = "default"):
        self.name = name
        self.using = using
        self.key = advisory_key(name)
        self._file = None
        self.held = False

    @property
    def connection(self):
        return connections[self.using]

    def describe(self) -> str:
        if self.connection.vendor == "postgresql":
            return f"PostgreSQL advisory lock {self.key}"
        path = self._lock_path()
        return f"file lock {path}" if path else "no lock needed (in-memory database)"

    def _lock_path(self) -> Path | None:
        name = str(self.connection.settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            return None
        return Path(f"{name}.{self.name}.lock")

    def acquire(self) -> bool:
        """Take the lock if it is free; never waits. True if this process now holds it."""
        if self.held:
            return True
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                self.held = bool(cursor.fetchone()[0])
            return self.held
        path = self._lock_path()
        if path is None:
            self.held = True
            return True
        lock_file = path.open("a")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            return False
        self._file = lock_file
        self.held = True
        return True

    def still_held(self) -> bool:
        """Whether the lock is still this process's. On PostgreSQL a lost connection loses the lock
        (another process may take it at once), so the holder asks before each round of work."""
        if not self.held:
            return False
        if self.connection.vendor != "postgresql":
            return True
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                    " AND ((classid::bigint << 32) | objid::bigint) = %s AND objsubid = 1)",
                    [self.key],
                )
                self.held = bool(cursor.fetchone()[0])
        except DatabaseError:
            # The connection is gone, and the lock with it: start again on a new one.
            self.connection.close()
            self.held = False
        return self.held

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        if self.connection.vendor == "postgresql":
            try:
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
            except DatabaseError:
                self.connection.close()  # a closed session holds no lock
        elif self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
