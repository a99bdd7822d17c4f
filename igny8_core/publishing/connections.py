"""The WordPress connection of a site: saving it (password encrypted) and testing it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from igny8_core.accounts.models import Site
from igny8_core.writer.models import Content

from .models import WordPressConnection
from .wordpress import WordPressClient, WordPressError


@dataclass(frozen=True)
class ConnectionTest:
    ok: bool
    detail: str
    wordpress_user: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail, "wordpress_user": self.wordpress_user}


def save_connection(
    site: Site, url: str, username: str, app_password: str | None, is_active: bool = True
) -> WordPressConnection:
    """Create or update the site's connection. `app_password` None keeps the stored one.
    Media uploaded through the old address/user is forgotten when either changes, and so are the
    post ids of unpublished content when the address changes (or a
    connection is made anew: the earlier address is unknown)."""
    with transaction.atomic():
        connection = WordPressConnection.objects.select_for_update().filter(site=site).first()
        if connection is None or connection.url != url:
            # Post ids of an earlier WordPress mean nothing (or another post) on this one.
            Content.objects.filter(site=site, external_id__gt="").exclude(
                site_status=Content.SiteStatus.PUBLISHED
            ).update(external_id="")
        if connection is None:
            connection = WordPressConnection(site=site, account_id=site.account_id)
        elif (connection.url, connection.username) != (url, username):
            connection.media.all().delete()
        connection.url, connection.username, connection.is_active = url, username, is_active
        if app_password is not None:
            connection.application_password = app_password
        connection.save()
    return connection


def verify_credentials(url: str, username: str, app_password: str) -> ConnectionTest:
    try:
        user = WordPressClient(url, username, app_password).current_user()
    except WordPressError as exc:
        return ConnectionTest(False, str(exc))
    capabilities = user.get("capabilities") or {}
    name = " ".join(str(user.get("name") or user.get("slug") or username).split())[:100]
    if capabilities and not capabilities.get("publish_posts"):
        return ConnectionTest(False, f"Connected as {name}, but this user cannot publish posts.", name)
    return ConnectionTest(True, f"Connected to {url} as {name}.", name)


def verify_saved_connection(connection: WordPressConnection) -> ConnectionTest:
    result = verify_credentials(connection.url, connection.username, connection.application_password)
    record_connection_state(connection, result.ok, result.detail)
    return result


def record_connection_state(
    connection: WordPressConnection, ok: bool, detail: str = "", at: datetime | None = None
) -> None:
    """What the dashboard's WordPress warning reads: whether the connection last got through (a
    test, or a publish that could not connect or had its credentials refused) and why not."""
    WordPressConnection.objects.filter(pk=connection.pk).update(
        last_tested_at=at or timezone.now(), last_test_ok=ok, last_test_error="" if ok else detail
    )
