"""Rate limits for what a script or a burst of clicks could hammer.

Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (env THROTTLE_AUTH_TOKEN, THROTTLE_RUN_NOW)
and are read per request (not frozen at import like DRF's), so an override in settings applies
at once. Counters live in the Django cache (Redis), shared by every web process. Clients are
told apart by `client_ip` (NUM_PROXIES), never by a header a client can forge.
"""

import logging

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from igny8_core.degraded import REDIS_ERRORS

log = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address. NUM_PROXIES=0 (default): the socket peer, whatever headers say.
    With n trusted proxies in front, the n-th X-Forwarded-For entry from the right: the address
    the outermost trusted proxy saw. Entries further left are written by the client, never
    trusted; a request with fewer entries than proxies did not come through them, so its socket
    peer counts."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.NUM_PROXIES
    if hops <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    return forwarded[-hops] if len(forwarded) >= hops else remote


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        # Redis down: the limit is not applied (logged) rather than every login and run start
        # failing. Password checks stay slow (hashing) and /api/v1/health/ reports the outage.
        try:
            return super().allow_request(request, view)
        except REDIS_ERRORS as exc:
            log.warning("Rate limit %r not applied, the cache is unavailable: %s", self.scope, exc)
            return True

    def get_ident(self, request):
        return client_ip(request)


class AuthTokenThrottle(_SettingsRateThrottle):
    """Password checks (`auth/token/`, `auth/login/`), per client IP: guessing passwords stays slow."""

    scope = "auth_token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class RunNowThrottle(_SettingsRateThrottle):
    """Starting automation runs, per user: a burst of Run Now clicks cannot enqueue a storm of tasks."""

    scope = "run_now"

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
