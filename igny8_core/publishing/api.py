"""Publishing endpoints (/api/v1/publishing/…, `?site_id=` required): settings, queue, WordPress.

Views parse, check tenancy (get_site_or_404: another account's site is 404), call the services
and shape the answer.
"""

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from igny8_core.api.errors import Conflict
from igny8_core.api.schema import error_responses
from igny8_core.api.tenancy import get_site_or_404
from igny8_core.outbound import OutboundURLRefused, check_url_for_saving
from igny8_core.writer.models import Content

from .connections import save_connection, verify_credentials, verify_saved_connection
from .models import PublishingSettings, WordPressConnection
from .services import QUEUED_STATUSES
from .validation import parse_hhmm, settings_errors

SITE_ID = OpenApiParameter("site_id", int, required=True, description="The site (of your account).")


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"})
class HHMMField(serializers.Field):
    default_error_messages = {"invalid": "Enter a time in HH:MM format (00:00-23:59)."}

    def to_representation(self, value):
        return parse_hhmm(value).strftime("%H:%M")

    def to_internal_value(self, data):
        try:
            return parse_hhmm(data)
        except ValueError:
            self.fail("invalid")


class PublishingSettingsSerializer(serializers.ModelSerializer):
    publish_days = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    publish_time_slots = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    stagger_start_time = HHMMField()
    stagger_end_time = HHMMField()
    site_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = PublishingSettings
        fields = ["site_id", *PublishingSettings.SETTINGS_FIELDS]

    def validate(self, attrs):
        # Partial updates are checked together with the values they leave in place.
        merged = {name: attrs.get(name, getattr(self.instance, name)) for name in PublishingSettings.SETTINGS_FIELDS}
        if errors := settings_errors(merged):
            raise serializers.ValidationError(errors)
        return attrs


class WordPressConnectionSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    username = serializers.CharField(max_length=150)
    app_password = serializers.CharField(write_only=True, required=False, max_length=200, trim_whitespace=True)
    is_active = serializers.BooleanField(default=True)

    def validate_url(self, value):
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Use an http:// or https:// address.")
        try:
            return check_url_for_saving(value.rstrip("/"))
        except OutboundURLRefused as exc:
            raise serializers.ValidationError(str(exc)) from None


def connection_payload(connection: WordPressConnection | None) -> dict:
    if connection is None:
        return {
            "configured": False,
            "url": "",
            "username": "",
            "has_password": False,
            "is_active": False,
            "last_tested_at": None,
            "last_test_ok": None,
            "last_test_error": "",
        }
    return {
        "configured": True,
        "url": connection.url,
        "username": connection.username,
        "has_password": bool(connection.encrypted_password),
        "is_active": connection.is_active,
        "last_tested_at": connection.last_tested_at,
        "last_test_ok": connection.last_test_ok,
        "last_test_error": connection.last_test_error,
    }


@extend_schema(methods=["GET"], parameters=[SITE_ID], responses=PublishingSettingsSerializer)
@extend_schema(
    methods=["PUT"],
    parameters=[SITE_ID],
    request=PublishingSettingsSerializer,
    responses=PublishingSettingsSerializer,
    summary="Update (partial updates allowed).",
)
@api_view(["GET", "PUT"])
def publishing_settings(request):
    site = get_site_or_404(request)
    if request.method == "GET":
        return Response(PublishingSettingsSerializer(PublishingSettings.for_site(site)).data)
    instance, _ = PublishingSettings.objects.get_or_create(site=site, defaults={"account_id": site.account_id})
    serializer = PublishingSettingsSerializer(instance, data=request.data, partial=True)
    serializer.is_valid(raise_exception=True)
    serializer.save()
    return Response(serializer.data)


QUEUE_ITEM = {
    "id": serializers.IntegerField(),
    "title": serializers.CharField(),
    "site_status": serializers.CharField(),
    "scheduled_publish_at": serializers.DateTimeField(allow_null=True),
    "published_at": serializers.DateTimeField(allow_null=True),
    "external_url": serializers.CharField(),
    "publish_error": serializers.CharField(),
    "publish_attempts": serializers.IntegerField(),
}
# inline_serializer consumes the dict it is given (its fields move into the class): pass copies.
QueueItem = inline_serializer("PublishingQueueItem", dict(QUEUE_ITEM))
QUEUE_FIELDS = (
    "id",
    "title",
    "site_status",
    "scheduled_publish_at",
    "published_at",
    "external_url",
    "publish_error",
    "publish_attempts",
)


@extend_schema(
    parameters=[
        SITE_ID,
        OpenApiParameter("status", str, description="scheduled, publishing, published or failed"),
        OpenApiParameter("limit", int, description="At most this many items (default 100, max 500)."),
    ],
    responses=inline_serializer(
        "PublishingQueue",
        {
            "results": QueueItem.__class__(many=True),
            "scheduled_count": serializers.IntegerField(),
            "queue_limit": serializers.IntegerField(),
        },
    ),
    summary="Content on its way to WordPress: scheduled and publishing first (soonest first), then failed, then published.",
)
@api_view(["GET"])
def publishing_queue(request):
    site = get_site_or_404(request)
    items = Content.objects.filter(site=site).exclude(site_status=Content.SiteStatus.NOT_PUBLISHED)
    wanted = request.query_params.get("status")
    if wanted:
        if wanted not in Content.SiteStatus.values or wanted == Content.SiteStatus.NOT_PUBLISHED:
            raise exceptions.ValidationError({"status": ["Use scheduled, publishing, published or failed."]})
        items = items.filter(site_status=wanted)
    try:
        limit = min(max(int(request.query_params.get("limit", 100)), 1), 500)
    except ValueError:
        raise exceptions.ValidationError({"limit": ["A whole number is required."]}) from None
    group = Case(
        When(site_status__in=QUEUED_STATUSES, then=Value(0)),
        When(site_status=Content.SiteStatus.FAILED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = (
        items.annotate(group=group)
        .order_by("group", "scheduled_publish_at", "-published_at", "id")
        .values(*QUEUE_FIELDS)[:limit]
    )
    return Response(
        {
            "results": list(rows),
            "scheduled_count": Content.objects.filter(site=site, site_status__in=QUEUED_STATUSES).count(),
            "queue_limit": PublishingSettings.for_site(site).queue_limit,
        }
    )


@extend_schema(
    parameters=[SITE_ID, OpenApiParameter("content_id", int, OpenApiParameter.PATH)],
    request=None,
    responses={200: QueueItem, **error_responses(409)},
    summary="Put a failed item back in the queue, due now, with its attempts reset.",
)
@api_view(["POST"])
def retry_failed(request, content_id: str):
    site = get_site_or_404(request)
    content = Content.objects.filter(site=site, id=int(content_id)).first() if content_id.isdigit() else None
    if content is None:
        raise exceptions.NotFound()
    updated = Content.objects.filter(id=content.id, site_status=Content.SiteStatus.FAILED).update(
        site_status=Content.SiteStatus.SCHEDULED,
        scheduled_publish_at=timezone.now(),
        publish_attempts=0,
        publish_error="",
        updated_at=timezone.now(),
    )
    if not updated:
        raise Conflict(f"Only failed items can be retried (this one is {content.site_status}).")
    return Response(Content.objects.filter(id=content.id).values(*QUEUE_FIELDS).get())


ConnectionOut = inline_serializer(
    "WordPressConnectionOut",
    {
        "configured": serializers.BooleanField(),
        "url": serializers.CharField(),
        "username": serializers.CharField(),
        "has_password": serializers.BooleanField(),
        "is_active": serializers.BooleanField(),
        "last_tested_at": serializers.DateTimeField(allow_null=True),
        "last_test_ok": serializers.BooleanField(allow_null=True),
        "last_test_error": serializers.CharField(),
    },
)


@extend_schema(methods=["GET"], parameters=[SITE_ID], responses=ConnectionOut)
@extend_schema(
    methods=["PUT", "POST"],
    parameters=[SITE_ID],
    request=WordPressConnectionSerializer,
    responses=ConnectionOut,
    summary="Save the connection (app_password write-only; omit to keep it).",
)
@extend_schema(methods=["DELETE"], parameters=[SITE_ID], responses={204: None})
@api_view(["GET", "PUT", "POST", "DELETE"])
def wordpress_connection(request):
    site = get_site_or_404(request)
    existing = WordPressConnection.objects.filter(site=site).first()
    if request.method == "GET":
        return Response(connection_payload(existing))
    if request.method == "DELETE":
        if existing:
            existing.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
    serializer = WordPressConnectionSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    if existing is None and not data.get("app_password"):
        raise exceptions.ValidationError({"app_password": ["Required for a new connection."]})
    if existing is not None and not data.get("app_password") and data["url"] != existing.url:
        # The stored password must never be sent to an address it was not entered for.
        raise exceptions.ValidationError({"app_password": ["Required again when the address changes."]})
    connection = save_connection(
        site, data["url"], data["username"], data.get("app_password") or None, data["is_active"]
    )
    return Response(connection_payload(connection))


@extend_schema(
    parameters=[SITE_ID],
    request=WordPressConnectionSerializer,
    responses=inline_serializer(
        "WordPressTest",
        {
            "ok": serializers.BooleanField(),
            "detail": serializers.CharField(),
            "wordpress_user": serializers.CharField(),
        },
    ),
    summary="Check URL + credentials against WordPress: the saved connection, or the ones in the body (not saved).",
)
@api_view(["POST"])
def wordpress_test(request):
    site = get_site_or_404(request)
    body = request.data if isinstance(request.data, dict) else {}
    if body.get("url") or body.get("username") or body.get("app_password"):
        serializer = WordPressConnectionSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        password = data.get("app_password")
        if not password:
            saved = WordPressConnection.objects.filter(site=site).first()
            if saved is None:
                raise exceptions.ValidationError({"app_password": ["Required: no connection is saved yet."]})
            if data["url"] != saved.url:  # never send the stored password to another address
                raise exceptions.ValidationError({"app_password": ["Required when testing another address."]})
            password = saved.application_password
        return Response(verify_credentials(data["url"], data["username"], password).to_dict())
    connection = WordPressConnection.objects.filter(site=site).first()
    if connection is None:
        raise exceptions.ValidationError({"non_field_errors": ["No WordPress connection is saved for this site."]})
    return Response(verify_saved_connection(connection).to_dict())
