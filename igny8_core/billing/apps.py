from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "igny8_core.billing"
    label = "billing"
