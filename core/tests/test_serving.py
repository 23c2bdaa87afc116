"""The Procfile and gunicorn's settings: what `honcho start` and the web process run."""

import runpy

from django.core.management import get_commands

from tests.shared import REPOSITORY


def _gunicorn_settings(monkeypatch, **environ) -> dict:
    for name in ("PORT", "WEB_BIND", "WEB_CONCURRENCY", "GUNICORN_WORKER_CLASS", "GUNICORN_THREADS", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(REPOSITORY / "gunicorn.conf.py"))


def test_the_procfile_starts_the_web_server_the_task_workers_and_the_timetable():
    processes = dict(line.split(": ", 1) for line in (REPOSITORY / "Procfile").read_text().splitlines() if line.strip())
    assert processes == {
        "web": "gunicorn config.wsgi",
        "worker": "python manage.py db_worker",
        "timetable": "python manage.py run_periodic_tasks",
    }
    assert {"db_worker", "run_periodic_tasks"} <= set(get_commands())


def test_gunicorn_defaults_to_two_sync_workers_on_loopback_with_json_logs(monkeypatch):
    config = _gunicorn_settings(monkeypatch)
    assert (config["bind"], config["workers"], config["worker_class"], config["threads"]) == (
        "127.0.0.1:8000",
        2,
        "sync",
        1,
    )
    assert config["timeout"] == 30 and config["graceful_timeout"] == 30
    assert config["accesslog"] is None  # the service writes the access log, with the request id
    assert config["logconfig_dict"]["formatters"]["json"]["()"] == "pythonjsonlogger.json.JsonFormatter"
    assert config["control_socket_disable"] is True


def test_gunicorn_takes_its_worker_model_and_count_from_the_environment(monkeypatch):
    config = _gunicorn_settings(
        monkeypatch,
        PORT="5000",
        WEB_CONCURRENCY="5",
        GUNICORN_WORKER_CLASS="gthread",
        GUNICORN_THREADS="4",
        LOG_FORMAT="plain",
    )
    assert (config["bind"], config["workers"], config["worker_class"], config["threads"]) == (
        "127.0.0.1:5000",
        5,
        "gthread",
        4,
    )
    assert "logconfig_dict" not in config
    assert _gunicorn_settings(monkeypatch, WEB_BIND="0.0.0.0:8080")["bind"] == "0.0.0.0:8080"
