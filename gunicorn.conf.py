"""gunicorn's settings for the web process (the Procfile's `web`), every one from the environment.

gunicorn reads this file by itself when started in the repository's folder. The worker model is a
deployment's choice, measured under its own load (README, "Run it in production"): `sync` is the
default because a killed sync worker loses only the one request it was serving.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# honcho (and most platforms) give the web process its port in PORT; listen on loopback unless told
# otherwise, so a machine never serves the world by accident. Behind a load balancer on another
# machine set WEB_BIND=0.0.0.0:8000.
bind = os.environ.get("WEB_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", 2)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = _int("GUNICORN_THREADS", 1)

# A request that takes longer than this is stuck: the master kills the worker and starts another.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (a deploy, `honcho` stopping) workers finish the requests they hold for up to this long.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than gunicorn's 2 s default so a load balancer's pooled connections are not cut under it.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Restart a worker after this many requests (0: never), with jitter so workers do not restart together.
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 0)

# Proxies whose X-Forwarded-* headers are believed (the load balancer's addresses, comma-separated).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The heartbeat file in memory, not on a disk that can stall (gunicorn's own advice for containers).
if os.path.isdir("/dev/shm"):  # noqa: S108 - a directory gunicorn writes heartbeats to, not a temp file we create
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# Django logs one line per request with its request id (core.middleware.AccessLogMiddleware), so
# gunicorn's own access log stays off; its error log goes to standard error, in JSON when the
# service's is (LOG_FORMAT).
accesslog = None
errorlog = "-"
if os.environ.get("LOG_FORMAT", "json").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }

# gunicorn's control socket (`gunicornc`) is off unless asked for: its default path is one per user,
# so two stacks on one machine (a smoke run beside a benchmark) would fight over it.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "") == ""
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
