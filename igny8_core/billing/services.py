"""CreditService: the only code that changes an account's balance.

Every change is one SQL statement: it updates the account row (which locks it, so concurrent
deductions are serialised) only when no ledger row carries its idempotency key and the balance
stays >= 0, and inserts the ledger row with the new balance. A deduction whose key was already
charged returns the original ledger row instead of charging again; the balance never goes
negative. One statement (no savepoint, no separate lock and re-read) keeps the AI engine's
per-item transaction short.
"""

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from igny8_core.accounts.models import Account

from .models import CreditCostConfig, CreditTransaction

# The cost table as read by the current scope (see CreditService.cached_costs): operation ->
# (read at, config). None outside a scope: every price is read from the database.
_COSTS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("igny8_credit_costs", default=None)
COST_CACHE_SECONDS = 60.0


class InsufficientCredits(Exception):
    def __init__(self, required: Decimal, available: Decimal, operation: str = ""):
        self.required = Decimal(required)
        self.available = Decimal(available)
        self.operation = operation
        what = f" for {operation}" if operation else ""
        super().__init__(f"Insufficient credits{what}: {self.required} required, {self.available} available.")


class UnknownOperation(Exception):
    pass


@dataclass(frozen=True)
class Charge:
    transaction: CreditTransaction
    charged: bool  # False when the idempotency key had already been charged


def _as_amount(amount) -> Decimal:
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    if value < 0:
        raise ValueError("Credit amounts are positive; use deduct() or add().")
    return value


class CreditService:
    @staticmethod
    def cost_config(operation: str) -> CreditCostConfig:
        cache = _COSTS.get()
        if cache is not None and (hit := cache.get(operation)) and time.monotonic() - hit[0] < COST_CACHE_SECONDS:
            cached: CreditCostConfig = hit[1]
            return cached
        try:
            config = CreditCostConfig.objects.get(operation=operation)
        except CreditCostConfig.DoesNotExist:
            raise UnknownOperation(f"No CreditCostConfig for operation '{operation}'.") from None
        if cache is not None:
            cache[operation] = (time.monotonic(), config)
        return config

    @staticmethod
    @contextmanager
    def cached_costs(cache: dict) -> Iterator[None]:
        """Inside this scope (this thread or task), each operation's cost is read once into
        `cache` and reused for up to COST_CACHE_SECONDS: the AI engine prices every item of a
        run from one read instead of three reads per item. The caller owns `cache` (one per
        engine), so a cost change reaches a running engine within a minute."""
        token = _COSTS.set(cache)
        try:
            yield
        finally:
            _COSTS.reset(token)

    @classmethod
    def cost_for(cls, operation: str, quantity: int, variant: str | None = None) -> Decimal:
        return cls.cost_config(operation).price(quantity, variant)

    @staticmethod
    def balance(account: Account | int) -> Decimal:
        account_id = account.pk if isinstance(account, Account) else account
        return Account.objects.values_list("credits_balance", flat=True).get(pk=account_id)

    @classmethod
    def check(cls, account: Account | int, amount, operation: str = "", available: Decimal | None = None) -> None:
        """Raise InsufficientCredits unless the account can pay `amount` now (`available`: the
        balance the caller has just read with its own query)."""
        amount = _as_amount(amount)
        if available is None:
            available = cls.balance(account)
        if available < amount:
            raise InsufficientCredits(amount, available, operation)

    @classmethod
    def deduct(
        cls,
        account: Account | int,
        amount,
        operation: str,
        idempotency_key: str | None = None,
        description: str = "",
        metadata: dict | None = None,
        site=None,
        run_id: int | None = None,
    ) -> Charge:
        """`run_id`: the automation run the charge is made for (its credits are the ledger's sum)."""
        amount = _as_amount(amount)
        return cls._apply(
            account,
            -amount,
            CreditTransaction.Type.DEDUCTION,
            operation,
            idempotency_key,
            description,
            metadata,
            site,
            run_id,
        )

    @classmethod
    def add(
        cls,
        account: Account | int,
        amount,
        transaction_type: str = CreditTransaction.Type.GRANT,
        description: str = "",
        idempotency_key: str | None = None,
        metadata: dict | None = None,
    ) -> Charge:
        amount = _as_amount(amount)
        if transaction_type == CreditTransaction.Type.DEDUCTION:
            raise ValueError("Use deduct() for deductions.")
        return cls._apply(account, amount, transaction_type, "", idempotency_key, description, metadata, None)

    @staticmethod
    def _apply(
        account, delta, transaction_type, operation, idempotency_key, description, metadata, site, run_id=None
    ) -> Charge:
        account_id = account.pk if isinstance(account, Account) else account
        site_id = getattr(site, "pk", site)
        now = timezone.now()
        metadata_field = CreditTransaction._meta.get_field("metadata")
        values = {
            "account": account_id,
            "delta": delta,
            "key": idempotency_key,
            "site": site_id,
            "type": transaction_type,
            "operation": operation,
            "description": description[:500],
            "metadata": metadata_field.get_db_prep_value(metadata or {}, connection),
            "run": run_id,
            "now": now,
        }
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(_APPLY_SQL, values)
                    row = cursor.fetchone()
            else:
                row = _apply_in_steps(values, metadata or {})
        except IntegrityError:
            # Another connection inserted the same key meanwhile (the statement saw its snapshot
            # before waiting for the account row). In a transaction the caller's work is rolled
            # back with it; alone, the other row is the charge.
            if not idempotency_key or transaction.get_connection().in_atomic_block:
                raise
            existing = CreditTransaction.objects.get(account_id=account_id, idempotency_key=idempotency_key)
            return Charge(existing, charged=False)
        if row is None:  # refused: the key was charged already, or the balance is too low
            if idempotency_key:
                charged = CreditTransaction.objects.filter(
                    account_id=account_id, idempotency_key=idempotency_key
                ).first()
                if charged:
                    return Charge(charged, charged=False)
            available = Account.objects.values_list("credits_balance", flat=True).filter(pk=account_id).first()
            if available is None:
                raise Account.DoesNotExist(f"Account {account_id} does not exist.")
            raise InsufficientCredits(-delta, available, operation)
        tx_id, new_balance = row
        tx = CreditTransaction(
            pk=tx_id,
            account_id=account_id,
            site_id=site_id,
            transaction_type=transaction_type,
            operation=operation,
            amount=delta,
            balance_after=new_balance,
            description=description[:500],
            idempotency_key=idempotency_key,
            metadata=metadata or {},
            run_id=run_id,
            created_at=now,
        )
        tx._state.adding = False
        if isinstance(account, Account):
            account.credits_balance = new_balance
        return Charge(tx, charged=True)


def _apply_in_steps(values: dict, metadata: dict) -> tuple[int, Decimal] | None:
    """_APPLY_SQL for the embedded SQLite (no data-modifying WITH): the same checks in one
    transaction, which SQLite runs alone (one writer at a time)."""
    with transaction.atomic():
        key, account_id, delta = values["key"], values["account"], values["delta"]
        if key and CreditTransaction.objects.filter(account_id=account_id, idempotency_key=key).exists():
            return None
        if not Account.objects.filter(pk=account_id, credits_balance__gte=-delta).update(
            credits_balance=F("credits_balance") + delta
        ):
            return None
        balance = Account.objects.values_list("credits_balance", flat=True).get(pk=account_id)
        tx = CreditTransaction.objects.create(
            account_id=account_id,
            site_id=values["site"],
            transaction_type=values["type"],
            operation=values["operation"],
            amount=delta,
            balance_after=balance,
            description=values["description"],
            idempotency_key=key,
            metadata=metadata,
            run_id=values["run"],
            created_at=values["now"],
        )
        return tx.pk, balance


# The account row is updated (and so locked) only when the key is new and the balance stays
# >= 0; the ledger row is inserted from the updated row. No row back: nothing was changed.
_APPLY_SQL = """
WITH account AS (
    UPDATE accounts_account SET credits_balance = credits_balance + %(delta)s
    WHERE id = %(account)s AND credits_balance + %(delta)s >= 0
      AND (%(key)s::varchar IS NULL OR NOT EXISTS (
          SELECT 1 FROM billing_credittransaction WHERE account_id = %(account)s AND idempotency_key = %(key)s))
    RETURNING credits_balance
)
INSERT INTO billing_credittransaction (account_id, site_id, transaction_type, operation, amount, balance_after,
                                       description, idempotency_key, metadata, run_id, created_at)
SELECT %(account)s, %(site)s, %(type)s, %(operation)s, %(delta)s, account.credits_balance,
       %(description)s, %(key)s, %(metadata)s, %(run)s, %(now)s
FROM account
RETURNING id, balance_after
"""
