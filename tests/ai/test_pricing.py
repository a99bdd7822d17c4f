"""Provider cost from the price table: a missing image price is said once, a free model never."""

import logging
from decimal import Decimal

import pytest

from igny8_core.ai.models import ModelPrice
from igny8_core.ai.pricing import PriceBook


def unpriced_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "No price for" in r.getMessage()]


@pytest.mark.django_db
def test_a_missing_image_price_is_logged_once_per_variant_and_counts_0(caplog):
    ModelPrice.objects.update_or_create(
        model="img-test", defaults={"image_prices": {"1024x1024:low": "0.011"}, "input_per_million": Decimal("5")}
    )
    book = PriceBook()
    with caplog.at_level(logging.WARNING, logger="igny8_core.ai.pricing"):
        costs = [book.cost(model="img-test", variant="1536x1024:high", images=1) for _ in range(5)]
        priced = book.cost(model="img-test", variant="1024x1024:low", images=2)
        book.cost(model="img-test", variant="1024x1536:high", images=1)
    assert costs == [Decimal("0")] * 5 and priced == Decimal("0.022")
    assert unpriced_warnings(caplog) == [
        "No price for 1536x1024:high images of img-test in the price table: counted as 0.",
        "No price for 1024x1536:high images of img-test in the price table: counted as 0.",
    ]


@pytest.mark.django_db
def test_the_demo_image_model_is_free_without_a_warning(caplog):
    book = PriceBook()
    with caplog.at_level(logging.WARNING, logger="igny8_core.ai.pricing"):
        cost = book.cost(model="igny8-demo-image-v1", variant="1200x675:standard", images=3)
    assert cost == Decimal("0") and unpriced_warnings(caplog) == []
