"""AI providers behind one interface (see base.AIProvider).

`get_provider()` pairs the text role's provider with the image role's (see roles.py for
where each role's settings come from); `get_provider("demo" | "openai")` builds that one
provider for both roles from the install's settings.
"""

from functools import partial

from igny8_core.outbound import HostNotFound, OutboundURLRefused, check_url

from ..exceptions import ProviderError
from .accounts import role_settings
from .base import AIProvider, GeneratedImage, JSONCompletion
from .pair import RoleProviders
from .roles import IMAGE, OPENAI_API, TEXT, RoleSettings


def build_role_provider(config: RoleSettings, **options) -> AIProvider:
    """One role's provider from its settings (`options`: e.g. timeout, max_retries for a test call).

    An endpoint an account supplied is checked against the outbound URL policy first (the
    operator's own settings are trusted)."""
    if config.source == "account" and config.provider == "openai" and config.base_url != OPENAI_API:
        try:
            check_url(config.base_url or "")
        except HostNotFound as exc:  # DNS may be back later: worth a retry, unlike a refusal
            raise ProviderError(f"Your {config.role} provider address: {exc}", transient=True) from None
        except OutboundURLRefused as exc:
            raise ProviderError(f"Your {config.role} provider address is refused: {exc}") from None
    if config.provider == "demo":
        from .demo import DemoProvider

        provider = DemoProvider()
    elif config.provider == "openai":
        from .openai import OpenAIProvider

        model = {"text_model": config.model} if config.role == TEXT else {"image_model": config.model}
        if config.role == TEXT:
            model["structured_output"] = config.structured_output
        options.update({k: v for k, v in model.items() if v})
        provider = OpenAIProvider(api_key=config.api_key, base_url=config.base_url, role=config.role, **options)
    else:
        raise ProviderError(f"Unknown {config.role} provider '{config.provider}' (use 'demo' or 'openai').")
    provider.role = config.role
    return provider


def get_provider(name: str | None = None, account=None) -> AIProvider:
    """The provider for `account` (or the install): text and image roles paired.

    With `name`, that one provider serves both roles on the text role's endpoint (scripts and
    tests that want a specific provider)."""
    if name is not None:
        if name not in ("demo", "openai"):
            raise ProviderError(f"Unknown AI provider '{name}' (use 'demo' or 'openai').")
        provider = build_role_provider(role_settings(TEXT).with_overrides(provider=name))
        provider.role = ""
        return provider
    text, image = role_settings(TEXT, account), role_settings(IMAGE, account)
    return RoleProviders(partial(build_role_provider, text), None if image.off else partial(build_role_provider, image))


def images_enabled(account=None) -> bool:
    """False when the image role of `account` (or the install) is `none`."""
    return not role_settings(IMAGE, account).off


def site_images_off(site) -> str:
    """Why `site` makes no images whatever runs it (its own setting, or its account's image
    provider is `none`), or "" when it makes them."""
    if not site.generate_images:
        return "the site makes no images"
    if not images_enabled(site.account):
        return "the image provider is 'none'"
    return ""


def configured_image_variant(account=None) -> str | None:
    """The CreditCostConfig.variant_costs key the configured image provider's images are
    charged at, so estimates price images as the engine will charge them."""
    try:
        provider = get_provider(account=account)
        return provider.image_variant if provider.images_enabled else None
    except ProviderError:  # e.g. openai without a key: no image can be generated anyway
        return None


__all__ = [
    "AIProvider",
    "GeneratedImage",
    "JSONCompletion",
    "build_role_provider",
    "configured_image_variant",
    "get_provider",
    "images_enabled",
    "site_images_off",
]
