"""Grant credits to an account from the command line (the admin's "Add credits" does the same)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from igny8_core.accounts.models import Account, User
from igny8_core.billing.models import CreditTransaction
from igny8_core.billing.services import CreditService


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"The amount must be a number, not {text!r}.") from None
    if not amount.is_finite() or amount <= 0:
        raise CommandError("The amount must be greater than 0.")
    return amount


class Command(BaseCommand):
    help = "Grant credits to an account, chosen by a user's name (--user) or the account id (--account)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("amount", help="Credits to add, e.g. 500 or 12.5.")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="Username of a user of the account.")
        who.add_argument("--account", type=int, help="Account id.")
        parser.add_argument("--note", default="Granted from the command line", help="Ledger description.")

    def handle(self, *args: Any, **options: Any) -> None:
        amount = _amount(options["amount"])
        account = self._account(options["user"], options["account"])
        charge = CreditService.add(account, amount, CreditTransaction.Type.GRANT, options["note"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Granted {amount} credits to {account.name} (id {account.pk}): balance {charge.transaction.balance_after}."
            )
        )

    @staticmethod
    def _account(username: str | None, account_id: int | None) -> Account:
        if username is not None:
            user = User.objects.select_related("account").filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
            owner: Account = user.account
            return owner
        account = Account.objects.filter(pk=account_id or 0).first()
        if account is None:
            raise CommandError(f"No account with id {account_id}.")
        return account
