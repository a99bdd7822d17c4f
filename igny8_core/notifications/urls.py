"""REST routes of this app, mounted under /api/v1/notifications/ by igny8_core/api/urls.py."""

from django.urls import path

from .api import site_notifications, test_notifications

urlpatterns = [
    path("sites/<str:site_id>/", site_notifications, name="notifications-site"),
    path("sites/<str:site_id>/test/", test_notifications, name="notifications-site-test"),
]
