"""The global budget shares (CreditCostConfig.budget_percentage) are edited in the admin; like a
site's own allocation they must stay within 0-100 and sum to exactly 100, and a cost
can never be negative (a negative price would break every credit check)."""

from decimal import Decimal

import pytest

from igny8_core.billing.models import CreditCostConfig

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/billing/creditcostconfig/"


def _changelist_post(admin_client, shares: dict[str, str], costs: dict[str, str] | None = None):
    rows = list(CreditCostConfig.objects.order_by("id"))
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows)), "_save": "Save"}
    for n, row in enumerate(rows):
        data[f"form-{n}-id"] = str(row.pk)
        data[f"form-{n}-cost"] = (costs or {}).get(row.operation, str(row.cost))
        data[f"form-{n}-budget_percentage"] = shares.get(row.operation, str(row.budget_percentage))
        data[f"form-{n}-is_active"] = "on"
    return admin_client.post(CHANGELIST, data)


def _shares():
    return dict(CreditCostConfig.objects.values_list("operation", "budget_percentage"))


def test_changelist_refuses_global_shares_not_summing_to_100(admin_client):
    before = _shares()
    response = _changelist_post(admin_client, {"clustering": "20"})  # 105 in all
    assert response.status_code == 200 and "sum to 100" in response.content.decode()
    assert _shares() == before


def test_changelist_saves_shares_summing_to_100(admin_client):
    response = _changelist_post(admin_client, {"clustering": "20", "idea_generation": "5"})
    assert response.status_code == 302
    assert _shares()["clustering"] == Decimal("20") and _shares()["idea_generation"] == Decimal("5")


def test_changelist_refuses_out_of_range_share_and_negative_cost(admin_client):
    before = _shares()
    response = _changelist_post(admin_client, {"clustering": "-15", "idea_generation": "40"})  # sums to 100
    assert response.status_code == 200 and _shares() == before
    response = _changelist_post(admin_client, {}, costs={"image_generation": "-2"})
    assert response.status_code == 200
    assert CreditCostConfig.objects.get(operation="image_generation").cost == Decimal("2")


def test_change_form_refuses_a_share_that_breaks_the_sum(admin_client):
    row = CreditCostConfig.objects.get(operation="clustering")
    response = admin_client.post(
        f"{CHANGELIST}{row.pk}/change/",
        {
            "operation": row.operation,
            "unit": row.unit,
            "per_units": row.per_units,
            "cost": str(row.cost),
            "rounding": row.rounding,
            "variant_costs": "{}",
            "budget_percentage": "50",
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and "sum to 100" in response.content.decode()
    row.refresh_from_db()
    assert row.budget_percentage == Decimal("15")


def test_cost_rows_cannot_be_deleted(admin_client):
    """Every AI call prices itself from its row: a deleted row would turn each call into a 500.
    An operation is made free with is_active instead."""
    row = CreditCostConfig.objects.get(operation="clustering")
    response = admin_client.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert CreditCostConfig.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("per_units", "0"),
        ("variant_costs", '{"1792x1024:hd": "four"}'),
        ("variant_costs", '{"1792x1024:hd": "-4"}'),
        ("variant_costs", "[4]"),
    ],
)
def test_change_form_refuses_prices_that_cannot_be_computed(admin_client, field, value):
    row = CreditCostConfig.objects.get(operation="image_generation")
    data = {
        "operation": row.operation,
        "unit": row.unit,
        "per_units": row.per_units,
        "cost": str(row.cost),
        "rounding": row.rounding,
        "variant_costs": "{}",
        "budget_percentage": str(row.budget_percentage),
        "is_active": "on",
        field: value,
    }
    response = admin_client.post(f"{CHANGELIST}{row.pk}/change/", data)
    assert response.status_code == 200  # the form is shown again with the error
    row.refresh_from_db()
    assert row.per_units == 1 and row.variant_costs == {}
    assert row.price(1, "1792x1024:hd") == Decimal("2.00")


def test_change_form_saves_a_valid_variant_price(admin_client):
    row = CreditCostConfig.objects.get(operation="image_generation")
    response = admin_client.post(
        f"{CHANGELIST}{row.pk}/change/",
        {
            "operation": row.operation,
            "unit": row.unit,
            "per_units": "1",
            "cost": str(row.cost),
            "rounding": row.rounding,
            "variant_costs": '{"1792x1024:hd": "4"}',
            "budget_percentage": str(row.budget_percentage),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.price(2, "1792x1024:hd") == Decimal("8.00")
