"""AIRequestLog: one row per provider call group of the engine (one work unit: a batch of
keywords, or one cluster / task / content / image), successful or not."""

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
