"""Is a run's task message still in the broker? Asked by the reaper about a run no worker has
redeemed yet: waiting in a busy queue (leave it) or lost (re-queue it now, not after an hour).

With the Redis broker a queued message is an entry of the queue's list (one list per priority
step) and a message a worker has prefetched but not started is in the `unacked` hash; the
task's headers carry its arguments in clear (`argsrepr`), the run id among them.
"""

import logging

from django.conf import settings

from igny8_core.celery import app
from igny8_core.degraded import REDIS_ERRORS

log = logging.getLogger(__name__)
PRIORITY_SEPARATOR = "\x06\x16"  # kombu's Redis transport: "<queue>\x06\x16<priority>"


def message_waiting(run_id: str) -> bool | None:
    """True: a message for this run is queued or prefetched; False: none; None: cannot tell
    (broker unreachable or not Redis) - the caller then keeps its longer timeout."""
    if not str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://")):
        return None
    needle = run_id.encode()
    queue = settings.CELERY_AUTOMATION_QUEUE
    try:
        with app.connection_for_read() as connection:
            client = connection.default_channel.client
            names = [queue] + [f"{queue}{PRIORITY_SEPARATOR}{step}" for step in range(1, 10)]
            for name in names:
                if any(needle in entry for entry in client.lrange(name, 0, -1)):
                    return True
            return any(needle in entry for entry in client.hvals("unacked"))
    except REDIS_ERRORS:
        log.exception("Could not look for the message of run %s in the broker", run_id)
        return None
