"""The Celery app. Periodic tasks live in django-celery-beat's tables (registered on migrate)."""

import os

from celery import Celery
from celery.signals import task_postrun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igny8_core.settings")

app = Celery("igny8_core")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _worker_seen(**kwargs: object) -> None:
    """Health: a worker that starts or finishes a task is alive (see igny8_core.health)."""
    from .health import record_worker_seen

    record_worker_seen()


worker_ready.connect(_worker_seen, weak=False, dispatch_uid="igny8_worker_ready_seen")
task_postrun.connect(_worker_seen, weak=False, dispatch_uid="igny8_task_postrun_seen")
