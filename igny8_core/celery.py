"""The Celery app. Periodic tasks live in django-celery-beat's tables (registered on migrate)."""

import gc
import logging
import os

from celery import Celery
from celery.signals import task_postrun, worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igny8_core.settings")

log = logging.getLogger(__name__)
app = Celery("igny8_core")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _worker_seen(**kwargs: object) -> None:
    """Health: a worker that starts or finishes a task is alive (see igny8_core.health)."""
    from .health import record_worker_seen

    record_worker_seen()


worker_ready.connect(_worker_seen, weak=False, dispatch_uid="igny8_worker_ready_seen")
task_postrun.connect(_worker_seen, weak=False, dispatch_uid="igny8_task_postrun_seen")


def warm_up_process() -> None:
    """What a worker does before its first task (before the pool forks: every child inherits
    it): load the quality check's dictionary, then freeze everything loaded so far.

    Django, the SDK and the dictionary (about a million objects) live as long as the process.
    Frozen, the garbage collector's full collections no longer walk them - each took ~130 ms,
    several times per run - and forked children keep sharing their memory pages."""
    try:
        from .ai.quality import warm_up

        warm_up()
    except Exception:
        log.warning("Could not warm up the quality check; the first run loads it instead.", exc_info=True)
    gc.freeze()


def _warm_up(**kwargs: object) -> None:
    warm_up_process()


worker_init.connect(_warm_up, weak=False, dispatch_uid="igny8_worker_init_warm_up")
