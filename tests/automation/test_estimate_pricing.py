"""The run estimate prices images the way the engine will charge them (size:quality variant)."""

from decimal import Decimal

import pytest

from igny8_core.ai.providers import get_provider
from igny8_core.automation.service import AutomationService
from igny8_core.billing.models import CreditCostConfig

from .helpers import add_keywords

pytestmark = pytest.mark.django_db


def stage_6_credits(site) -> tuple[Decimal, int]:
    estimate = AutomationService.estimate_credits(site)
    [row] = [r for r in estimate["breakdown"] if r["stage"] == 6]
    return Decimal(str(row["credits"])), row["items"]


def test_stage_6_estimate_uses_the_configured_image_variant_price(small_site, settings):
    settings.IGNY8_AI_PROVIDER = "demo"
    add_keywords(small_site, 6)
    base, images = stage_6_credits(small_site)
    assert images > 0 and base == Decimal("2.00") * images

    variant = get_provider().image_variant
    CreditCostConfig.objects.filter(operation="image_generation").update(variant_costs={variant: "5"})
    priced, _ = stage_6_credits(small_site)
    assert priced == Decimal("5.00") * images
