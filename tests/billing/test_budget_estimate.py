"""The automation estimate shows the budget allocation, per-site overrides included."""

from decimal import Decimal

import pytest

from igny8_core.billing.budget import BudgetAllocationService

pytestmark = pytest.mark.django_db
service = pytest.importorskip("igny8_core.automation.service", reason="automation area not present")


def test_estimate_shows_allocation_of_the_run_budget(alice_site):
    from igny8_core.automation.models import AutomationConfig

    config = AutomationConfig.for_site(alice_site)
    config.max_credits_per_run = Decimal("200")
    config.save()
    BudgetAllocationService.update_site_allocation(
        alice_site,
        {
            "use_global_defaults": False,
            "clustering": 50,
            "idea_generation": 5,
            "content_generation": 25,
            "image_prompt_extraction": 10,
            "image_generation": 10,
        },
    )

    allocation = service.AutomationService.estimate_credits(alice_site)["allocation"]

    assert {op: Decimal(str(v)) for op, v in allocation.items()} == {
        "clustering": Decimal("100"),
        "idea_generation": Decimal("10"),
        "content_generation": Decimal("50"),
        "image_prompt_extraction": Decimal("20"),
        "image_generation": Decimal("20"),
    }
