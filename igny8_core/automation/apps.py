from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "igny8_core.automation"
    label = "automation"

    def ready(self) -> None:
        from igny8_core.accounts.signals import site_timezone_changed

        from .schedule import reanchor_next_run

        site_timezone_changed.connect(reanchor_next_run, dispatch_uid="automation.reanchor_next_run")
