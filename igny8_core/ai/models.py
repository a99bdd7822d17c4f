"""AIRequestLog: one row per provider call group of the engine (one work unit: a batch of
keywords, or one cluster / task / content / image), successful or not, with what the
provider bills for it. ModelPrice: the provider's list prices per model. AccountAIProvider:
an account's own provider settings for one role (bring your own key).

ItemFailure: an item an AI function failed on, with how often and why. A later run picks the
item again until it has failed AI_MAX_ITEM_ATTEMPTS times; success deletes the row, and so
does a retry requested by the user (attempts start again from 0)."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
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
    provider_cost = models.DecimalField(
        max_digits=14,
        decimal_places=6,
        default=Decimal("0"),
        help_text="What the provider bills for this call in USD: tokens x the model's price, or the image price.",
    )
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

    def __str__(self) -> str:
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

    def __str__(self) -> str:
        return f"{self.function} #{self.item_id}: {self.code} ({self.attempts}x)"


class ModelPrice(models.Model):
    """A provider's list prices for one model, in USD (admin-editable; 0 for local models)."""

    model = models.CharField(
        max_length=100,
        unique=True,
        help_text="As the provider names it; also prices dated versions (gpt-4o-mini-2024-07-18).",
    )
    input_per_million = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="USD per million prompt tokens.",
    )
    output_per_million = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="USD per million completion tokens.",
    )
    image_prices = models.JSONField(
        default=dict,
        blank=True,
        help_text='USD per image by "size:quality", e.g. {"1024x1024:medium": "0.042"}.',
    )
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model"]

    def __str__(self) -> str:
        return self.model

    def clean(self) -> None:
        # A typo here would silently price every image at 0 or fail every cost computation.
        if not isinstance(self.image_prices, dict):
            raise ValidationError(
                {"image_prices": 'An object of "size:quality": price, e.g. {"1024x1024:medium": "0.042"}.'}
            )
        for variant, price in self.image_prices.items():
            if not re.fullmatch(r"\d+x\d+:[a-z]+", str(variant)):
                raise ValidationError({"image_prices": f"'{variant}' is not size:quality, e.g. 1024x1024:medium."})
            try:
                valid = Decimal(str(price)) >= 0
            except InvalidOperation:
                valid = False
            if not valid:
                raise ValidationError({"image_prices": f"The price of {variant} must be a number >= 0."})


class AccountAIProvider(models.Model):
    """An account's own settings for one AI role; blank fields use the install's."""

    class Role(models.TextChoices):
        TEXT = "text"
        IMAGE = "image"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    provider = models.CharField(max_length=10, blank=True, help_text="openai, demo, none (image only); blank: install")
    base_url = models.CharField(max_length=500, blank=True)
    model = models.CharField(max_length=100, blank=True)
    api_key_encrypted = models.TextField(blank=True, help_text="Fernet-encrypted; never shown.")
    structured_output = models.CharField(max_length=20, blank=True, help_text="Text role: blank = install's.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "role"], name="ai_provider_one_per_role")]
        verbose_name = "account AI provider"

    def __str__(self) -> str:
        return f"{self.account} {self.role}: {self.provider or 'install'}"
