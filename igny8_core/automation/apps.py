from django.apps import AppConfig
from django.db.models.signals import post_delete


class AutomationConfig(AppConfig):
    name = "igny8_core.automation"
    label = "automation"

    def ready(self) -> None:
        from igny8_core.accounts.models import Site
        from igny8_core.accounts.signals import site_deleting, site_timezone_changed

        from .schedule import reanchor_next_run
        from .site_deletion import refuse_during_a_run, remove_run_logs

        site_timezone_changed.connect(reanchor_next_run, dispatch_uid="automation.reanchor_next_run")
        site_deleting.connect(refuse_during_a_run, dispatch_uid="automation.refuse_site_delete_during_run")
        post_delete.connect(remove_run_logs, sender=Site, dispatch_uid="automation.remove_run_logs")
