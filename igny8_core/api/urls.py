"""/api/v1/: each app owns its routes; this file only mounts them."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views import health, unknown_endpoint

urlpatterns = [
    path("health/", health, name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("igny8_core.accounts.urls")),
    path("planner/", include("igny8_core.planner.urls")),
    path("writer/", include("igny8_core.writer.urls")),
    path("billing/", include("igny8_core.billing.urls")),
    path("ai/", include("igny8_core.ai.urls")),
    path("automation/", include("igny8_core.automation.urls")),
    path("publishing/", include("igny8_core.publishing.urls")),
    path("notifications/", include("igny8_core.notifications.urls")),
    re_path(r"^(?P<path>.*)$", unknown_endpoint, name="api-unknown-endpoint"),  # must stay last
]
