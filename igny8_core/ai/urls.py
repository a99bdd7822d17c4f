"""REST routes of this app, mounted under /api/v1/ai/ by igny8_core/api/urls.py."""

from django.urls import path

from .provider_api import provider_settings, provider_test

urlpatterns = [
    path("provider/", provider_settings, name="ai-provider"),
    path("provider/test/", provider_test, name="ai-provider-test"),
]
