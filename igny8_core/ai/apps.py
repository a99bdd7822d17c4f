from django.apps import AppConfig


class AiConfig(AppConfig):
    name = "igny8_core.ai"
    label = "ai"
