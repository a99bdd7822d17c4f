"""What the AI provider bills, in USD, from the admin-editable price table (ModelPrice).

Credits are this product's own unit; provider cost is what the person pays OpenAI (or 0 on a
local model). Text calls cost tokens x the model's per-million prices, failed calls included
(the provider bills the tokens either way); an image costs its "size:quality" price, and only
when one was made. A model missing from the table costs 0 and is logged once, so the operator
can add it.
"""

import logging
from decimal import Decimal

from .models import ModelPrice

log = logging.getLogger(__name__)
MILLION = Decimal(1_000_000)
MICRO_USD = Decimal("0.000001")


def find_price(model: str) -> ModelPrice | None:
    """The row for `model`, or for the longest listed name it is a dated version of
    ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini")."""
    if not model:
        return None
    exact = ModelPrice.objects.filter(model=model).first()
    if exact is not None:
        return exact
    candidates = [row for row in ModelPrice.objects.all() if model.startswith(row.model + "-")]
    return max(candidates, key=lambda row: len(row.model), default=None)


def text_cost(price: ModelPrice | None, prompt_tokens: int, completion_tokens: int) -> Decimal:
    if price is None:
        return Decimal("0")
    cost = (prompt_tokens * price.input_per_million + completion_tokens * price.output_per_million) / MILLION
    return cost.quantize(MICRO_USD)


def image_cost(price: ModelPrice | None, variant: str, images: int) -> Decimal:
    """0 when the variant has no price (PriceBook says so once)."""
    if price is None or images <= 0:
        return Decimal("0")
    each = (price.image_prices or {}).get(variant)
    if each is None:
        return Decimal("0")
    return (Decimal(str(each)) * images).quantize(MICRO_USD)


def is_free(price: ModelPrice) -> bool:
    """A row that prices nothing (the demo provider, a local model): 0 is the right cost."""
    return not price.image_prices and not price.input_per_million and not price.output_per_million


class PriceBook:
    """Prices looked up once per model for the life of one engine (one run or one call)."""

    def __init__(self) -> None:
        self._rows: dict[str, ModelPrice | None] = {}
        self._unpriced: set[tuple[str, str]] = set()  # (model, variant) pairs already logged

    def price(self, model: str) -> ModelPrice | None:
        if model not in self._rows:
            self._rows[model] = find_price(model)
            if self._rows[model] is None and model:
                log.warning("Model %s is not in the price table: its provider cost counts as 0.", model)
        return self._rows[model]

    def cost(
        self,
        *,
        model: str,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        variant: str | None = None,
        images: int = 0,
    ) -> Decimal:
        price = self.price(model)
        variant = variant or ""
        if images > 0 and price is not None and variant not in (price.image_prices or {}) and not is_free(price):
            if (model, variant) not in self._unpriced:  # once, not once per image of the run
                self._unpriced.add((model, variant))
                log.warning("No price for %s images of %s in the price table: counted as 0.", variant, model)
        return text_cost(price, prompt_tokens, completion_tokens) + image_cost(price, variant, images)
