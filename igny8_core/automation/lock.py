"""The Redis lock `automation_lock_{site_id}`: the fast path of "one worker per site".

The database (partial unique index on AutomationRun) is the authority on which run is active;
this lock makes sure only one *worker process* executes a site's run at a time. It is a
redis-py `Lock`:

- token-owned: the value is a token naming the run and claim (`run:<pk>:<epoch>:<random>`),
  stored on the run row, so it can be released by its owner only (compare-and-delete in Lua),
  never by a bare DELETE;
- short TTL (AUTOMATION_LOCK_TTL, minutes), renewed by the worker's heartbeat with
  `reacquire()`, so a killed worker frees the site quickly;
- `thread_local=False`, because the heartbeat thread renews the token the main thread took.

Redis must not evict these keys: production Redis runs with `maxmemory-policy noeviction`
(see docs/automation.md). Only this module touches the lock keys.
"""

import secrets
from functools import lru_cache

import redis
from django.conf import settings
from redis.exceptions import LockError, LockNotOwnedError

from .exceptions import ClaimLost

TOKEN_PREFIX = "run"


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30)


def client() -> redis.Redis:
    return _client_for(settings.REDIS_URL)


def lock_key(site_id: int) -> str:
    return f"automation_lock_{site_id}"


def make_token(run_pk: int, epoch: int) -> str:
    return f"{TOKEN_PREFIX}:{run_pk}:{epoch}:{secrets.token_hex(8)}"


def parse_token(token: str | None) -> tuple[int, int] | None:
    """(run pk, epoch) of a token made by make_token, None for anything else."""
    try:
        prefix, run_pk, epoch, _ = (token or "").split(":")
        if prefix != TOKEN_PREFIX:
            return None
        return int(run_pk), int(epoch)
    except ValueError:
        return None


class SiteLock:
    def __init__(self, site_id: int, ttl: int | None = None):
        self.site_id = site_id
        self.ttl = ttl or settings.AUTOMATION_LOCK_TTL
        self._lock = client().lock(
            lock_key(site_id), timeout=self.ttl, thread_local=False, raise_on_release_error=False
        )

    @property
    def token(self) -> str | None:
        raw = self._lock.local.token
        return raw.decode() if isinstance(raw, bytes) else raw

    def acquire(self, token: str) -> bool:
        """Take the lock with `token` if it is free (never waits)."""
        return bool(self._lock.acquire(blocking=False, token=token))

    def renew(self) -> None:
        """Reset the TTL (heartbeat). A lost lock means another claimant took over: stop."""
        try:
            self._lock.reacquire()
        except (LockNotOwnedError, LockError) as exc:
            raise ClaimLost(f"The site lock {lock_key(self.site_id)} is no longer ours: {exc}") from exc

    def owned(self) -> bool:
        return bool(self._lock.owned())

    def release(self) -> bool:
        """Release if we still own it; True when our token was deleted."""
        token = self.token
        if token is None:
            return False
        return release_token(self.site_id, token)

    def holder(self) -> str | None:
        return holder(self.site_id)


def holder(site_id: int) -> str | None:
    raw = client().get(lock_key(site_id))
    return raw.decode() if isinstance(raw, bytes) else raw


def release_token(site_id: int, token: str) -> bool:
    """Delete the lock only if it still carries `token` (atomic compare-and-delete).

    Used by the owner itself, by cancel (the run owns the lock, its token is on the run row),
    and by a fenced takeover (resume / recovery) of the same run's previous claim.
    """
    if not token:
        return False
    lock = client().lock(lock_key(site_id), thread_local=False, raise_on_release_error=True)
    lock.local.token = token.encode()
    try:
        lock.release()
    except (LockNotOwnedError, LockError):
        return False
    return True
