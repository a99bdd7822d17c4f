"""Credits from the command line: grant_credits for any account, seed_demo --top-up for the demo."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from igny8_core.accounts.models import User
from igny8_core.billing.models import CreditTransaction
from igny8_core.billing.services import CreditService

pytestmark = pytest.mark.django_db


def test_grant_credits_by_username_adds_a_grant_to_the_ledger(alice, capsys):
    before = CreditService.balance(alice.account)
    call_command("grant_credits", "250.5", "--user", alice.username, "--note", "pilot")
    assert CreditService.balance(alice.account) == before + Decimal("250.50")
    tx = CreditTransaction.objects.filter(account=alice.account).latest("pk")
    assert (tx.transaction_type, tx.amount, tx.description) == ("grant", Decimal("250.50"), "pilot")
    assert f"balance {before + Decimal('250.50')}" in capsys.readouterr().out


def test_grant_credits_by_account_id(bob):
    before = CreditService.balance(bob.account_id)
    call_command("grant_credits", "10", "--account", str(bob.account_id))
    assert CreditService.balance(bob.account_id) == before + 10


@pytest.mark.parametrize("amount", ["0", "-5", "lots", "NaN"])
def test_grant_credits_refuses_an_amount_that_is_not_positive(alice, amount):
    count = CreditTransaction.objects.count()
    with pytest.raises(CommandError):
        call_command("grant_credits", amount, "--user", alice.username)
    assert CreditTransaction.objects.count() == count


def test_grant_credits_refuses_an_unknown_user_or_account():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("grant_credits", "5", "--user", "nobody")
    with pytest.raises(CommandError, match="No account with id 999999"):
        call_command("grant_credits", "5", "--account", "999999")


def test_seed_demo_top_up_restores_the_demo_balance_once():
    call_command("seed_demo", "--quiet")
    account = User.objects.get(username="demo").account
    CreditService.deduct(account, Decimal("700"), "clustering", idempotency_key="spent")
    call_command("seed_demo", "--quiet")  # re-seeding alone never grants again
    assert CreditService.balance(account) == Decimal("300.00")
    call_command("seed_demo", "--quiet", "--top-up")
    assert CreditService.balance(account) == Decimal("1000.00")
    call_command("seed_demo", "--quiet", "--top-up")  # already full: nothing added
    assert CreditTransaction.objects.filter(account=account, transaction_type="grant").count() == 2
