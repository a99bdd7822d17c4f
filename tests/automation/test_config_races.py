"""A config edit racing the hourly schedule check must not undo the check's bookkeeping."""

from datetime import timedelta

import pytest
from django.utils import timezone

from igny8_core.automation.models import AutomationConfig, AutomationRun
from igny8_core.automation.scheduler import check_scheduled_automations
from igny8_core.automation.service import AutomationService

from .helpers import add_keywords

pytestmark = pytest.mark.django_db


def test_a_config_edit_loaded_before_a_scheduled_start_does_not_rewind_next_run_at(alice_site):
    add_keywords(alice_site, 3)
    config = AutomationConfig.for_site(alice_site)
    due = timezone.now() - timedelta(minutes=1)
    AutomationConfig.objects.filter(pk=config.pk).update(is_enabled=True, next_run_at=due)
    edited = AutomationConfig.for_site(alice_site)  # the API request loads the config ...

    summary = check_scheduled_automations()  # ... the hourly tick starts the due run ...
    assert len(summary["started"]) == 1
    advanced = AutomationConfig.objects.get(pk=config.pk)
    assert advanced.next_run_at > timezone.now() and advanced.last_run_at is not None

    AutomationService.update_config(edited, {"stage_1_batch_size": 5})  # ... then saves a batch size
    saved = AutomationConfig.objects.get(pk=config.pk)
    assert saved.stage_1_batch_size == 5
    assert (saved.next_run_at, saved.last_run_at) == (advanced.next_run_at, advanced.last_run_at)

    AutomationRun.objects.filter(site=alice_site).update(status="completed")
    assert check_scheduled_automations()["started"] == []  # no second run in the same period
