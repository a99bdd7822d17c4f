"""Queueing a run: the pipeline tasks are sent by their registered names."""

import pytest
from celery import current_app

from igny8_core.automation import dispatch, tasks
from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.automation.service import AutomationService

from .helpers import add_keywords, demo_engine, fast_config


def test_the_names_sent_are_the_registered_pipeline_tasks():
    assert tasks.run_automation_task.name == dispatch.RUN_TASK
    assert tasks.resume_automation_task.name == dispatch.RESUME_TASK


# The run executes inline, its batches and heartbeat in threads: they must see committed rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_always_eager_the_run_executes_inline_without_a_worker(small_site, monkeypatch):
    add_keywords(small_site, 3)
    fast_config(small_site)
    monkeypatch.setattr(AutomationService, "engine_factory", staticmethod(lambda account, site: demo_engine(site)))
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)

    run = AutomationService.start_automation(small_site)

    assert AutomationRun.objects.get(pk=run.pk).status == RunStatus.COMPLETED
