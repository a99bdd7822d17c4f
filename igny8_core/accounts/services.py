"""Deleting a site: refused while another app still needs it, otherwise all it owns goes with it."""

from typing import Any

from django.db import transaction

from .models import Site
from .signals import site_deleting


class SiteInUse(Exception):
    """A receiver of `site_deleting` refused: e.g. an automation run is active or paused."""

    code = "site_in_use"

    def __init__(self, message: str, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.code = code or self.code
        self.extra = extra


def delete_site(site: Site) -> None:
    """Delete the site and, by cascade, every row it owns (keywords to images, runs, configs,
    the WordPress connection, notification targets). The account's credit ledger and AI request
    logs keep their rows with the site unset. Receivers of `site_deleting` may refuse with
    SiteInUse; the site's row is locked meanwhile, so nothing can start a run for it between
    their check and the delete (a run's insert waits for the lock, then finds no site)."""
    with transaction.atomic():
        locked = Site.objects.select_for_update().get(pk=site.pk)
        site_deleting.send(sender=Site, site=locked)
        locked.delete()
