"""How a run's credit budget is shared between AI operations (SPEC section 7).

Global defaults come from CreditCostConfig.budget_percentage. The publishing/budget issue
adds per-site overrides (SiteAIBudgetAllocation) behind this same function.
"""
from decimal import ROUND_DOWN, Decimal

from .models import CreditCostConfig


class BudgetAllocationService:
    @staticmethod
    def percentages(site) -> dict[str, Decimal]:
        return dict(CreditCostConfig.objects.values_list("operation", "budget_percentage"))

    @classmethod
    def get_operation_budget(cls, site, operation: str, total) -> Decimal | None:
        """Credits `operation` may spend out of a run budget of `total`; None = unlimited."""
        total = Decimal(str(total or 0))
        if total <= 0:
            return None
        share = cls.percentages(site).get(operation, Decimal("0"))
        return (total * share / Decimal("100")).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
