from typing import Any

from django.urls import Resolver404, resolve
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from igny8_core.health import run_checks

HEALTH_STATUSES = ("ok", "failing")
HEALTH_FIELDS: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "status": serializers.ChoiceField(choices=HEALTH_STATUSES),
    "database": serializers.CharField(help_text="ok, or why the database check fails"),
    "redis": serializers.CharField(help_text="ok, or why Redis does not answer"),
    "worker": serializers.CharField(help_text="ok, or that no Celery worker was seen recently"),
}


@extend_schema(
    responses={
        200: inline_serializer("Health", dict(HEALTH_FIELDS)),
        503: inline_serializer(
            "HealthFailing",
            {**HEALTH_FIELDS, "detail": serializers.CharField(), "code": serializers.CharField()},
        ),
    },
    summary="Readiness: the database, Redis and a recently seen Celery worker; 503 names what fails.",
)
@api_view(["GET"])
@permission_classes([AllowAny])
@authentication_classes([])
@throttle_classes([])
def health(request: Request) -> Response:
    """Readiness probe for load balancers and docker-compose."""
    checks = run_checks()
    failing = [name for name, result in checks.items() if result != "ok"]
    if not failing:
        return Response({"status": "ok", **checks})
    detail = "Failing: " + ", ".join(f"{name} ({checks[name]})" for name in failing) + "."
    return Response(
        {"status": "failing", "detail": detail, "code": "service_unavailable", **checks},
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def unknown_endpoint(request: Request, path: str = "") -> Response:
    """Anything under /api/v1/ that no route matches: a JSON 404 (not Django's HTML page), so API
    clients always get the documented error shape."""
    hint = ""
    if not request.path.endswith("/") and _resolves(request.path + "/"):
        hint = f" Did you mean {request.path}/ (with the trailing slash)?"
    raise NotFound(f"No API endpoint at {request.path}.{hint}")


def _resolves(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.func is not unknown_endpoint
