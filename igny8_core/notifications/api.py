"""/api/v1/notifications/sites/{site_id}/ (GET, PUT) and .../test/ (POST): a site's notification
targets, the events they receive, and a test message."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from igny8_core.accounts.models import Site
from igny8_core.api.tenancy import get_site_or_404

from . import services
from .models import Event, NotificationSettings


class TargetSerializer(serializers.Serializer):  # type: ignore[type-arg]
    url = serializers.CharField(help_text="The apprise URL with its secrets masked.")
    service = serializers.CharField(help_text="e.g. JSON, Slack, Discord, Telegram, E-Mail.")


def _event_choices() -> Any:
    # inline: a field declared as `label` in a class body would shadow Field.label
    return inline_serializer(
        "NotificationEventChoice",
        {"event": serializers.ChoiceField(choices=Event.choices), "label": serializers.CharField()},
        many=True,
    )


class NotificationSettingsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    site_id = serializers.IntegerField()
    targets = TargetSerializer(many=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))
    available_events = _event_choices()
    last_sent_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(help_text="The last failed delivery, masked; empty if the last one worked.")


def _url_list(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=2000),
        max_length=services.MAX_TARGETS,
        help_text=f"apprise URLs (at most {services.MAX_TARGETS}), e.g. json://hooks.example.com/igny8, "
        "slack://TokenA/TokenB/TokenC, mailtos://user:pass@example.com.",
        **kwargs,
    )


def _validate_urls(urls: list[str]) -> list[str]:
    errors = {}
    for index, url in enumerate(urls):
        try:
            services.check_target(url)
        except services.InvalidTarget as exc:
            errors[str(index)] = [str(exc)]
    if errors:
        raise serializers.ValidationError(errors)
    return urls


class NotificationUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    urls = _url_list(required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices), required=False)

    def validate_urls(self, urls: list[str]) -> list[str]:
        return _validate_urls(urls)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object with urls and/or events."]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class NotificationTestRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    urls = _url_list(required=False, allow_empty=False)

    def validate_urls(self, urls: list[str]) -> list[str]:
        return _validate_urls(urls)


class DeliverySerializer(serializers.Serializer):  # type: ignore[type-arg]
    url = serializers.CharField()
    service = serializers.CharField()
    ok = serializers.BooleanField()
    error = serializers.CharField(help_text="Why the target did not take it (empty when ok).")


class NotificationTestResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = DeliverySerializer(many=True)


SITE_PATH = OpenApiParameter("site_id", int, OpenApiParameter.PATH, description="The site (of your account).")


def _site(request: Request, site_id: str) -> Site:
    if not site_id.isdigit() or int(site_id) == 0:
        raise exceptions.NotFound()
    return get_site_or_404(request, site_id=site_id)


def _payload(settings: NotificationSettings) -> dict[str, Any]:
    targets = [
        dict(zip(("url", "service"), services.masked(url), strict=True)) for url in services.stored_urls(settings)
    ]
    return {
        "site_id": settings.site_id,
        "targets": targets,
        "events": list(settings.events or []),
        "available_events": [{"event": value, "label": label} for value, label in Event.choices],
        "last_sent_at": settings.last_sent_at,
        "last_error": settings.last_error,
    }


@extend_schema(
    methods=["GET"],
    parameters=[SITE_PATH],
    responses=NotificationSettingsSerializer,
    summary="The site's notification targets (masked) and the events they receive",
)
@extend_schema(
    methods=["PUT"],
    parameters=[SITE_PATH],
    request=NotificationUpdateSerializer,
    responses=NotificationSettingsSerializer,
    summary="Replace the targets (`urls`, when given) and/or the events",
    description="`urls` replaces every stored target (send `[]` to remove them all); an invalid URL "
    "is a 400 keyed by its index. Webhook targets (json://, form://, xml://) follow the outbound "
    "address policy (no loopback / private / metadata addresses unless allowed).",
)
@api_view(["GET", "PUT"])
def site_notifications(request: Request, site_id: str) -> Response:
    site = _site(request, site_id)
    if request.method == "PUT":
        serializer = NotificationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        settings = services.save(site, data.get("urls"), data.get("events"))
    else:
        settings = services.settings_for(site)
    return Response(NotificationSettingsSerializer(_payload(settings)).data)


@extend_schema(
    parameters=[SITE_PATH],
    request=NotificationTestRequestSerializer,
    responses=NotificationTestResultSerializer,
    summary="Send a test message now to the stored targets (or to `urls`, before saving them)",
    description="Synchronous; each target's outcome is reported (a failing target is a result, not "
    "an error). 400 when there is no target to test.",
)
@api_view(["POST"])
def test_notifications(request: Request, site_id: str) -> Response:
    site = _site(request, site_id)
    serializer = NotificationTestRequestSerializer(data=request.data if isinstance(request.data, dict) else {})
    serializer.is_valid(raise_exception=True)
    urls = serializer.validated_data.get("urls") or services.stored_urls(services.settings_for(site))
    if not urls:
        raise serializers.ValidationError({"urls": ["No notification URL is set for this site; add one first."]})
    deliveries = services.send(
        urls, f"[{site.name}] Test notification", "IGNY8 Automation can reach this target: run events will arrive here."
    )
    ok = sum(d.ok for d in deliveries)
    return Response(
        NotificationTestResultSerializer(
            {"sent": ok, "failed": len(deliveries) - ok, "results": [d.__dict__ for d in deliveries]}
        ).data
    )
