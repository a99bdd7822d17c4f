"""The two AI roles and what each is configured with.

`text` answers chat completions (clusters, ideas, articles, image prompts); `image` draws.
Each role has its own provider (`openai` or `demo`; the image role also `none` = make no
images), endpoint, key and model, so a local text model can write while another server
draws. The install's environment gives the defaults (the image role falls back to the text
role's endpoint and key); an account may override either role with its own settings.
"""

from dataclasses import dataclass, replace

from django.conf import settings

TEXT, IMAGE = "text", "image"
ROLES = (TEXT, IMAGE)
OPENAI_API = "https://api.openai.com/v1"  # where an account key without its own URL goes
PROVIDERS = {TEXT: ("openai", "demo"), IMAGE: ("openai", "demo", "none")}


@dataclass(frozen=True)
class RoleSettings:
    role: str
    provider: str
    base_url: str | None = None
    api_key: str = ""
    model: str = ""
    structured_output: str = "json_schema"  # only the text role asks for JSON
    source: str = "install"  # "install" (the operator's environment) or "account"

    @property
    def off(self) -> bool:
        return self.provider == "none"

    def with_overrides(self, **changes) -> "RoleSettings":
        return replace(self, **{k: v for k, v in changes.items() if v not in (None, "")})


def install_settings(role: str) -> RoleSettings:
    """The operator's environment for `role`."""
    if role == TEXT:
        return RoleSettings(
            role=TEXT,
            provider=settings.IGNY8_AI_PROVIDER,
            base_url=settings.OPENAI_BASE_URL or None,
            api_key=settings.OPENAI_API_KEY,
            model=settings.OPENAI_TEXT_MODEL,
            structured_output=settings.OPENAI_STRUCTURED_OUTPUT,
        )
    if role == IMAGE:
        return RoleSettings(
            role=IMAGE,
            provider=settings.IGNY8_IMAGE_PROVIDER or settings.IGNY8_AI_PROVIDER,
            base_url=settings.OPENAI_IMAGE_BASE_URL or settings.OPENAI_BASE_URL or None,
            api_key=settings.OPENAI_IMAGE_API_KEY or settings.OPENAI_API_KEY,
            model=settings.OPENAI_IMAGE_MODEL,
        )
    raise ValueError(f"Unknown AI role '{role}' (use 'text' or 'image').")
