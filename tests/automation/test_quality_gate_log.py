"""Stage 7 of a run logs why a draft stays in review: its quality score and failed checks."""

import pytest

from igny8_core.automation.models import AutomationConfig
from igny8_core.publishing.models import PublishingSettings
from igny8_core.writer.models import Content, Tasks

from .helpers import start_and_execute

pytestmark = pytest.mark.django_db


def test_the_run_log_names_the_failed_checks(alice_site, settings, tmp_path):
    settings.IGNY8_LOG_ROOT = tmp_path
    config = AutomationConfig.for_site(alice_site)
    config.within_stage_delay = config.between_stage_delay = 0
    config.max_concurrency = 1
    config.save()
    PublishingSettings.objects.create(site=alice_site, auto_approval_enabled=True, min_quality_score=95)
    task = Tasks.objects.create(site=alice_site, title="Iced Tea", keywords=["matcha latte"])
    weak = Content.objects.create(
        site=alice_site, task=task, title="Iced Tea", html_content="<p>Short.</p>", status=Content.Status.REVIEW
    )

    run = start_and_execute(alice_site)

    assert run.stage_result(7)["held_for_quality"][0]["content_id"] == weak.pk
    [log_file] = tmp_path.rglob("automation_run.log")
    log = log_file.read_text()
    assert f"Content {weak.pk} stays in review: quality" in log and "keyword_in_title" in log
