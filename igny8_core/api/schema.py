"""OpenAPI: every operation documents the error answers it can really give.

drf-spectacular documents success bodies from serializers; this AutoSchema adds the shared
error shapes of `igny8_core.api.errors` (400 field errors, 401, 403, 404, 429) wherever the
operation can produce them, so clients and schemathesis see the whole contract. Views add the
domain-specific ones (402 insufficient credits, 409 state conflicts) with `error_responses()`.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` and `code`, plus one key per invalid field with its messages.",
    "properties": {
        "detail": {"type": "string", "description": "Human-readable message."},
        "code": {"type": "string", "description": "Machine-readable error code."},
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}

_GENERIC_DESCRIPTIONS = {
    "400": "Invalid input (field errors).",
    "401": "Not authenticated (send `Authorization: Token <key>` or a session cookie).",
    "403": "Forbidden (for session auth: missing or wrong CSRF token).",
    "404": "Not found, or owned by another account.",
    "429": "Too many requests; retry after the `Retry-After` header.",
    "503": "A service the API needs is unavailable (code service_unavailable: the database, or Redis).",
}
# Bounds the views enforce on shared query parameters (a value outside them is a 400 or 404).
_QUERY_PARAM_BOUNDS = {
    "site_id": {"minimum": 1},
    "page": {"minimum": 1},
    "page_size": {"minimum": 1},  # more than 1000 is capped, not refused
    "run_id": {"minLength": 1},
}

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_SCOPED_QUERY_PARAMS = {"site_id", "run_id", "page"}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Human-readable message.")
    code = serializers.CharField(help_text="Machine-readable error code, e.g. not_found, already_running.")


class InsufficientCreditsSerializer(ErrorSerializer):
    required = serializers.DecimalField(max_digits=14, decimal_places=2)
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)


def error_responses(*codes: int) -> dict:
    """Documented errors the generic rules of AutoSchema cannot infer, for `extend_schema(responses=...)`."""
    known = {
        402: OpenApiResponse(InsufficientCreditsSerializer, description="Not enough credits."),
        409: OpenApiResponse(ErrorSerializer, description="The object's state does not allow this."),
        # For ids / site_id given in the body, which the generic rules cannot see.
        404: OpenApiResponse(ErrorSerializer, description=_GENERIC_DESCRIPTIONS["404"]),
        503: OpenApiResponse(ErrorSerializer, description="The AI provider is not configured or not reachable."),
    }
    return {code: known[code] for code in codes}


def ids_request(name: str, max_items: int | None = None):
    """Request body `{"ids": [int, ...]}` documented with its bound."""
    limit = f" (at most {max_items})" if max_items else ""
    return inline_serializer(
        name,
        {
            "ids": serializers.ListField(
                child=serializers.IntegerField(min_value=1),
                min_length=1,
                max_length=max_items,
                help_text=f"Object ids{limit}.",
            )
        },
    )


class AutoSchema(SpectacularAutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        """A model serializer's answer carries every model field, defaults included: required in
        the response schema (the generated client then needs no `?`). Declared fields keep
        their own `required` (a stored JSON tally documents optional keys that way)."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and isinstance(serializer, serializers.ModelSerializer):
            declared = getattr(serializer, "_declared_fields", {})
            answered = {
                name
                for name, field in serializer.fields.items()
                if name not in declared and not field.write_only and name in schema.get("properties", {})
            }
            if answered:
                schema["required"] = sorted(set(schema.get("required", [])) | answered)
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            self._bound_query_parameters(operation)
            self._add_error_responses(operation)
        return operation

    def _bound_query_parameters(self, operation: dict) -> None:
        for param in operation.get("parameters", []):
            if param.get("in") != "query":
                continue
            schema = param.setdefault("schema", {})
            schema.update(_QUERY_PARAM_BOUNDS.get(param["name"], {}))
            # An empty choice filter (`?status=`) means "no filter", as django-filter reads it.
            if schema.get("type") == "string" and "" not in schema.get("enum", [""]):
                schema["enum"] = [*schema["enum"], ""]

    def _error_ref(self, name: str) -> dict:
        if name == "Error":
            return self.resolve_serializer(ErrorSerializer, "response").ref
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=_VALIDATION_ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _add_error_responses(self, operation: dict) -> None:
        params = operation.get("parameters", [])
        has_path_params = any(p.get("in") == "path" for p in params)
        query_names = {p["name"] for p in params if p.get("in") == "query"}
        security = operation.get("security", [])
        needs_auth = bool(security) and {} not in security

        codes = []
        if "requestBody" in operation or query_names:
            codes.append("400")
        if needs_auth:
            codes.append("401")
            if self.method not in SAFE_METHODS:
                codes.append("403")
        if has_path_params or query_names & _SCOPED_QUERY_PARAMS:
            codes.append("404")
        if self.view.get_throttles():
            codes.append("429")
        codes.append("503")  # every operation reads the database

        responses = operation["responses"]
        for code in codes:
            if code in responses:
                continue
            component = "ValidationError" if code == "400" else "Error"  # 503 also has `service`
            responses[code] = {
                "description": _GENERIC_DESCRIPTIONS[code],
                "content": {"application/json": {"schema": self._error_ref(component)}},
            }
