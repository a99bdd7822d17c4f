"""An account's own AI provider settings (bring your own key), merged over the install's.

Per role, a blank field means "as the install". When the account gives its own endpoint or
key, the endpoint and the key come from the account together - never the install's key with
the account's URL (that would hand the operator's key to any server a user names), and never
the account's key with the operator's URL: an account key without a URL goes to OpenAI.
An account's URL is checked against the outbound URL policy before every provider is built;
the operator's own settings are trusted.
"""

from typing import Any

from igny8_core.accounts.models import Account
from igny8_core.publishing.crypto import DecryptionError, decrypt, encrypt

from ..exceptions import ProviderError
from ..models import AccountAIProvider
from .roles import OPENAI_API, ROLES, RoleSettings, install_settings

EDITABLE = ("provider", "base_url", "model", "structured_output")


def role_settings(role: str, account: Account | None = None) -> RoleSettings:
    """What `role` uses for `account`: the account's own settings where it has them."""
    base = install_settings(role)
    return base if account is None else account_role_settings(account, base)


def stored(account: Account) -> dict[str, AccountAIProvider]:
    return {row.role: row for row in AccountAIProvider.objects.filter(account=account)}


def merge(base: RoleSettings, row: AccountAIProvider | None) -> RoleSettings:
    if row is None:
        return base
    own_endpoint = bool(row.base_url or row.api_key_encrypted)
    changes = {
        "provider": row.provider or ("openai" if own_endpoint else base.provider),
        "model": row.model or base.model,
        "structured_output": row.structured_output or base.structured_output,
    }
    if own_endpoint:
        try:
            key = decrypt(row.api_key_encrypted) if row.api_key_encrypted else ""
        except DecryptionError as exc:
            raise ProviderError(f"Your {row.role} provider key: {exc}") from None
        changes.update(base_url=row.base_url or OPENAI_API, api_key=key, source="account")
    return RoleSettings(**{**base.__dict__, **changes})


def account_role_settings(account: Account, base: RoleSettings) -> RoleSettings:
    return merge(base, AccountAIProvider.objects.filter(account=account, role=base.role).first())


def save(account: Account, changes: dict[str, dict[str, Any]]) -> None:
    """Apply validated per-role changes; `api_key`: absent keeps it, "" removes it."""
    for role, fields in changes.items():
        row, _ = AccountAIProvider.objects.get_or_create(account=account, role=role)
        for name in EDITABLE:
            if name in fields:
                setattr(row, name, fields[name] or "")
        if "api_key" in fields:
            row.api_key_encrypted = encrypt(fields["api_key"]) if fields["api_key"] else ""
        row.save()


def reset(account: Account) -> None:
    """Back to the install's settings for every role."""
    AccountAIProvider.objects.filter(account=account).delete()


def describe(account: Account) -> dict[str, dict[str, Any]]:
    """What the API shows: the account's own fields (no key, only whether one is set) and what
    each role uses now. The install's endpoint is not shown: it may be an internal address."""
    rows = stored(account)
    answer = {}
    for role in ROLES:
        row = rows.get(role)
        effective = merge(install_settings(role), row)
        uses = {"provider": effective.provider, "model": effective.model, "source": effective.source}
        answer[role] = {
            "provider": row.provider if row else "",
            "base_url": row.base_url if row else "",
            "model": row.model if row else "",
            "api_key_set": bool(row and row.api_key_encrypted),
            "uses": uses,
        }
        if role == "text":
            answer[role]["structured_output"] = row.structured_output if row else ""
            uses["structured_output"] = effective.structured_output
    return answer
