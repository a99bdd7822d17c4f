"""/api/v1/ai/provider/: the account's own AI provider per role (bring your own key), and a test.

Always the caller's own account: there is nothing of another account to name. The key is
write-only (the answer says `api_key_set`) and stored encrypted; an account's base URL must
pass the outbound URL policy (private and loopback addresses refused unless the operator
allows them).
"""

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from igny8_core.accounts.models import Account, User
from igny8_core.outbound import OutboundURLRefused, check_url_for_saving

from . import provider_check
from .providers import accounts
from .providers.openai import STRUCTURED_OUTPUT_MODES
from .providers.roles import PROVIDERS


def _account(request: Request) -> Account:
    """The caller's account (the default permission class lets authenticated users only)."""
    user = request.user
    assert isinstance(user, User)
    return user.account


class RoleSerializer(serializers.Serializer[dict[str, Any]]):
    provider = serializers.ChoiceField(choices=[""], required=False, help_text="Blank: the install's provider.")
    base_url = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="OpenAI-compatible API root, e.g. …/v1."
    )
    model = serializers.CharField(required=False, allow_blank=True, max_length=100)
    api_key = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=500, help_text='Write-only; "" removes it.'
    )

    def __init__(self, *args: Any, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, serializers.ChoiceField)
        provider.choices = ["", *PROVIDERS[role]]
        if role == "text":
            self.fields["structured_output"] = serializers.ChoiceField(
                choices=["", *STRUCTURED_OUTPUT_MODES], required=False, help_text="Blank: the install's mode."
            )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send an object of settings."]})
        if unknown := sorted(set(data) - set(self.fields)):
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        cleaned: dict[str, Any] = super().to_internal_value(data)
        return cleaned

    def validate_base_url(self, value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        try:
            return check_url_for_saving(value.rstrip("/"))
        except OutboundURLRefused as exc:
            raise serializers.ValidationError(str(exc)) from None


class ProviderSettingsSerializer(serializers.Serializer[dict[str, Any]]):
    text = serializers.DictField(required=False)
    image = serializers.DictField(required=False)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        if unknown := sorted(set(data) - {"text", "image"}):
            raise serializers.ValidationError({name: ["Unknown role (text or image)."] for name in unknown})
        cleaned, errors = {}, {}
        for role, fields in data.items():
            role_serializer = RoleSerializer(data=fields, role=role)
            if role_serializer.is_valid():
                cleaned[role] = role_serializer.validated_data
            else:
                errors[role] = role_serializer.errors
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned


ROLE_ANSWER: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "provider": serializers.CharField(),
    "base_url": serializers.CharField(),
    "model": serializers.CharField(),
    "api_key_set": serializers.BooleanField(),
}
SOURCES = ("install", "account")  # whose settings a role uses
USES: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "provider": serializers.CharField(),
    "model": serializers.CharField(),
    "source": serializers.ChoiceField(choices=SOURCES, help_text="Whose settings apply."),
}
USES_HELP = "What runs use now."
SETTINGS_ANSWER = inline_serializer(
    "AIProviderSettings",
    {
        "text": inline_serializer(
            "AIProviderTextRole",
            {
                **ROLE_ANSWER,
                "structured_output": serializers.CharField(),
                "uses": inline_serializer(
                    "AIProviderTextUses", {**USES, "structured_output": serializers.CharField()}, help_text=USES_HELP
                ),
            },
        ),
        "image": inline_serializer(
            "AIProviderImageRole",
            {**ROLE_ANSWER, "uses": inline_serializer("AIProviderImageUses", dict(USES), help_text=USES_HELP)},
        ),
    },
)
CHECK: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "ok": serializers.BooleanField(),
    "detail": serializers.CharField(),
    "latency_ms": serializers.IntegerField(),
}


@extend_schema(methods=["GET"], summary="The account's AI provider settings per role", responses={200: SETTINGS_ANSWER})
@extend_schema(
    methods=["PUT"],
    summary="Set the account's own AI provider (per role; fields left out are kept)",
    description='`{"text": {provider, base_url, model, api_key, structured_output}, "image": {provider, '
    "base_url, model, api_key}}`. Blank fields use the install's settings; with an own base URL or key the "
    "endpoint and key both come from the account (a key without URL goes to api.openai.com). `api_key` is "
    'write-only and stored encrypted; `""` removes it.',
    request=inline_serializer(
        "AIProviderSettingsUpdate", {"text": serializers.DictField(), "image": serializers.DictField()}
    ),
    responses={200: SETTINGS_ANSWER},
)
@extend_schema(methods=["DELETE"], summary="Back to the install's AI provider", responses={200: SETTINGS_ANSWER})
@api_view(["GET", "PUT", "DELETE"])
def provider_settings(request: Request) -> Response:
    account = _account(request)
    if request.method == "PUT":
        serializer = ProviderSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        accounts.save(account, serializer.validated_data)
    elif request.method == "DELETE":
        accounts.reset(account)
    return Response(accounts.describe(account))


@extend_schema(
    summary="Test the AI provider: one tiny real call per role",
    description="Uses the saved settings (what runs use). Text: a one-field JSON answer; when no "
    "structured-output mode is chosen and the server refuses json_schema, json_object and prompt are tried "
    "and the first that works is saved. Image: one image at the configured size (billed by the provider). "
    "A failure is `ok: false` with the reason, not an HTTP error.",
    request=None,
    responses={
        200: inline_serializer(
            "AIProviderTest",
            {
                "text": inline_serializer(
                    "AIProviderTestText", {**CHECK, "structured_output": serializers.CharField(required=False)}
                ),
                "image": inline_serializer("AIProviderTestImage", dict(CHECK)),
            },
        )
    },
)
@api_view(["POST"])
def provider_test(request: Request) -> Response:
    return Response(provider_check.check(_account(request)))
