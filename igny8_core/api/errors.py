"""One JSON error shape for the whole API: {"detail": str, "code": str, ...field errors}."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from igny8_core.ai.exceptions import ProviderError
from igny8_core.billing.services import InsufficientCredits
from igny8_core.degraded import log_unavailable, unavailable_payload, unavailable_service


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's state does not allow this."
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if service := unavailable_service(exc):
        # PostgreSQL refusing connections or full, Redis down: the service, not the request, failed.
        request = context.get("request")
        log_unavailable(service, exc, getattr(request, "path", "?"))
        set_rollback()
        return Response(
            unavailable_payload(service), status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"}
        )
    if isinstance(exc, InsufficientCredits):
        return Response(
            {
                "detail": str(exc),
                "code": "insufficient_credits",
                "required": str(exc.required),
                "balance": str(exc.available),
            },
            status=status.HTTP_402_PAYMENT_REQUIRED,
        )
    if isinstance(exc, ProviderError):
        # E.g. IGNY8_AI_PROVIDER=openai without a key: the AI service, not the request, is at fault.
        return Response(
            {"detail": str(exc), "code": "ai_provider_unavailable"}, status=status.HTTP_503_SERVICE_UNAVAILABLE
        )
    if isinstance(exc, SuspiciousOperation):
        # E.g. more form fields or a bigger body than DATA_UPLOAD_MAX_* allow: a JSON 400 instead
        # of Django's HTML page, still logged on Django's security logger.
        logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
        exc = exceptions.ParseError(f"Malformed or oversized request: {exc}")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        # Field errors stay at the top level (DRF's shape) plus a summary and a code.
        payload = {"detail": "Invalid input.", "code": "invalid"}
        if isinstance(data, dict):
            payload.update(data)
        else:
            payload["errors"] = data
        response.data = payload
    elif isinstance(data, dict) and "detail" in data:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        data.setdefault("code", codes if isinstance(codes, str) else getattr(exc, "default_code", "error"))
    return response
