"""The run_automation management command and the admin pages."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from igny8_core.accounts.models import User
from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.automation.service import AutomationService
from igny8_core.writer.models import Content

from .helpers import add_keywords, demo_engine, fast_config

pytestmark = pytest.mark.django_db


# The run executes in a thread beside the progress display: its connection must see committed rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_automation_sync_wait_shows_live_progress_and_a_summary(small_site, monkeypatch, capfd):
    add_keywords(small_site, 6)
    fast_config(small_site)
    monkeypatch.setattr(AutomationService, "engine_factory", staticmethod(lambda account, site: demo_engine(site)))
    out = StringIO()
    call_command("run_automation", "--site", small_site.domain, "--sync", "--wait", "--interval", "0.05", stdout=out)
    text = out.getvalue()
    run = AutomationRun.objects.get(site=small_site)
    assert run.status == RunStatus.COMPLETED
    assert f"Started {run.run_id}" in text
    # Live: several progress headlines while the run ran, with the API's own percentages.
    headlines = [line for line in text.splitlines() if line.startswith(f"{run.run_id}  running")]
    percentages = [int(line.split("%")[0].split()[-1]) for line in headlines if "%" in line]
    assert len(set(percentages)) >= 3 and percentages == sorted(percentages)
    assert "Executed in this process: completed" in text
    captured = capfd.readouterr()
    assert "succeeded in" not in captured.out + captured.err  # no Celery task log line
    assert "100%" in text and " 1 Keywords → Clusters" in text and "[########################]" in text
    assert f"Run {run.run_id}: completed. Credits used: {run.total_credits_used}." in text
    content = Content.objects.filter(site=small_site).count()
    summary_row = next(line for line in text.splitlines() if line.startswith("4 Tasks → Content"))
    assert summary_row.split()[4:6] == ["completed", str(content)]


def test_run_automation_without_wait_only_starts(alice_site, django_capture_on_commit_callbacks):
    out = StringIO()
    call_command("run_automation", "--site", str(alice_site.pk), stdout=out)
    run = AutomationRun.objects.get(site=alice_site)
    assert run.status == RunStatus.RUNNING and "add --wait to follow it" in out.getvalue()


def test_run_automation_errors_are_clear(alice_site):
    with pytest.raises(CommandError, match="No site with id or domain"):
        call_command("run_automation", "--site", "nowhere.example.com")
    AutomationService.start_automation(alice_site)
    with pytest.raises(CommandError, match="already running or paused"):
        call_command("run_automation", "--site", alice_site.domain)


def test_admin_lists_runs_and_configs_and_pauses_through_the_service(alice_site, client):
    admin = User.objects.create_superuser("root", "root@example.com", "root-pw-12345")
    client.force_login(admin)
    run = AutomationService.start_automation(alice_site)
    page = client.get("/admin/automation/automationrun/")
    assert page.status_code == 200 and run.run_id in page.content.decode()
    assert client.get("/admin/automation/automationconfig/").status_code == 200
    response = client.post(
        "/admin/automation/automationrun/", {"action": "pause_runs", "_selected_action": [run.pk]}, follow=True
    )
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED
