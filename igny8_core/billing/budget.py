"""How a run's credit budget is shared between AI operations.

Global defaults come from CreditCostConfig.budget_percentage; a site may override them with its
own SiteAIBudgetAllocation (use_global_defaults=False). The five site percentages always sum
to 100: update_site_allocation refuses anything else.
"""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import transaction

from .models import CreditCostConfig, Operation, SiteAIBudgetAllocation

OPERATIONS = tuple(Operation.values)
HUNDRED = Decimal("100")


class InvalidAllocation(Exception):
    """Field errors of an allocation update: {field: [messages]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class BudgetAllocationService:
    @staticmethod
    def global_percentages() -> dict[str, Decimal]:
        configured = dict(CreditCostConfig.objects.values_list("operation", "budget_percentage"))
        return {op: configured.get(op, Decimal("0")) for op in OPERATIONS}

    @staticmethod
    def site_allocation(site) -> SiteAIBudgetAllocation:
        """The site's saved allocation, or an unsaved default one (use_global_defaults=True)."""
        found = SiteAIBudgetAllocation.objects.filter(site=site).first()
        return found or SiteAIBudgetAllocation(site=site, account_id=site.account_id)

    @classmethod
    def percentages(cls, site) -> dict[str, Decimal]:
        """The shares in force for the site: its own when it overrides, else the global ones."""
        allocation = cls.site_allocation(site)
        if allocation.use_global_defaults:
            return cls.global_percentages()
        return allocation.percentages()

    @classmethod
    def get_operation_budget(cls, site, operation: str, total) -> Decimal | None:
        """Credits `operation` may spend out of a run budget of `total`; None = unlimited."""
        total = Decimal(str(total or 0))
        if total <= 0:
            return None
        share = cls.percentages(site).get(operation, Decimal("0"))
        return (total * share / HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    @classmethod
    def summary(cls, site, total=None) -> dict:
        """JSON-safe view for estimates and the API: the shares in force and, with a run budget
        `total`, the credits each operation may spend (null when unlimited)."""
        allocation = cls.site_allocation(site)
        shares = cls.percentages(site)
        return {
            "use_global_defaults": allocation.use_global_defaults,
            "percentages": {op: float(v) for op, v in shares.items()},
            "total_budget": str(Decimal(str(total))) if total and Decimal(str(total)) > 0 else None,
            "budgets": {
                op: (str(b) if (b := cls.get_operation_budget(site, op, total)) is not None else None)
                for op in OPERATIONS
            },
        }

    @classmethod
    def update_site_allocation(cls, site, changes: dict) -> SiteAIBudgetAllocation:
        """Apply `changes` (use_global_defaults and/or per-operation percentages; missing keys keep
        their value). Each percentage 0-100; the five must sum to exactly 100."""
        errors: dict[str, list[str]] = {}
        with transaction.atomic():
            allocation = cls.site_allocation(site)
            if allocation.pk:
                allocation = SiteAIBudgetAllocation.objects.select_for_update().get(pk=allocation.pk)
            if "use_global_defaults" in changes:
                if not isinstance(changes["use_global_defaults"], bool):
                    errors["use_global_defaults"] = ["Must be true or false."]
                else:
                    allocation.use_global_defaults = changes["use_global_defaults"]
            for op in OPERATIONS:
                if op not in changes:
                    continue
                try:
                    value = Decimal(str(changes[op]))
                    if not value.is_finite():
                        raise InvalidOperation
                except (InvalidOperation, ValueError):
                    errors[op] = ["Must be a number from 0 to 100."]
                    continue
                if not Decimal("0") <= value <= HUNDRED:
                    errors[op] = ["Must be from 0 to 100."]
                elif value != value.quantize(Decimal("0.01")):
                    errors[op] = ["At most two decimal places."]
                else:
                    setattr(allocation, f"{op}_percentage", value)
            if not errors:
                total = sum(allocation.percentages().values())
                if total != HUNDRED:
                    errors["non_field_errors"] = [
                        f"The percentages must sum to 100; they sum to {total.normalize():f}."
                    ]
            if errors:
                raise InvalidAllocation(errors)
            allocation.save()
        return allocation
