"""The provider test: one tiny real call per role with the settings the account's runs use.

Text: a one-field JSON answer. When the account has not chosen a structured-output mode and
the server refuses `json_schema`, `json_object` and then `prompt` are tried, and the first
that works is saved as the account's mode (detected once, used by every later call).
Image: one image at the configured size and quality (the provider bills it). Failures are
answers, not errors: {"ok": false, "detail": why}.
"""

import time
from collections.abc import Callable
from typing import Any

from igny8_core.accounts.models import Account

from .exceptions import AIError
from .models import AccountAIProvider
from .providers import build_role_provider
from .providers.accounts import role_settings
from .providers.base import JSONCompletion
from .providers.openai import STRUCTURED_OUTPUT_MODES
from .providers.roles import IMAGE, TEXT, RoleSettings

TEST_TIMEOUT = 20.0  # seconds: a person is waiting for the answer
PING_SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}
PING = [
    {"role": "system", "content": "You are a connectivity check. Answer in JSON."},
    {"role": "user", "content": 'Answer with the JSON object {"ok": true} and nothing else.'},
]


def _timed[T](call: Callable[[], T]) -> tuple[T, int]:
    started = time.monotonic()
    value = call()
    return value, int((time.monotonic() - started) * 1000)


def _answer(ok: bool, detail: str, latency_ms: int = 0) -> dict[str, Any]:
    return {"ok": ok, "detail": detail, "latency_ms": latency_ms}


def _ping(config: RoleSettings, mode: str) -> tuple[JSONCompletion, int]:
    provider = build_role_provider(config.with_overrides(structured_output=mode), timeout=TEST_TIMEOUT, max_retries=0)
    return _timed(lambda: provider.complete_json(PING, PING_SCHEMA, schema_name="connectivity_check"))


def check_text(account: Account) -> dict[str, Any]:
    config = role_settings(TEXT, account)
    row = AccountAIProvider.objects.filter(account=account, role=TEXT).first()
    chosen = bool(row and row.structured_output)
    modes = [config.structured_output] if chosen or config.provider != "openai" else list(STRUCTURED_OUTPUT_MODES)
    refused = []
    for mode in modes:
        try:
            answer, latency = _ping(config, mode)
        except AIError as exc:
            # A refusal or an unusable answer may be the mode's fault; a server that is down is not.
            if mode != modes[-1] and not getattr(exc, "transient", False):
                refused.append(f"{mode}: {exc}")
                continue
            detail = "; ".join([*refused, f"{mode}: {exc}"]) if refused else str(exc)
            return _answer(False, detail)
        detail = f"{config.provider} {answer.model} answered in {latency} ms ({mode})."
        if refused:
            AccountAIProvider.objects.update_or_create(account=account, role=TEXT, defaults={"structured_output": mode})
            detail += (
                f" The server refused {', '.join(r.split(':')[0] for r in refused)}: '{mode}' is saved as your mode."
            )
        return {**_answer(True, detail, latency), "structured_output": mode}
    return _answer(False, "No structured-output mode worked.")  # unreachable: the loop returns


def check_image(account: Account) -> dict[str, Any]:
    config = role_settings(IMAGE, account)
    if config.off:
        return _answer(True, "Images are off (provider 'none'): nothing to test.")
    try:
        provider = build_role_provider(config, timeout=max(TEST_TIMEOUT, 60.0), max_retries=0)
        image, latency = _timed(
            lambda: provider.generate_image("A single red circle on a white background.", title="Provider test")
        )
    except AIError as exc:
        return _answer(False, str(exc))
    return _answer(
        True, f"{config.provider} {image.model} made a {len(image.data)} byte image in {latency} ms.", latency
    )


def check(account: Account) -> dict[str, dict[str, Any]]:
    return {"text": check_text(account), "image": check_image(account)}
