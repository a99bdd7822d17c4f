"""REST routes of this app, mounted under /api/v1/publishing/ by igny8_core/api/urls.py.

Path ids use <str:…> and are checked by the view, so a malformed id answers a JSON 404
instead of Django's HTML 404."""

from django.urls import path

from . import api

urlpatterns = [
    path("settings/", api.publishing_settings, name="publishing-settings"),
    path("queue/", api.publishing_queue, name="publishing-queue"),
    path("queue/<str:content_id>/retry/", api.retry_failed, name="publishing-queue-retry"),
    path("wordpress/", api.wordpress_connection, name="publishing-wordpress"),
    path("wordpress/test/", api.wordpress_test, name="publishing-wordpress-test"),
]
