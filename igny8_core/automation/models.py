"""Automation: one AutomationConfig per site, one AutomationRun per pipeline run.

The run row holds everything a run needs to continue (current stage, stage results, snapshot),
so a resume or a crash recovery is "continue from current_stage". Workers write to it only
through fenced updates (`epoch`, see service.RunClaim).
"""

import secrets
from datetime import time
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from igny8_core.accounts.models import Account, Site

BATCH_SIZE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(100)]
DELAY_VALIDATORS = [MinValueValidator(0), MaxValueValidator(3600)]


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly (Mondays)"
    MONTHLY = "monthly", "Monthly (on the 1st)"


class ClusteringMethod(models.TextChoices):
    AI = "ai", "AI (the text model groups the keywords)"
    LOCAL = "local", "Local (lexical similarity, free and deterministic)"


def _limit(help_text):
    return models.PositiveIntegerField(default=0, help_text=f"{help_text} (0 = unlimited)")


class AutomationConfig(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="automation_config")

    is_enabled = models.BooleanField(default=False, help_text="Run on the schedule below.")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    scheduled_time = models.TimeField(default=time(2, 0), help_text="In the site's time zone.")

    stage_1_batch_size = models.PositiveSmallIntegerField(default=20, validators=BATCH_SIZE_VALIDATORS)
    stage_2_batch_size = models.PositiveSmallIntegerField(default=1, validators=BATCH_SIZE_VALIDATORS)
    stage_3_batch_size = models.PositiveSmallIntegerField(default=20, validators=BATCH_SIZE_VALIDATORS)
    stage_4_batch_size = models.PositiveSmallIntegerField(default=1, validators=BATCH_SIZE_VALIDATORS)
    stage_5_batch_size = models.PositiveSmallIntegerField(default=1, validators=BATCH_SIZE_VALIDATORS)
    stage_6_batch_size = models.PositiveSmallIntegerField(default=1, validators=BATCH_SIZE_VALIDATORS)

    within_stage_delay = models.PositiveIntegerField(
        default=3, validators=DELAY_VALIDATORS, help_text="Seconds between batches."
    )
    between_stage_delay = models.PositiveIntegerField(
        default=5, validators=DELAY_VALIDATORS, help_text="Seconds between stages."
    )
    max_concurrency = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(16)],
        help_text="Provider requests of one stage in flight at once (1 = one at a time; an answer is saved while the next request is out).",
    )

    stage_1_enabled = models.BooleanField(default=True)
    stage_2_enabled = models.BooleanField(default=True)
    stage_3_enabled = models.BooleanField(default=True)
    stage_4_enabled = models.BooleanField(default=True)
    stage_5_enabled = models.BooleanField(default=True)
    stage_6_enabled = models.BooleanField(default=True)
    stage_7_enabled = models.BooleanField(default=True)

    max_keywords_per_run = _limit("Keywords clustered per run")
    max_clusters_per_run = _limit("Clusters turned into ideas per run")
    max_ideas_per_run = _limit("Ideas queued to the writer per run")
    max_tasks_per_run = _limit("Tasks written per run")
    max_content_per_run = _limit("Content given image prompts per run")
    max_images_per_run = _limit("Images generated per run")
    max_approvals_per_run = _limit("Content auto-approved per run")
    max_credits_per_run = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="Credit budget of one run, shared between AI operations (0 = unlimited).",
    )

    clustering_method = models.CharField(
        max_length=10,
        choices=ClusteringMethod.choices,
        default=ClusteringMethod.AI,
        help_text="How stage 1 groups keywords into clusters.",
    )

    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "automation config"

    def __str__(self) -> str:
        return f"Automation of {self.site}"

    @classmethod
    def for_site(cls, site) -> "AutomationConfig":
        config, _ = cls.objects.get_or_create(site=site, defaults={"account_id": site.account_id})
        return config

    def stage_enabled(self, number: int) -> bool:
        return getattr(self, f"stage_{number}_enabled")


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


ACTIVE_STATUSES = (RunStatus.RUNNING, RunStatus.PAUSED)


class TriggerType(models.TextChoices):
    MANUAL = "manual", "Manual"
    SCHEDULED = "scheduled", "Scheduled"


def new_run_id(trigger_type: str, now=None) -> str:
    """Human-readable and unique: run_20260105_140523_manual_3f9a0c."""
    now = now or timezone.now()
    return f"run_{now:%Y%m%d_%H%M%S}_{trigger_type}_{secrets.token_hex(3)}"


class AutomationRun(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="automation_runs")
    run_id = models.CharField(max_length=100, unique=True)
    trigger_type = models.CharField(max_length=20, choices=TriggerType.choices, default=TriggerType.MANUAL)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    current_stage = models.PositiveSmallIntegerField(default=1)

    started_at = models.DateTimeField(default=timezone.now)
    paused_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    total_credits_used = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    initial_snapshot = models.JSONField(default=dict, blank=True)
    stage_1_result = models.JSONField(default=dict, blank=True)
    stage_2_result = models.JSONField(default=dict, blank=True)
    stage_3_result = models.JSONField(default=dict, blank=True)
    stage_4_result = models.JSONField(default=dict, blank=True)
    stage_5_result = models.JSONField(default=dict, blank=True)
    stage_6_result = models.JSONField(default=dict, blank=True)
    stage_7_result = models.JSONField(default=dict, blank=True)
    # What the worker is doing right now: {"stage", "batch", "total_batches", "items": [...]}.
    current_processing = models.JSONField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    stopped_reason = models.CharField(max_length=500, blank=True)

    # --- execution bookkeeping (see service.RunClaim and recovery.py) ---
    # Claim counter: start / resume / recovery issue a new ticket (epoch+1); the worker that
    # redeems it bumps it again. A worker whose epoch is no longer current stops writing.
    epoch = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="Set when a worker redeemed the ticket.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lock_token = models.CharField(max_length=100, blank=True, help_text="Token of the Redis lock the worker holds.")
    recovery_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # The authority for "one active run per site": a second insert fails cleanly.
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(status__in=["running", "paused"]),
                name="automation_one_active_run_per_site",
            ),
            models.CheckConstraint(
                condition=models.Q(current_stage__gte=1, current_stage__lte=7), name="automation_stage_1_to_7"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "-started_at"], name="automation_run_site_time"),
            models.Index(fields=["status", "heartbeat_at"], name="automation_run_stale"),
        ]

    def __str__(self) -> str:
        return self.run_id

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def stage_result(self, number: int) -> dict:
        return getattr(self, f"stage_{number}_result") or {}
