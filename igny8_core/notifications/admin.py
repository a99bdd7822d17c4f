from django.contrib import admin

from .models import NotificationSettings


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The targets are encrypted (they carry tokens): set them in the dashboard or the API."""

    list_display = ("site", "events", "last_sent_at", "last_error")
    readonly_fields = ("account", "site", "urls_encrypted", "last_sent_at", "last_error", "created_at", "updated_at")
    fields = ("account", "site", "events", "urls_encrypted", "last_sent_at", "last_error", "created_at", "updated_at")
