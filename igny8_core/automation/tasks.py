"""Celery tasks: load ids, call the service. Business rules live in control / executor / schedule / recovery;
the pipeline tasks are sent by name (dispatch.py).

The two pipeline tasks are routed to the `automation` queue (settings.CELERY_TASK_ROUTES), are
acked early (a crash is recovered by recover_stale_runs, not by broker redelivery) and stop
cooperatively at the soft time limit. The periodic tasks run on the default queue.
"""

from celery import current_task, shared_task
from django.conf import settings

from igny8_core.notifications.events import notify_run_outcome

from . import recovery, scheduler, shutdown
from .models import RunStatus
from .service import AutomationService

PIPELINE_TASK_OPTIONS = dict(
    acks_late=False,
    ignore_result=True,
    soft_time_limit=settings.CELERY_AUTOMATION_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_AUTOMATION_TIME_LIMIT,
)


def execute_run(run_id: str, ticket: int | None) -> str:
    """Redeem the ticket and execute the run here (the pipeline tasks, and run_automation --sync)."""
    # The worker's name: a warm shutdown of this worker hands the run over (shutdown.py).
    hostname = current_task.request.hostname if current_task else None
    service = AutomationService.claim_run(run_id, ticket, draining=shutdown.checker(hostname))
    if service is None:
        return "stale ticket: another worker has (or had) this run"
    outcome = service.execute()
    if outcome in (RunStatus.COMPLETED, RunStatus.FAILED):
        notify_run_outcome(run_id)  # queued for the default queue: a failing target never touches the run
    return outcome


@shared_task(**PIPELINE_TASK_OPTIONS)
def run_automation_task(run_id: str, ticket: int | None = None) -> str:
    """Execute a freshly started run from stage 1."""
    return execute_run(run_id, ticket)


@shared_task(**PIPELINE_TASK_OPTIONS)
def resume_automation_task(run_id: str, ticket: int | None = None) -> str:
    """Continue a resumed (or recovered) run from its current_stage."""
    return execute_run(run_id, ticket)


@shared_task(ignore_result=True, expires=55 * 60)
def check_scheduled_automations() -> dict:
    """Hourly on the hour (django-celery-beat): start due scheduled runs."""
    return scheduler.check_scheduled_automations()


@shared_task(ignore_result=True, expires=55)
def recover_stale_runs() -> dict:
    """Every minute: take over runs whose worker died, resume or fail them."""
    return recovery.recover_stale_runs()
