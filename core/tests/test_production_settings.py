"""What production settings choose from the environment: kept connections, the Redis cache, JSON logs."""

import importlib
import sys
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from competitions.sealing import new_key
from config.settings.base import caches


@pytest.fixture
def production(monkeypatch):
    """config.settings.production as a fresh module, read with the environment the test sets."""

    def load(**environ):
        monkeypatch.setenv("SECRET_KEY", "x" * 50)
        monkeypatch.setenv("BID_ENCRYPTION_KEYS", new_key())
        monkeypatch.setenv("PERSONAL_DATA_KEYS", new_key())
        monkeypatch.setenv("PERSONAL_DATA_HASH_KEY", "h" * 64)
        for name in ("CONN_MAX_AGE", "LOG_FORMAT", "REDIS_URL", "DATABASE_REPLICA_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        # Both read afresh (the base module reads the environment too); the originals come back after.
        monkeypatch.delitem(sys.modules, "config.settings.base", raising=False)
        monkeypatch.delitem(sys.modules, "config.settings.production", raising=False)
        return importlib.import_module("config.settings.production")

    return load


def test_production_keeps_connections_for_a_minute_checks_them_and_logs_json(production):
    settings = production()
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 60
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.LOG_FORMAT == "json"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SECURE_REDIRECT_EXEMPT == [r"^healthz$", r"^readyz$"]


def test_production_settings_follow_the_environment(production):
    settings = production(CONN_MAX_AGE="0", LOG_FORMAT="plain")
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "plain"


def test_the_cache_is_redis_when_redis_url_is_set_and_local_memory_otherwise():
    assert caches({})["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert caches({"REDIS_URL": "redis://cache.internal:6379/0"})["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/0",
    }


def test_djangos_redis_cache_works_against_the_local_redis():
    """The backend production uses, against the Redis running on this machine (127.0.0.1:6379)."""
    import os

    config = caches({"REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")})["default"]
    cache = RedisCache(config["LOCATION"], {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    try:
        cache.set("page", {"rows": [1, 2]}, timeout=30)
        assert cache.get("page") == {"rows": [1, 2]}
        assert cache.add("hits", 0)
        assert cache.incr("hits") == 1
        cache.delete("page")
        assert cache.get("page") is None
    finally:
        cache.delete_many(["page", "hits"])
        cache.close()
