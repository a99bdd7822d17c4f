from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "igny8_core.publishing"
    label = "publishing"
