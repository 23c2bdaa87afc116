"""Enqueue the tasks in settings.PERIODIC_TASKS on their timetable, for the task worker to run.

`make run` starts this beside `db_worker`. In production run it as one long-lived process, or
from cron with --once.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Enqueue periodic tasks (reminders, contracts due after the waiting period)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue every periodic task once and stop.")
        parser.add_argument("--tick", type=float, default=30.0, help="Seconds between checks of the timetable.")

    def handle(self, *args, once: bool = False, tick: float = 30.0, **options):
        schedule = [(import_string(path), path, every) for path, every in settings.PERIODIC_TASKS]
        last_run: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for task, path, every in schedule:
                if once or now - last_run.get(path, float("-inf")) >= every:
                    task.enqueue()
                    last_run[path] = now
                    self.stdout.write(f"Enqueued {path}")
            if once:
                return
            time.sleep(tick)
