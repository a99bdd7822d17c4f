"""CreditService: the only code that changes an account's balance.

Every change locks the account row (SELECT ... FOR UPDATE), so concurrent deductions are
serialised; a deduction carrying an idempotency key that was already charged returns the
original ledger row instead of charging again; the balance can never go negative.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from igny8_core.accounts.models import Account

from .models import CreditCostConfig, CreditTransaction


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
        try:
            return CreditCostConfig.objects.get(operation=operation)
        except CreditCostConfig.DoesNotExist:
            raise UnknownOperation(f"No CreditCostConfig for operation '{operation}'.") from None

    @classmethod
    def cost_for(cls, operation: str, quantity: int, variant: str | None = None) -> Decimal:
        return cls.cost_config(operation).price(quantity, variant)

    @staticmethod
    def balance(account: Account | int) -> Decimal:
        account_id = account.pk if isinstance(account, Account) else account
        return Account.objects.values_list("credits_balance", flat=True).get(pk=account_id)

    @classmethod
    def check(cls, account: Account | int, amount, operation: str = "") -> None:
        """Raise InsufficientCredits unless the account can pay `amount` now."""
        amount = _as_amount(amount)
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
        try:
            with transaction.atomic():
                locked = Account.objects.select_for_update().get(pk=account_id)
                if idempotency_key:
                    # Checked under the row lock, so a concurrent twin waits and then sees ours.
                    existing = CreditTransaction.objects.filter(
                        account_id=account_id, idempotency_key=idempotency_key
                    ).first()
                    if existing:
                        return Charge(existing, charged=False)
                new_balance = locked.credits_balance + delta
                if new_balance < 0:
                    raise InsufficientCredits(-delta, locked.credits_balance, operation)
                Account.objects.filter(pk=account_id).update(credits_balance=new_balance)
                tx = CreditTransaction.objects.create(
                    account_id=account_id,
                    site=site,
                    transaction_type=transaction_type,
                    operation=operation,
                    amount=delta,
                    balance_after=new_balance,
                    description=description[:500],
                    idempotency_key=idempotency_key,
                    metadata=metadata or {},
                    run_id=run_id,
                )
        except IntegrityError:
            # Only reachable when another connection inserted the same key between our
            # check and insert without holding the lock (e.g. a manual ledger write).
            if not idempotency_key:
                raise
            existing = CreditTransaction.objects.get(account_id=account_id, idempotency_key=idempotency_key)
            return Charge(existing, charged=False)
        if isinstance(account, Account):
            account.credits_balance = new_balance
        return Charge(tx, charged=True)
