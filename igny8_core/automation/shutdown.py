"""Warm shutdown of a worker (SIGTERM): the run it executes stops after its in-flight item and
is handed over (new ticket, resume task queued) instead of holding the worker until the run
ends, so it continues on another or the restarted worker without a crash recovery.

Celery announces the shutdown in the worker's main process (`worker_shutting_down`); the task
may run in a pool child, so the announcement is a Redis key per worker host name that the
task reads between items. A restarted worker with the same name clears it when it is ready.
"""

import logging
from collections.abc import Callable
from typing import Any

from celery.signals import worker_ready, worker_shutting_down

from igny8_core.degraded import REDIS_ERRORS

from . import lock as site_lock

log = logging.getLogger(__name__)
KEY_TTL = 24 * 3600  # a worker that never restarts must not leave the key forever


def _key(hostname: str) -> str:
    return f"automation_draining:{hostname}"


def announce(hostname: str) -> None:
    site_lock.client().set(_key(hostname), "1", ex=KEY_TTL)


def clear(hostname: str) -> None:
    site_lock.client().delete(_key(hostname))


def checker(hostname: str | None) -> Callable[[], bool]:
    """A cheap question for the service: is this worker shutting down?"""
    if not hostname:
        return lambda: False

    def draining() -> bool:
        try:
            return bool(site_lock.client().exists(_key(hostname)))
        except REDIS_ERRORS:  # Redis down: the run's own checks stop it; never fail a run here
            return False

    return draining


def _on_shutting_down(sender: str | None = None, how: str = "", **kwargs: Any) -> None:
    if not sender:
        return
    try:
        announce(sender)
        log.warning("Worker %s: %s shutdown; runs stop after their in-flight item and are handed over.", sender, how)
    except REDIS_ERRORS:
        log.exception("Could not announce the shutdown of %s", sender)


def _on_ready(sender: Any = None, **kwargs: Any) -> None:
    hostname = getattr(sender, "hostname", None)
    if hostname:
        try:
            clear(hostname)
        except REDIS_ERRORS:
            log.exception("Could not clear the shutdown mark of %s", hostname)


worker_shutting_down.connect(_on_shutting_down, weak=False)
worker_ready.connect(_on_ready, weak=False)
