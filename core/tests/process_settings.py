"""Settings for the child processes the process tests start (test_processes.py): the test settings,
with the timetable running one probe task every second and the task backend chosen by the test."""

import os

from config.settings.test import *  # noqa: F403

PERIODIC_TASKS = [("core.tests.probe_tasks.note_run", 1)]
TASKS = {
    "default": {
        "BACKEND": os.environ.get("PROBE_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"),
        "QUEUES": ["default"],
    }
}
