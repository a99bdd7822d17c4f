"""Register the automation's periodic tasks in django-celery-beat, so a fresh install has them:

- check_scheduled_automations: every hour on the hour (crontab minute 0), expiring after 55 min
  so a backlog never double-fires;
- recover_stale_runs: every minute, expiring after 55 s.
Both go to the default queue (the automation queue may be busy with hour-long runs).
Re-running the migration (or editing them in the admin) keeps one entry each.
"""

from django.db import migrations
from django.utils import timezone

TASKS = [
    {
        "name": "automation: check scheduled automations (hourly)",
        "task": "igny8_core.automation.tasks.check_scheduled_automations",
        "crontab": {"minute": "0", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
        "expire_seconds": 55 * 60,
        "description": "Starts every enabled automation whose next_run_at is due.",
    },
    {
        "name": "automation: recover stale runs (every minute)",
        "task": "igny8_core.automation.tasks.recover_stale_runs",
        "interval": {"every": 1, "period": "minutes"},
        "expire_seconds": 55,
        "description": "Resumes (or fails) runs whose worker stopped sending heartbeats.",
    },
]


def register(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for spec in TASKS:
        defaults = {
            "task": spec["task"],
            "queue": "default",
            "enabled": True,
            "expire_seconds": spec["expire_seconds"],
            "description": spec["description"],
            "crontab": None,
            "interval": None,
        }
        if "crontab" in spec:
            defaults["crontab"], _ = CrontabSchedule.objects.get_or_create(timezone="UTC", **spec["crontab"])
        else:
            defaults["interval"], _ = IntervalSchedule.objects.get_or_create(**spec["interval"])
        PeriodicTask.objects.update_or_create(name=spec["name"], defaults=defaults)
    # Tell a running beat (DatabaseScheduler) that the schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unregister(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[spec["name"] for spec in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("automation", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(register, unregister)]
