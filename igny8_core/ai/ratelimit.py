"""The provider's request rate, shared by every worker process on every machine through Redis.

OPENAI_RPM (chat completions) and OPENAI_IMAGE_RPM (image generations) are requests per
minute for one provider account (endpoint + key); 0 = unlimited. Each limit is one Redis key
holding GCRA's "theoretical arrival time": the time the next request may start. A request
reserves its slot atomically (a Lua script reading Redis's own clock, so the machines'
clocks never matter) and sleeps until then; requests are spaced 60/RPM seconds apart, never
bursting above the limit, whatever the number of processes and threads asking.

A 429 from the provider pushes that time to now + Retry-After (or the retry's backoff) for
everyone sharing the key, even with no RPM configured: one worker's 429 pauses all of them
instead of each one hammering on its own. If Redis cannot be reached the limit is skipped
(logged): the provider's own 429s and the retries still protect the account.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings

log = logging.getLogger(__name__)

# KEYS[1]: the limit's key. ARGV[1]: microseconds between two requests (0: no rate, only a
# pause). ARGV[2]: microseconds of pause from now (a 429), or 0 to reserve a slot.
# Returns the microseconds the caller waits before its request (0 for a pause).
_SCRIPT = """
local interval = tonumber(ARGV[1])
local pause = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if pause > 0 then
  if now + pause > tat then tat = now + pause end
else
  tat = tat + interval
end
local ttl = math.ceil((tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', ttl)
if pause > 0 then return 0 end
return tat - interval - now
"""


@lru_cache(maxsize=4)
def _script_for(url: str) -> "redis.commands.core.Script":
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5, health_check_interval=30)
    return client.register_script(_SCRIPT)  # EVALSHA, loading the script when Redis lacks it


@dataclass(frozen=True)
class SharedRateLimit:
    key: str
    per_minute: int  # 0: no rate, but a provider's 429 still pauses everyone

    @classmethod
    def for_requests(cls, kind: str, base_url: str | None, api_key: str) -> "SharedRateLimit":
        """The limit of `kind` ("text" or "image") requests to one provider account."""
        per_minute = settings.OPENAI_IMAGE_RPM if kind == "image" else settings.OPENAI_RPM
        account = hashlib.sha256(f"{base_url or 'https://api.openai.com/v1'}\n{api_key}".encode()).hexdigest()[:16]
        return cls(f"igny8:ai-rate:{kind}:{account}", max(0, int(per_minute)))

    @property
    def interval_us(self) -> int:
        return 60_000_000 // self.per_minute if self.per_minute else 0

    def acquire(self) -> float:
        """Wait for this request's turn; returns the seconds waited."""
        wait = self._call(self.interval_us, 0) / 1_000_000
        if wait > 0:
            time.sleep(wait)
        return wait

    def slow_down(self, seconds: float) -> None:
        """Nobody sharing this limit starts a request for `seconds` (a 429's Retry-After)."""
        if seconds > 0:
            self._call(self.interval_us, max(1, int(seconds * 1_000_000)))

    def _call(self, interval_us: int, pause_us: int) -> int:
        try:
            return int(_script_for(settings.REDIS_URL)(keys=[self.key], args=[interval_us, pause_us]))
        except redis.RedisError as exc:
            log.warning("The shared AI rate limit %s is skipped: Redis is unreachable (%s)", self.key, exc)
            return 0
