"""Credits: per-operation costs, and the ledger. Only billing.services changes balances."""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from igny8_core.accounts.models import Account, Site

CENT = Decimal("0.01")


class Operation(models.TextChoices):
    CLUSTERING = "clustering", "Keyword clustering"
    IDEA_GENERATION = "idea_generation", "Idea generation"
    CONTENT_GENERATION = "content_generation", "Content generation"
    IMAGE_PROMPT_EXTRACTION = "image_prompt_extraction", "Image prompt extraction"
    IMAGE_GENERATION = "image_generation", "Image generation"


class CreditCostConfig(models.Model):
    """What one operation costs: `cost` credits per `per_units` units (admin-editable).

    rounding=exact charges proportionally (7 keywords at 1 per 5 = 1.40);
    rounding=ceil charges whole blocks (501 words at 1 per 500 = 2).
    `variant_costs` overrides `cost` for a named variant, e.g. {"1792x1024:hd": "4"} for images.
    """

    class Rounding(models.TextChoices):
        EXACT = "exact", "Proportional"
        CEIL = "ceil", "Whole blocks (round up)"

    operation = models.CharField(max_length=50, choices=Operation.choices, unique=True)
    unit = models.CharField(max_length=30, help_text="What is counted: keyword, cluster, word, prompt, image.")
    per_units = models.PositiveIntegerField(default=1)
    cost = models.DecimalField(max_digits=10, decimal_places=2)
    rounding = models.CharField(max_length=10, choices=Rounding.choices, default=Rounding.EXACT)
    variant_costs = models.JSONField(default=dict, blank=True)
    budget_percentage = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Global default share of a run's credit budget for this operation.",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "credit cost"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_operation_display()}: {self.cost} per {self.per_units} {self.unit}"

    def price(self, quantity: int, variant: str | None = None) -> Decimal:
        """Credits for `quantity` units, to the cent. An inactive operation is free."""
        if not self.is_active or quantity <= 0:
            return Decimal("0.00")
        unit_cost = Decimal(str(self.variant_costs.get(variant, self.cost))) if variant else self.cost
        if self.rounding == self.Rounding.CEIL:
            blocks = Decimal(math.ceil(quantity / self.per_units))
        else:
            blocks = Decimal(quantity) / Decimal(self.per_units)
        return (blocks * unit_cost).quantize(CENT, rounding=ROUND_HALF_UP)


class CreditTransaction(models.Model):
    """One change of an account's balance. `amount` is negative for a deduction."""

    class Type(models.TextChoices):
        DEDUCTION = "deduction", "Deduction"
        PURCHASE = "purchase", "Purchase"
        GRANT = "grant", "Grant"
        REFUND = "refund", "Refund"
        ADJUSTMENT = "adjustment", "Adjustment"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="credit_transactions")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    transaction_type = models.CharField(max_length=20, choices=Type.choices)
    operation = models.CharField(max_length=50, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    description = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # The automation run a deduction was made for: the run's credits are the ledger's sum.
    run = models.ForeignKey(
        "automation.AutomationRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="ledger"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="credit_tx_idempotency_unique",
            )
        ]
        indexes = [models.Index(fields=["account", "-created_at"], name="credit_tx_account_time")]

    def __str__(self) -> str:
        return f"{self.transaction_type} {self.amount} ({self.account_id})"


def _pct(default: str):
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


class SiteAIBudgetAllocation(models.Model):
    """A site's own split of a run's credit budget between AI operations.

    Used only when use_global_defaults is False; otherwise CreditCostConfig.budget_percentage
    applies. The five percentages always sum to 100 (checked by billing.budget).
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="ai_budget_allocation")
    use_global_defaults = models.BooleanField(default=True)
    clustering_percentage = _pct("15")
    idea_generation_percentage = _pct("10")
    content_generation_percentage = _pct("40")
    image_prompt_extraction_percentage = _pct("5")
    image_generation_percentage = _pct("30")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site AI budget allocation"

    def __str__(self) -> str:
        return f"AI budget allocation of {self.site}"

    def percentages(self) -> dict[str, Decimal]:
        return {op: getattr(self, f"{op}_percentage") for op in Operation.values}

    def save(self, *args, **kwargs):
        if self.site_id and not self.account_id:
            self.account_id = self.site.account_id
        super().save(*args, **kwargs)
