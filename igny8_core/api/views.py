from django.db import connection
from django.urls import Resolver404, resolve
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response


@extend_schema(
    responses=inline_serializer("Health", {"status": serializers.CharField(), "database": serializers.CharField()})
)
@api_view(["GET"])
@permission_classes([AllowAny])
def health(request):
    """Liveness probe for load balancers and docker-compose."""
    connection.ensure_connection()
    return Response({"status": "ok", "database": connection.vendor})


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def unknown_endpoint(request, path=""):
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
