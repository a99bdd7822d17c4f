"""AIRequestLog: one row per provider call group of the engine (one work unit: a batch of
keywords, or one cluster / task / content / image), successful or not.

ItemFailure: an item an AI function failed on, with how often and why. A later run picks the
item again until it has failed AI_MAX_ITEM_ATTEMPTS times; success deletes the row, and so
does a retry requested by the user (attempts start again from 0)."""

from decimal import Decimal

from django.db import models

from igny8_core.accounts.models import Account, Site


class AIRequestLog(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    function = models.CharField(max_length=50)
    provider = models.CharField(max_length=30)
    model = models.CharField(max_length=100, blank=True)
    prompt = models.CharField(max_length=60, blank=True, help_text="Prompt template name@version.")
    item_ids = models.JSONField(default=list, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=1, help_text="Provider calls, retries included.")
    duration_ms = models.PositiveIntegerField(default=0)
    credits = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    success = models.BooleanField(default=True)
    error = models.TextField(blank=True)
    code = models.CharField(max_length=50, blank=True, help_text="Error code when it failed, e.g. rate_limited.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "AI request log"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="ailog_account_time"),
            models.Index(fields=["function", "success"], name="ailog_function_success"),
        ]

    def __str__(self):
        state = "ok" if self.success else "error"
        return f"{self.function} via {self.provider} ({state})"


class ItemFailure(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    function = models.CharField(max_length=50, help_text="The AI function that failed on the item.")
    item_id = models.BigIntegerField()
    attempts = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=50)
    error = models.TextField(blank=True)
    failed_at = models.DateTimeField()
    # The run that failed it last (none for a manual AI action).
    run = models.ForeignKey(
        "automation.AutomationRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="item_failures"
    )

    class Meta:
        ordering = ["-failed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["function", "item_id"], name="item_failure_one_per_item")]
        indexes = [models.Index(fields=["site", "function", "attempts"], name="item_failure_site_fn")]

    def __str__(self):
        return f"{self.function} #{self.item_id}: {self.code} ({self.attempts}x)"
