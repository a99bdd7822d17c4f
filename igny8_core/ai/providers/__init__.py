"""AI providers behind one interface (see base.AIProvider); chosen by IGNY8_AI_PROVIDER."""

from django.conf import settings

from ..exceptions import ProviderError
from .base import AIProvider, GeneratedImage, JSONCompletion


def get_provider(name: str | None = None, account=None) -> AIProvider:
    """The configured provider. `account` is the seam for a per-account choice later."""
    name = name or settings.IGNY8_AI_PROVIDER
    if name == "demo":
        from .demo import DemoProvider

        return DemoProvider()
    if name == "openai":
        from .openai import OpenAIProvider

        return OpenAIProvider()
    raise ProviderError(f"Unknown AI provider '{name}' (use 'demo' or 'openai').")


def configured_image_variant() -> str | None:
    """The CreditCostConfig.variant_costs key the configured provider's images are charged at,
    so estimates price images as the engine will charge them."""
    try:
        return get_provider().image_variant
    except ProviderError:  # e.g. openai without a key: no image can be generated anyway
        return None


__all__ = ["AIProvider", "GeneratedImage", "JSONCompletion", "configured_image_variant", "get_provider"]
