"""Per-site notification targets (apprise URLs, encrypted at rest) and the events they receive."""

from django.db import models

from igny8_core.accounts.models import Account, Site


class Event(models.TextChoices):
    RUN_COMPLETED = "run_completed", "Run completed"
    RUN_FAILED = "run_failed", "Run failed"
    OUT_OF_CREDITS = "out_of_credits", "Out of credits"
    STOPPED_BY_LIMIT = "stopped_by_limit", "Stopped by a limit"
    PUBLISHING_FAILED = "publishing_failed", "Publishing failed"


def all_events() -> list[str]:
    return list(Event.values)


class NotificationSettings(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="notification_settings")
    # A JSON list of apprise URLs, encrypted like the WordPress password: they carry tokens.
    urls_encrypted = models.TextField(blank=True)
    events = models.JSONField(default=all_events, blank=True, help_text="Events sent to the targets.")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "notification settings"
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Notifications of {self.site}"
