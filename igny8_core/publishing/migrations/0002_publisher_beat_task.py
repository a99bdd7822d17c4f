"""Register the publisher in Celery Beat (every minute) so a fresh install has it.

`expire_seconds` just under the interval: a backlog of ticks never piles up and double-fires.
"""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Publishing: publish due content to WordPress"
TASK = "igny8_core.publishing.tasks.publish_due_content"


def register(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": TASK, "interval": every_minute, "enabled": True, "expire_seconds": 55},
    )
    # Historical models skip PeriodicTask.save(): tell a running beat the schedule changed.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def unregister(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_publishing_settings_wordpress"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(register, unregister)]
