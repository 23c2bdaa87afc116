"""Enqueue the tasks in settings.PERIODIC_TASKS on their timetable, for the task workers to run.

`make run` starts this beside `db_worker`; in production the Procfile's `timetable` process runs it
(or cron, with --once). However many are started, one runs the timetable (core.singleton: a
PostgreSQL advisory lock, or a file lock beside an SQLite database). The others wait, trying the
lock every tick, and the first to get it takes over when the one running stops. They wait rather
than exit because a process manager (honcho, systemd, a platform's) treats a process that exits as
one to restart or, in honcho's case, stops the whole stack; and a waiting one on a second machine
means the timetable survives the first machine going away. Running late is harmless: every task
catches up on whatever became due.
"""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.utils.module_loading import import_string

from core.singleton import SingleInstanceLock

logger = logging.getLogger("core.timetable")


class Command(BaseCommand):
    help = "Enqueue periodic tasks (reminders, contracts due after the waiting period); one runs per database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue every periodic task once and stop (nothing, if another process runs the timetable).",
        )
        parser.add_argument("--tick", type=float, default=30.0, help="Seconds between checks of the timetable.")

    def handle(self, *args, once: bool = False, tick: float = 30.0, **options):
        schedule = [(import_string(path), path, every) for path, every in settings.PERIODIC_TASKS]
        lock = SingleInstanceLock("run_periodic_tasks")
        if once:
            if not lock.acquire():
                logger.info("Another process runs the task timetable (%s): nothing enqueued.", lock.describe())
                return
            try:
                self._enqueue_due(schedule, {}, everything=True)
            finally:
                lock.release()
            return
        self._run(schedule, lock, tick)

    def _run(self, schedule, lock: SingleInstanceLock, tick: float) -> None:
        last_run: dict[str, float] = {}
        role = None
        while True:
            try:
                running = lock.still_held() or lock.acquire()
                if running and role != "runs":
                    logger.info("This process runs the task timetable (%s).", lock.describe())
                elif not running and role != "waits":
                    logger.info(
                        "Another process runs the task timetable (%s): this one waits, and takes over if it stops.",
                        lock.describe(),
                    )
                    # What this process ran before is no record now; on taking over it starts afresh.
                    last_run.clear()
                role = "runs" if running else "waits"
                if running:
                    self._enqueue_due(schedule, last_run)
            except DatabaseError:
                # The database went away (a restart, a failover): keep trying rather than exit, which
                # would stop a whole honcho stack; the lock went with the connection.
                logger.warning("The database could not be reached; trying again in %s seconds.", tick, exc_info=True)
                lock.release()
                connection.close()
                role = None
            time.sleep(tick)

    def _enqueue_due(self, schedule, last_run: dict[str, float], everything: bool = False) -> None:
        now = time.monotonic()
        for task, path, every in schedule:
            if everything or now - last_run.get(path, float("-inf")) >= every:
                task.enqueue()
                last_run[path] = now
                self.stdout.write(f"Enqueued {path}")
