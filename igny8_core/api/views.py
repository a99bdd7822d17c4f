from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
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
