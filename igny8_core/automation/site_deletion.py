"""What a site's deletion means for the automation: refused mid-run; afterwards its run logs go too."""

import shutil
from typing import Any

from django.db import transaction

from igny8_core.accounts.models import Site
from igny8_core.accounts.services import SiteInUse

from .logger import log_root
from .models import ACTIVE_STATUSES, AutomationRun


def refuse_during_a_run(sender: type, site: Site, **kwargs: Any) -> None:
    """Receives accounts' site_deleting: a running or paused run would lose its rows mid-item."""
    active = AutomationRun.objects.filter(site=site, status__in=ACTIVE_STATUSES).first()
    if active is not None:
        raise SiteInUse(
            f'"{site.name}" has a {active.status} automation run ({active.run_id}). '
            "Cancel the run (or let it finish), then delete the site.",
            code="site_has_active_run",
            run_id=active.run_id,
            run_status=active.status,
        )


def remove_run_logs(sender: type, instance: Site, **kwargs: Any) -> None:
    """Receives the Site post_delete: the runs' rows are gone, so their log files go once that commits."""
    folder = log_root() / str(int(instance.account_id)) / str(int(instance.pk))
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
