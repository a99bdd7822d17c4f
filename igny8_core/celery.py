"""The Celery app. Periodic tasks live in django-celery-beat's tables (registered on migrate)."""

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


def _warm_up(**kwargs: object) -> None:
    """Load the quality check's dictionary before the pool forks: every child inherits it."""
    try:
        from .ai.quality import warm_up

        warm_up()
    except Exception:
        log.warning("Could not warm up the quality check; the first run loads it instead.", exc_info=True)


worker_init.connect(_warm_up, weak=False, dispatch_uid="igny8_worker_init_warm_up")
