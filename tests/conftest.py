"""Shared fixtures: two tenants (alice, bob), each with a site and credits.

Bob is the "other account" every tenancy test needs: his objects must be invisible to alice.

Tests that need committed data (threads, workers) use
`django_db(transaction=True, serialized_rollback=True)`: the flag restores the migrations' seed
data (credit costs, periodic tasks) for them, and keeps their teardown from re-creating content
types that a later serialized test would then insert twice. Shared helpers for such tests:
`concurrency_support.run_concurrently` and `celery_support.running_worker`.
"""

from decimal import Decimal

import pytest

from igny8_core.accounts.models import Account, Site, User
from igny8_core.billing.services import CreditService


def make_tenant(name: str, credits: Decimal = Decimal("1000"), domain: str | None = None):
    account = Account.objects.create(name=f"{name.title()} Inc")
    user = User.objects.create_user(name, email=f"{name}@example.com", password=f"{name}-pw-12345", account=account)
    site = Site.objects.create(account=account, name=f"{name.title()} Site", domain=domain or f"{name}.example.com")
    if credits:
        CreditService.add(account, credits, description="test grant")
        account.refresh_from_db()
    return user, account, site


@pytest.fixture
def alice(db):
    user, account, site = make_tenant("alice")
    return user


@pytest.fixture
def alice_account(alice):
    return alice.account


@pytest.fixture
def alice_site(alice):
    return Site.objects.get(account=alice.account)


@pytest.fixture
def bob(db):
    user, account, site = make_tenant("bob")
    return user


@pytest.fixture
def bob_site(bob):
    return Site.objects.get(account=bob.account)
