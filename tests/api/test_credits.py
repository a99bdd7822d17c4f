"""Credits page API: ledger filters, credits per run, staff grants."""

from decimal import Decimal

import pytest

from igny8_core.automation.models import AutomationRun, new_run_id
from igny8_core.billing.models import CreditTransaction
from igny8_core.billing.services import CreditService

pytestmark = pytest.mark.django_db


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_ledger_filters_by_site_operation_and_type(api, alice, alice_site):
    other = alice_site.__class__.objects.create(account=alice.account, name="Second", domain="second.example.com")
    CreditService.deduct(alice.account, "2.00", "clustering", site=alice_site)
    CreditService.deduct(alice.account, "5.00", "content_generation", site=other)
    listed = rows(api.get("/api/v1/billing/transactions/", {"site_id": other.pk}))
    assert [(r["operation"], r["amount"]) for r in listed] == [("content_generation", "-5.00")]
    listed = rows(api.get("/api/v1/billing/transactions/", {"operation": "clustering"}))
    assert [r["amount"] for r in listed] == ["-2.00"]
    assert len(rows(api.get("/api/v1/billing/transactions/", {"transaction_type": "grant"}))) == 1
    assert api.get("/api/v1/billing/transactions/", {"operation": "mining"}).status_code == 400


def test_ledger_filters_by_run(api, alice, alice_site):
    run = AutomationRun.objects.create(account=alice.account, site=alice_site, run_id=new_run_id("manual"))
    CreditService.deduct(alice.account, "3.00", "clustering", site=alice_site, run_id=run.pk)
    CreditService.deduct(alice.account, "4.00", "clustering", site=alice_site)
    listed = rows(api.get("/api/v1/billing/transactions/", {"run": run.run_id}))
    assert [(r["amount"], r["run_id"]) for r in listed] == [("-3.00", run.run_id)]
    assert rows(api.get("/api/v1/billing/transactions/", {"run": "run_unknown"})) == []


def test_credits_per_run_with_the_stages_that_charged(api, alice, alice_site, bob_site):
    run = AutomationRun.objects.create(
        account=alice.account,
        site=alice_site,
        run_id=new_run_id("manual"),
        status="completed",
        total_credits_used=Decimal("7.50"),
        stage_1_result={"status": "completed", "credits_used": "1.50"},
        stage_3_result={"status": "completed", "credits_used": "0.00"},
        stage_4_result={"status": "completed", "credits_used": "6.00"},
    )
    AutomationRun.objects.create(account=bob_site.account, site=bob_site, run_id=new_run_id("manual"))
    listed = rows(api.get("/api/v1/billing/runs/", {"site_id": alice_site.pk}))
    assert len(listed) == 1
    assert listed[0]["run_id"] == run.run_id and listed[0]["credits_used"] == "7.50"
    assert listed[0]["stages"] == [
        {"stage": 1, "name": "Keywords → Clusters", "operation": "clustering", "credits": "1.50"},
        {"stage": 4, "name": "Tasks → Content", "operation": "content_generation", "credits": "6.00"},
    ]
    assert rows(api.get("/api/v1/billing/runs/", {"status": "failed"})) == []
    assert api.get("/api/v1/billing/runs/", {"site_id": bob_site.pk}).status_code == 404


def test_staff_grant_goes_through_the_ledger_with_its_note(api, alice):
    alice.is_staff = True
    alice.save()
    before = CreditService.balance(alice.account_id)
    response = api.post("/api/v1/billing/grant/", {"amount": "250.00", "note": "Monthly top-up"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert Decimal(body["credits_balance"]) == before + Decimal("250.00")
    assert body["transaction"]["transaction_type"] == "grant" and body["transaction"]["amount"] == "250.00"
    row = CreditTransaction.objects.get(pk=body["transaction"]["id"])
    assert row.description == "Monthly top-up" and row.metadata == {"granted_by": "alice"}
    assert CreditService.balance(alice.account_id) == before + Decimal("250.00")


def test_a_user_who_is_not_staff_cannot_grant(api, alice):
    before = CreditService.balance(alice.account_id)
    response = api.post("/api/v1/billing/grant/", {"amount": "10", "note": "me"}, format="json")
    assert response.status_code == 403
    assert CreditService.balance(alice.account_id) == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"amount": "10"},
        {"note": "x"},
        {"amount": "0", "note": "x"},
        {"amount": "-5", "note": "x"},
        {"amount": "abc", "note": "x"},
        {"amount": "10", "note": ""},
        {"amount": "10000001", "note": "x"},
    ],
)
def test_grant_validates_amount_and_note(api, alice, body):
    alice.is_staff = True
    alice.save()
    before = CreditService.balance(alice.account_id)
    response = api.post("/api/v1/billing/grant/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert CreditService.balance(alice.account_id) == before
