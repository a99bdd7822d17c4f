"""A run's credits, from the ledger: every deduction the AI engine makes for a run carries the
run (CreditTransaction.run), so the run's `total_credits_used` and each stage's
`credits_used` are the ledger's sums - also after kills, takeovers and recoveries, where a
tally kept by the worker would miss or double what a dead worker charged."""

from decimal import Decimal

from django.db.models import Sum

from igny8_core.billing.models import CreditTransaction

ZERO = Decimal("0.00")


def run_credits(run_pk: int) -> tuple[Decimal, dict[str, Decimal]]:
    """(total, {operation: amount}) the ledger charged for this run."""
    rows = (
        CreditTransaction.objects.filter(run_id=run_pk, transaction_type=CreditTransaction.Type.DEDUCTION)
        .values("operation")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    per_operation = {row["operation"]: -row["amount"] for row in rows}
    return sum(per_operation.values(), ZERO), per_operation
