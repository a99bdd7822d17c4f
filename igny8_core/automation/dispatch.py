"""Sending a run's pipeline task to the queue.

The tasks are sent by their registered names, so the modules that start, resume, hand over or
recover a run never import tasks.py, which imports them in turn to execute the run.
"""

from celery import current_app
from django.db import transaction
from django.utils import timezone

from igny8_core.degraded import REDIS_ERRORS

from .models import AutomationRun, RunStatus

# The names tasks.py registers (and CELERY_TASK_ROUTES routes to the automation queue).
RUN_TASK = "igny8_core.automation.tasks.run_automation_task"
RESUME_TASK = "igny8_core.automation.tasks.resume_automation_task"


def enqueue(run: AutomationRun, resume: bool = False) -> None:
    """Send the run's pipeline task (from stage 1, or resuming at its current stage) once the
    surrounding transaction has committed, so the worker never looks for a row that is not
    there yet."""
    name = RESUME_TASK if resume else RUN_TASK
    run_id, ticket = run.run_id, run.epoch

    def send() -> None:
        try:
            send_by_name(name, [run_id, ticket])
        except REDIS_ERRORS:
            _fail_unqueued(run_id, ticket)
            raise  # the API answers 503 service_unavailable

    transaction.on_commit(send)


def send_by_name(name: str, args: list[object]) -> None:
    """To the broker by name; with CELERY_TASK_ALWAYS_EAGER (debugging without a worker), which
    send_task ignores, the tasks modules are loaded as a worker loads them and the task runs here."""
    if current_app.conf.task_always_eager:
        current_app.loader.import_default_modules()
        current_app.tasks[name].apply_async(args=args)
    else:
        current_app.send_task(name, args=args)


def _fail_unqueued(run_id: str, epoch: int) -> None:
    """The broker (Redis) refused the task: no worker will ever take the run, so it ends now
    with the reason instead of blocking the site as 'running' until the reaper notices."""
    message = "The run could not be queued: Redis (the task queue) is unavailable. Start it again once it is back."
    AutomationRun.objects.filter(run_id=run_id, epoch=epoch, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED,
        completed_at=timezone.now(),
        error_message=message,
        stopped_reason=message,
        current_processing=None,
    )
