from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "igny8_core.automation"
    label = "automation"
