"""Budget allocation: global defaults, per-site overrides, the 100% rule."""

from decimal import Decimal

import pytest

from igny8_core.billing.budget import BudgetAllocationService, InvalidAllocation
from igny8_core.billing.models import CreditCostConfig, SiteAIBudgetAllocation

pytestmark = pytest.mark.django_db
B = BudgetAllocationService


def test_global_defaults_apply_without_an_override(alice_site):
    assert B.percentages(alice_site) == {
        "clustering": Decimal("15"),
        "idea_generation": Decimal("10"),
        "content_generation": Decimal("40"),
        "image_prompt_extraction": Decimal("5"),
        "image_generation": Decimal("30"),
    }
    assert B.get_operation_budget(alice_site, "content_generation", 50) == Decimal("20.00")
    CreditCostConfig.objects.filter(operation="content_generation").update(budget_percentage=Decimal("25"))
    assert B.get_operation_budget(alice_site, "content_generation", 50) == Decimal("12.50")


def test_no_run_budget_means_unlimited(alice_site):
    assert B.get_operation_budget(alice_site, "clustering", 0) is None
    assert B.get_operation_budget(alice_site, "clustering", None) is None


def test_site_override_is_honoured_and_other_sites_keep_defaults(alice_site, bob_site):
    B.update_site_allocation(
        alice_site,
        {
            "use_global_defaults": False,
            "clustering": 50,
            "idea_generation": 20,
            "content_generation": 20,
            "image_prompt_extraction": 5,
            "image_generation": 5,
        },
    )
    assert B.get_operation_budget(alice_site, "clustering", 10) == Decimal("5.00")
    assert B.get_operation_budget(alice_site, "image_generation", "33.33") == Decimal("1.66")  # rounded down
    assert B.get_operation_budget(bob_site, "clustering", 10) == Decimal("1.50")

    B.update_site_allocation(alice_site, {"use_global_defaults": True})
    assert B.get_operation_budget(alice_site, "clustering", 10) == Decimal("1.50")
    saved = SiteAIBudgetAllocation.objects.get(site=alice_site)
    assert saved.clustering_percentage == Decimal("50")  # own shares kept for later


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"use_global_defaults": False, "clustering": 20}, "non_field_errors"),  # 105
        ({"clustering": 101}, "clustering"),
        ({"clustering": -1}, "clustering"),
        ({"clustering": "abc"}, "clustering"),
        ({"clustering": "10.005"}, "clustering"),
        ({"use_global_defaults": "yes"}, "use_global_defaults"),
    ],
)
def test_invalid_allocations_are_refused_and_nothing_is_saved(alice_site, changes, field):
    with pytest.raises(InvalidAllocation) as caught:
        B.update_site_allocation(alice_site, changes)
    assert field in caught.value.errors
    assert not SiteAIBudgetAllocation.objects.filter(site=alice_site).exists()


def test_sum_message_names_the_total(alice_site):
    with pytest.raises(InvalidAllocation) as caught:
        B.update_site_allocation(alice_site, {"clustering": "10.5"})
    assert caught.value.errors["non_field_errors"] == ["The percentages must sum to 100; they sum to 95.5."]


def test_summary_shows_shares_and_budgets(alice_site):
    B.update_site_allocation(
        alice_site,
        {
            "use_global_defaults": False,
            "clustering": 10,
            "idea_generation": 10,
            "content_generation": 50,
            "image_prompt_extraction": 10,
            "image_generation": 20,
        },
    )
    summary = B.summary(alice_site, total=200)
    assert summary["use_global_defaults"] is False
    assert summary["percentages"]["content_generation"] == 50.0
    assert summary["total_budget"] == "200"
    assert summary["budgets"] == {
        "clustering": "20.00",
        "idea_generation": "20.00",
        "content_generation": "100.00",
        "image_prompt_extraction": "20.00",
        "image_generation": "40.00",
    }
    assert set(B.summary(alice_site)["budgets"].values()) == {None}
