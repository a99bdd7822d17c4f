from decimal import Decimal

import pytest
from concurrency_support import run_concurrently
from django.db import connection

from igny8_core.accounts.models import Account
from igny8_core.billing.models import CreditCostConfig, CreditTransaction
from igny8_core.billing.services import (
    CreditService,
    InsufficientCredits,
    UnknownOperation,
)


@pytest.fixture
def account(db):
    acc = Account.objects.create(name="Acme")
    CreditService.add(acc, Decimal("10"), description="start")
    return acc


def test_seeded_costs_match_spec(db):
    assert CreditService.cost_for("clustering", 5) == Decimal("1.00")
    assert CreditService.cost_for("clustering", 7) == Decimal("1.40")
    assert CreditService.cost_for("idea_generation", 3) == Decimal("6.00")
    assert CreditService.cost_for("content_generation", 500) == Decimal("1.00")
    assert CreditService.cost_for("content_generation", 501) == Decimal("2.00")
    assert CreditService.cost_for("image_prompt_extraction", 4) == Decimal("2.00")
    assert CreditService.cost_for("image_generation", 3) == Decimal("6.00")
    shares = CreditCostConfig.objects.values_list("budget_percentage", flat=True)
    assert sum(shares) == Decimal("100")


def test_variant_cost_and_inactive_operation(db):
    cfg = CreditCostConfig.objects.get(operation="image_generation")
    cfg.variant_costs = {"1792x1024:hd": "4"}
    cfg.save()
    assert CreditService.cost_for("image_generation", 2, variant="1792x1024:hd") == Decimal("8.00")
    assert CreditService.cost_for("image_generation", 2, variant="unknown") == Decimal("4.00")
    cfg.is_active = False
    cfg.save()
    assert CreditService.cost_for("image_generation", 2) == Decimal("0.00")
    with pytest.raises(UnknownOperation):
        CreditService.cost_for("nope", 1)


def test_deduct_writes_ledger_and_balance(account):
    charge = CreditService.deduct(account, Decimal("2.5"), "clustering", idempotency_key="k1")
    assert charge.charged
    account.refresh_from_db()
    assert account.credits_balance == Decimal("7.50")
    assert charge.transaction.amount == Decimal("-2.50")
    assert charge.transaction.balance_after == Decimal("7.50")


def test_deduct_is_idempotent(account):
    first = CreditService.deduct(account, 3, "clustering", idempotency_key="same")
    second = CreditService.deduct(account, 3, "clustering", idempotency_key="same")
    assert first.charged and not second.charged
    assert second.transaction.pk == first.transaction.pk
    assert CreditService.balance(account) == Decimal("7.00")
    assert CreditTransaction.objects.filter(account=account, idempotency_key="same").count() == 1


def test_never_negative(account):
    with pytest.raises(InsufficientCredits) as err:
        CreditService.deduct(account, Decimal("10.01"), "content_generation")
    assert err.value.required == Decimal("10.01") and err.value.available == Decimal("10.00")
    assert "Insufficient credits" in str(err.value)
    assert CreditService.balance(account) == Decimal("10.00")
    with pytest.raises(InsufficientCredits):
        CreditService.check(account, 11)
    CreditService.check(account, 10)


def test_negative_amounts_rejected(account):
    with pytest.raises(ValueError):
        CreditService.deduct(account, -1, "clustering")
    with pytest.raises(ValueError):
        CreditService.add(account, -1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_deductions_never_overdraw():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    acc = Account.objects.create(name="Race")
    CreditService.add(acc, Decimal("10"))
    results, errors = run_concurrently(
        25, lambda i: CreditService.deduct(acc.pk, 1, "clustering", idempotency_key=f"k{i}")
    )
    assert len(results) == 10
    assert len(errors) == 15 and all(isinstance(e, InsufficientCredits) for e in errors)
    assert CreditService.balance(acc) == Decimal("0.00")
    assert CreditTransaction.objects.filter(account=acc, transaction_type="deduction").count() == 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_same_key_charges_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    acc = Account.objects.create(name="Retry storm")
    CreditService.add(acc, Decimal("100"))
    results, errors = run_concurrently(
        20, lambda i: CreditService.deduct(acc.pk, 5, "content_generation", idempotency_key="task:7")
    )
    assert not errors
    assert sum(1 for r in results if r.charged) == 1
    assert CreditService.balance(acc) == Decimal("95.00")
