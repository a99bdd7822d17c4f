"""Notification targets and sending, through apprise (one library for email, Slack, Discord,
Telegram, Matrix, generic webhooks…).

A target is an apprise URL. Generic webhooks (json://, form://, xml:// and their s-variants)
point at a host the user chooses, so they go through the server's outbound policy
(igny8_core.outbound) like a WordPress address; the other services talk to their own endpoints.
Sending never raises: a failing target is logged and reported, and never affects a run.
"""

import json
import logging
from dataclasses import dataclass
from typing import Any

import apprise
from django.utils import timezone

from igny8_core.accounts.models import Site
from igny8_core.outbound import OutboundURLRefused, check_url, check_url_for_saving
from igny8_core.publishing.crypto import DecryptionError, decrypt, encrypt

from .models import Event, NotificationSettings

log = logging.getLogger(__name__)
MAX_TARGETS = 10
WEBHOOK_SCHEMES = {"json": "http", "jsons": "https", "form": "http", "forms": "https", "xml": "http", "xmls": "https"}


class InvalidTarget(ValueError):
    """The URL cannot be a notification target; str() tells the user why."""


@dataclass(frozen=True)
class Delivery:
    url: str  # with its secrets masked
    service: str
    ok: bool
    error: str = ""


def _plugin(url: str) -> Any:
    plugin = apprise.Apprise.instantiate(url.strip())
    if plugin is None:
        raise InvalidTarget(
            "Not a notification URL apprise understands (e.g. json://host/path, slack://…, mailto://…, "
            "discord://…, tgram://…)."
        )
    return plugin


def _webhook_address(plugin: Any) -> str | None:
    scheme = WEBHOOK_SCHEMES.get(str(plugin.url().split("://", 1)[0]).lower())
    if scheme is None:
        return None
    port = f":{plugin.port}" if plugin.port else ""
    return f"{scheme}://{plugin.host}{port}/"


def check_target(url: str, sending: bool = False) -> Any:
    """The apprise plugin of `url`, or InvalidTarget. Webhooks must pass the outbound policy
    (when saving, a host that does not resolve yet is accepted; it is checked again on send)."""
    plugin = _plugin(url)
    address = _webhook_address(plugin)
    if address is not None:
        try:
            check_url(address) if sending else check_url_for_saving(address)
        except OutboundURLRefused as exc:
            raise InvalidTarget(str(exc)) from None
    return plugin


def masked(url: str) -> tuple[str, str]:
    """(the URL with its secrets masked, the service name) for showing a stored target."""
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return "(invalid URL)", "unknown"
    return plugin.url(privacy=True), str(plugin.service_name)


def settings_for(site: Site) -> NotificationSettings:
    found, _ = NotificationSettings.objects.get_or_create(site=site, defaults={"account_id": site.account_id})
    return found


def stored_urls(settings: NotificationSettings) -> list[str]:
    if not settings.urls_encrypted:
        return []
    try:
        return list(json.loads(decrypt(settings.urls_encrypted)))
    except DecryptionError as exc:
        log.warning("Notification URLs of site %s: %s", settings.site_id, exc)
        return []


def save(site: Site, urls: list[str] | None, events: list[str] | None) -> NotificationSettings:
    """Replace the targets (when given; validated by the caller with check_target) and events."""
    settings = settings_for(site)
    fields = ["updated_at"]
    if urls is not None:
        settings.urls_encrypted = encrypt(json.dumps([u.strip() for u in urls])) if urls else ""
        fields.append("urls_encrypted")
    if events is not None:
        settings.events = [e for e in Event.values if e in set(events)]
        fields.append("events")
    settings.save(update_fields=fields)
    return settings


def _deliver(url: str, title: str, body: str) -> Delivery:
    shown, service = masked(url)
    try:
        check_target(url, sending=True)
        sender = apprise.Apprise()
        sender.add(url)
        with apprise.LogCapture(level=logging.WARNING) as captured:
            ok = bool(sender.notify(title=title, body=body))
        error = "" if ok else (captured.getvalue().strip().splitlines() or ["the service refused it"])[-1]
    except InvalidTarget as exc:
        ok, error = False, str(exc)
    except Exception as exc:  # a target must never break the caller (a run, the publisher)
        ok, error = False, f"{type(exc).__name__}"
    if not ok:
        log.warning("Notification to %s failed: %s", shown, error)
    return Delivery(url=shown, service=service, ok=ok, error=error[:300])


def send(urls: list[str], title: str, body: str) -> list[Delivery]:
    return [_deliver(url, title, body) for url in urls]


def send_to_site(site_id: int, event: str, title: str, body: str) -> list[Delivery]:
    """Send an event to a site's targets if it subscribes to it; records the outcome."""
    settings = NotificationSettings.objects.filter(site_id=site_id).first()
    if settings is None or event not in (settings.events or []):
        return []
    deliveries = send(stored_urls(settings), title, body)
    if deliveries:
        failed = [d for d in deliveries if not d.ok]
        NotificationSettings.objects.filter(pk=settings.pk).update(
            last_sent_at=timezone.now(),
            last_error=(f"{failed[0].url}: {failed[0].error}" if failed else "")[:500],
        )
    return deliveries
