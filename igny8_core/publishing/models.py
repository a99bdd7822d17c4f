"""Publishing: per-site schedule settings, the WordPress connection, and uploaded media.

Content already carries its publishing state (site_status, scheduled_publish_at, published_at,
external_id, external_url, publish_attempts, publish_error); this app adds what is per site.
"""

from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from igny8_core.accounts.models import Account, Site
from igny8_core.outbound import OutboundURLRefused, check_url_for_saving
from igny8_core.writer.models import Images

from . import crypto
from .validation import settings_errors


def default_publish_days() -> list[str]:
    return ["mon", "tue", "wed", "thu", "fri"]


def default_time_slots() -> list[str]:
    return ["09:00", "14:00", "18:00"]


class SchedulingMode(models.TextChoices):
    TIME_SLOTS = "time_slots", "Time slots (publish at set times)"
    STAGGER = "stagger", "Staggered (spread over a daily window)"
    IMMEDIATE = "immediate", "Immediate (as soon as approved)"


class PublishingSettings(models.Model):
    """Stage 7 behaviour of a site. Defaults keep stage 7 a manual review gate."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="publishing_settings")
    auto_approval_enabled = models.BooleanField(default=False)
    auto_publish_enabled = models.BooleanField(default=False)
    scheduling_mode = models.CharField(max_length=20, choices=SchedulingMode.choices, default=SchedulingMode.TIME_SLOTS)
    publish_days = models.JSONField(default=default_publish_days, help_text="Days allowed: mon … sun.")
    publish_time_slots = models.JSONField(default=default_time_slots, help_text="HH:MM times (time_slots mode).")
    stagger_start_time = models.TimeField(default=time(9, 0))
    stagger_end_time = models.TimeField(default=time(18, 0))
    stagger_interval_minutes = models.PositiveIntegerField(default=15)
    # Targets are informational (shown for planning); queue_limit is the real cap.
    daily_target = models.PositiveIntegerField(default=3)
    weekly_target = models.PositiveIntegerField(default=15)
    monthly_target = models.PositiveIntegerField(default=50)
    queue_limit = models.PositiveIntegerField(default=100, help_text="Max items scheduled at once.")
    min_quality_score = models.PositiveSmallIntegerField(
        default=0, help_text="Auto-approval approves only drafts with at least this quality score (0 = off)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SETTINGS_FIELDS = (
        "auto_approval_enabled",
        "auto_publish_enabled",
        "scheduling_mode",
        "publish_days",
        "publish_time_slots",
        "stagger_start_time",
        "stagger_end_time",
        "stagger_interval_minutes",
        "daily_target",
        "weekly_target",
        "monthly_target",
        "queue_limit",
        "min_quality_score",
    )

    class Meta:
        verbose_name = "publishing settings"
        verbose_name_plural = "publishing settings"

    def __str__(self) -> str:
        return f"Publishing settings of {self.site}"

    @classmethod
    def for_site(cls, site: Site) -> "PublishingSettings":
        """The site's settings; an unsaved default instance when none were saved yet."""
        found = cls.objects.filter(site=site).first()
        return found or cls(site=site, account_id=site.account_id)

    def clean(self) -> None:
        values = {name: getattr(self, name) for name in self.SETTINGS_FIELDS}
        if errors := settings_errors(values):
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.site_id and not self.account_id:
            self.account_id = self.site.account_id
        super().save(*args, **kwargs)


class WordPressConnection(models.Model):
    """Where and as whom a site publishes. The application password is stored encrypted."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="wordpress_connection")
    url = models.URLField(max_length=500, help_text="Site address, e.g. https://blog.example.com")
    username = models.CharField(max_length=150)
    encrypted_password = models.TextField(editable=False)
    is_active = models.BooleanField(default=True)
    last_tested_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "WordPress connection"

    def __str__(self) -> str:
        return f"{self.url} ({self.username})"

    @property
    def application_password(self) -> str:
        return crypto.decrypt(self.encrypted_password) if self.encrypted_password else ""

    @application_password.setter
    def application_password(self, value: str) -> None:
        self.encrypted_password = crypto.encrypt(value)

    def clean(self) -> None:
        # The admin form saves through here: the same outbound policy as the API.
        try:
            check_url_for_saving(self.url)
        except OutboundURLRefused as exc:
            raise ValidationError({"url": str(exc)}) from None

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.site_id and not self.account_id:
            self.account_id = self.site.account_id
        super().save(*args, **kwargs)


class WordPressMedia(models.Model):
    """An image already uploaded to WordPress, so a retried publish reuses it instead of uploading twice."""

    image = models.ForeignKey(Images, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(WordPressConnection, on_delete=models.CASCADE, related_name="media")
    media_id = models.PositiveBigIntegerField()
    source_url = models.URLField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "connection"], name="wp_media_once_per_image")]

    def __str__(self) -> str:
        return f"WP media {self.media_id} for image {self.image_id}"
