from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "igny8_core.api"
    label = "api"
