"""Readiness checks behind /api/v1/health/: the database, Redis and a recently seen Celery worker.

A worker is "seen" when it starts or finishes a task (signals below write a timestamp to Redis;
beat's publisher tick runs every minute, so a healthy install refreshes it constantly). When the
mark is older than HEALTH_WORKER_SEEN_WITHIN, one broadcast ping (1 s) asks the workers directly.
"""

import logging
import time
from functools import lru_cache

import redis
from django.conf import settings
from django.db import connection

from .degraded import DATABASE_ERRORS, REDIS_ERRORS

log = logging.getLogger(__name__)
WORKER_SEEN_KEY = "igny8:health:worker_seen"
PING_TIMEOUT = 1.0


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _redis() -> redis.Redis:
    return _client_for(settings.REDIS_URL)


def check_database() -> str | None:
    """None when a query answers, else why not."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_ERRORS as exc:
        log.warning("Health: database unavailable: %s", exc)
        return f"unavailable ({exc.__class__.__name__})"
    return None


def check_redis() -> str | None:
    try:
        _redis().ping()
    except REDIS_ERRORS as exc:
        log.warning("Health: Redis unavailable: %s", exc)
        return f"unavailable ({exc.__class__.__name__})"
    return None


def record_worker_seen(**kwargs: object) -> None:
    try:
        _redis().set(WORKER_SEEN_KEY, time.time(), ex=24 * 3600)
    except REDIS_ERRORS:  # the worker is alive; Redis being down is reported by check_redis
        pass


def check_worker() -> str | None:
    """None when a worker was seen within HEALTH_WORKER_SEEN_WITHIN seconds or answers a ping."""
    within = settings.HEALTH_WORKER_SEEN_WITHIN
    try:
        seen = _redis().get(WORKER_SEEN_KEY)
    except REDIS_ERRORS:
        return "unknown (Redis unavailable)"
    if seen is not None and time.time() - float(seen) <= within:
        return None
    # The running app (igny8_core/celery.py, loaded with the project), without importing that
    # module: it imports this one to record a worker's signs of life.
    from celery import current_app

    try:
        replies = current_app.control.ping(timeout=PING_TIMEOUT)
    except REDIS_ERRORS:
        return "unknown (Redis unavailable)"
    if replies:
        record_worker_seen()
        return None
    return f"no Celery worker seen in the last {within} s"


CHECKS = {"database": check_database, "redis": check_redis, "worker": check_worker}


def run_checks() -> dict[str, str]:
    """{name: 'ok' or why it fails} for every check."""
    return {name: check() or "ok" for name, check in CHECKS.items()}
