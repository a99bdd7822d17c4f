from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "igny8_core.notifications"
    label = "notifications"
