"""The schedule: next_run_at (site time zone, DST, month ends) and the hourly check."""

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from igny8_core.automation.models import AutomationConfig, AutomationRun, RunStatus
from igny8_core.automation.schedule import next_run_after
from igny8_core.automation.scheduler import check_scheduled_automations
from igny8_core.automation.service import AutomationService
from igny8_core.billing.services import CreditService

from .helpers import add_keywords

BERLIN, NEW_YORK, UTC_TZ = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo("UTC")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# --- next_run_at --------------------------------------------------------------------
def test_daily_later_today_or_tomorrow():
    assert next_run_after("daily", time(14, 0), UTC_TZ, utc(2026, 5, 4, 9, 0)) == utc(2026, 5, 4, 14, 0)
    assert next_run_after("daily", time(14, 0), UTC_TZ, utc(2026, 5, 4, 14, 0)) == utc(2026, 5, 5, 14, 0)


def test_daily_keeps_the_wall_clock_time_across_dst_changes():
    # Berlin springs forward on 2026-03-29: 09:00 is 08:00 UTC before and 07:00 UTC after.
    assert next_run_after("daily", time(9, 0), BERLIN, utc(2026, 3, 28, 9, 0)) == utc(2026, 3, 29, 7, 0)
    assert next_run_after("daily", time(9, 0), BERLIN, utc(2026, 3, 27, 9, 0)) == utc(2026, 3, 28, 8, 0)
    # ... and falls back on 2026-10-25.
    assert next_run_after("daily", time(9, 0), BERLIN, utc(2026, 10, 24, 8, 0)) == utc(2026, 10, 25, 8, 0)
    # New York springs forward on 2026-03-08: 06:00 is 11:00 UTC before, 10:00 UTC after.
    assert next_run_after("daily", time(6, 0), NEW_YORK, utc(2026, 3, 7, 0, 0)) == utc(2026, 3, 7, 11, 0)
    assert next_run_after("daily", time(6, 0), NEW_YORK, utc(2026, 3, 7, 12, 0)) == utc(2026, 3, 8, 10, 0)


def test_times_that_do_not_exist_or_repeat_on_dst_days():
    # 02:30 does not exist in Berlin on 2026-03-29: the run is at the first valid instant after it.
    assert next_run_after("daily", time(2, 30), BERLIN, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 2026-10-25: the first occurrence (still summer time) is used, once.
    first = next_run_after("daily", time(2, 30), BERLIN, utc(2026, 10, 24, 12, 0))
    assert first == utc(2026, 10, 25, 0, 30)
    assert next_run_after("daily", time(2, 30), BERLIN, first) == utc(2026, 10, 26, 1, 30)


def test_weekly_runs_on_mondays():
    # 2026-05-06 is a Wednesday.
    assert next_run_after("weekly", time(3, 0), UTC_TZ, utc(2026, 5, 6, 10, 0)) == utc(2026, 5, 11, 3, 0)
    assert next_run_after("weekly", time(3, 0), UTC_TZ, utc(2026, 5, 11, 2, 59)) == utc(2026, 5, 11, 3, 0)
    assert next_run_after("weekly", time(3, 0), UTC_TZ, utc(2026, 5, 11, 3, 0)) == utc(2026, 5, 18, 3, 0)
    assert next_run_after("weekly", time(3, 0), UTC_TZ, utc(2026, 5, 10, 23, 0)).weekday() == 0


def test_monthly_runs_on_the_first_across_month_and_year_ends():
    assert next_run_after("monthly", time(2, 0), UTC_TZ, utc(2026, 1, 31, 12, 0)) == utc(2026, 2, 1, 2, 0)
    assert next_run_after("monthly", time(2, 0), UTC_TZ, utc(2026, 2, 1, 2, 0)) == utc(2026, 3, 1, 2, 0)
    assert next_run_after("monthly", time(2, 0), UTC_TZ, utc(2026, 12, 15, 0, 0)) == utc(2027, 1, 1, 2, 0)
    assert next_run_after("monthly", time(2, 0), UTC_TZ, utc(2028, 2, 29, 0, 0)) == utc(2028, 3, 1, 2, 0)
    # In the site's zone: 00:30 on 1 April in New York (UTC-4) is 04:30 UTC.
    assert next_run_after("monthly", time(0, 30), NEW_YORK, utc(2026, 3, 31, 12, 0)) == utc(2026, 4, 1, 4, 30)
    # Berlin's 1 November 01:00 is after the October DST change (UTC+1).
    assert next_run_after("monthly", time(1, 0), BERLIN, utc(2026, 10, 2, 0, 0)) == utc(2026, 11, 1, 0, 0)


# --- the hourly check ---------------------------------------------------------------
def enable(site, next_run_at, **fields):
    config = AutomationConfig.for_site(site)
    AutomationConfig.objects.filter(pk=config.pk).update(is_enabled=True, next_run_at=next_run_at, **fields)
    config.refresh_from_db()
    return config


@pytest.mark.django_db
def test_due_config_starts_one_scheduled_run_and_advances(alice_site):
    alice_site.timezone = "Europe/Berlin"
    alice_site.save()
    add_keywords(alice_site, 3)
    now = utc(2026, 3, 28, 23, 0)  # 00:00 on the 29th in Berlin, the DST day
    config = enable(alice_site, now - timedelta(hours=2), scheduled_time=time(9, 0))
    summary = check_scheduled_automations(now)

    run = AutomationRun.objects.get(site=alice_site)
    assert summary["started"] == [run.run_id]
    assert run.trigger_type == "scheduled" and run.status == RunStatus.RUNNING and "_scheduled_" in run.run_id
    config.refresh_from_db()
    assert config.last_run_at == now
    assert config.next_run_at == utc(2026, 3, 29, 7, 0)  # 09:00 CEST
    assert check_scheduled_automations(now)["started"] == []  # not due again


@pytest.mark.django_db
def test_not_due_and_disabled_configs_do_nothing(alice_site, bob_site):
    now = timezone.now()
    enable(alice_site, now + timedelta(minutes=1))
    AutomationConfig.for_site(bob_site)  # disabled by default
    assert check_scheduled_automations(now)["started"] == []
    assert not AutomationRun.objects.exists()


@pytest.mark.django_db
def test_enabled_config_without_next_run_gets_one(alice_site):
    config = enable(alice_site, None, frequency="weekly", scheduled_time=time(6, 0))
    now = utc(2026, 5, 6, 10, 0)
    assert check_scheduled_automations(now)["scheduled"] == [alice_site.pk]
    config.refresh_from_db()
    assert config.next_run_at == utc(2026, 5, 11, 6, 0)


@pytest.mark.django_db
def test_a_missed_hour_catches_up_on_the_next_tick(alice_site):
    config = enable(alice_site, utc(2026, 5, 4, 2, 0), scheduled_time=time(2, 0))
    # Beat was down at 02:00 and 03:00; the 04:00 tick still starts the run.
    check_scheduled_automations(utc(2026, 5, 4, 4, 0))
    assert AutomationRun.objects.filter(site=alice_site, trigger_type="scheduled").count() == 1
    config.refresh_from_db()
    assert config.next_run_at == utc(2026, 5, 5, 2, 0)


@pytest.mark.django_db
def test_running_run_is_skipped(alice_site):
    running = AutomationService.start_automation(alice_site)
    enable(alice_site, timezone.now() - timedelta(minutes=1))
    assert check_scheduled_automations()["skipped_active"] == [alice_site.pk]
    assert list(AutomationRun.objects.filter(site=alice_site)) == [running]


@pytest.mark.django_db
def test_scheduled_run_without_credits_leaves_a_failed_run_in_history(alice_site, alice_account):
    add_keywords(alice_site, 20)
    CreditService.deduct(alice_account, CreditService.balance(alice_account), "clustering")
    now = timezone.now()
    config = enable(alice_site, now - timedelta(minutes=1))
    assert check_scheduled_automations(now)["insufficient_credits"] == [alice_site.pk]
    run = AutomationRun.objects.get(site=alice_site)
    assert run.status == RunStatus.FAILED and run.stopped_reason.startswith("Scheduled run not started")
    config.refresh_from_db()
    assert config.next_run_at > now  # tried again at the next scheduled time, not every hour


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_ticks_start_one_run(alice_site):
    add_keywords(alice_site, 3)
    enable(alice_site, timezone.now() - timedelta(minutes=1))
    barrier, results, errors = threading.Barrier(2), [], []

    def tick():
        try:
            barrier.wait()
            results.append(check_scheduled_automations())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert AutomationRun.objects.filter(site=alice_site).count() == 1
    assert sum(len(r["started"]) for r in results) == 1


@pytest.mark.django_db
def test_update_config_recomputes_next_run_at(alice_site):
    config = AutomationConfig.for_site(alice_site)
    AutomationService.update_config(config, {"is_enabled": True, "scheduled_time": time(23, 59)})
    assert config.next_run_at is not None and config.next_run_at > timezone.now()
    assert config.next_run_at.astimezone(alice_site.tzinfo).time() == time(23, 59)
    AutomationService.update_config(config, {"is_enabled": False})
    assert config.next_run_at is None


@pytest.mark.django_db
def test_periodic_tasks_are_registered_on_migrate():
    hourly = PeriodicTask.objects.get(task="igny8_core.automation.tasks.check_scheduled_automations")
    assert (hourly.crontab.minute, hourly.crontab.hour, hourly.crontab.day_of_week) == ("0", "*", "*")
    assert hourly.enabled and hourly.queue == "default" and hourly.expire_seconds < 3600
    reaper = PeriodicTask.objects.get(task="igny8_core.automation.tasks.recover_stale_runs")
    assert (reaper.interval.every, reaper.interval.period) == (1, "minutes")
    assert reaper.enabled and reaper.queue == "default" and reaper.expire_seconds < 60


@pytest.mark.django_db
def test_one_failing_config_does_not_stop_the_other_sites_schedules(alice_site, bob_site, monkeypatch):
    now = timezone.now()
    for site in (alice_site, bob_site):
        add_keywords(site, 2)
        enable(site, now - timedelta(minutes=5))
    real_start = AutomationService.start_automation

    def start(site, trigger_type):
        if site.pk == alice_site.pk:
            raise RuntimeError("broken site")
        return real_start(site, trigger_type)

    monkeypatch.setattr(AutomationService, "start_automation", staticmethod(start))
    summary = check_scheduled_automations(now)

    alice_config = AutomationConfig.for_site(alice_site)
    assert summary["errors"] == [alice_config.pk]
    assert [r.site_id for r in AutomationRun.objects.all()] == [bob_site.pk]
    assert summary["started"] == [AutomationRun.objects.get().run_id]
    # The broken site's schedule was not advanced: it is retried on the next tick.
    assert alice_config.next_run_at <= now and alice_config.last_run_at is None
