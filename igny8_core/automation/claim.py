"""A worker's claim on a run: epoch fencing, the site lock, and the heartbeat.

Tickets: start, resume and recovery set `epoch` to a new value (the ticket) and enqueue a task
carrying it. The worker that receives the task redeems the ticket with a conditional UPDATE
(epoch = ticket -> ticket + 1); a duplicate or late message finds the epoch moved on and exits.
From then on every write the worker makes is `UPDATE ... WHERE epoch = <its epoch>`; zero rows
means its claim was superseded (a recovery took over, or the user resumed elsewhere) and it
stops at once, writing nothing more (ClaimLost).
"""

import logging
import threading

from django.conf import settings
from django.db import connections
from django.utils import timezone

from . import lock as site_lock
from .exceptions import ClaimLost, LockHeld
from .models import ACTIVE_STATUSES, AutomationRun, RunStatus

log = logging.getLogger(__name__)


class RunClaim:
    def __init__(self, run: AutomationRun, epoch: int):
        self.run_pk = run.pk
        self.site_id = run.site_id
        self.epoch = epoch
        self.lock: site_lock.SiteLock | None = None
        self.lost: ClaimLost | None = None  # set by the heartbeat thread

    @classmethod
    def redeem(cls, run: AutomationRun, ticket: int) -> "RunClaim | None":
        now = timezone.now()
        won = AutomationRun.objects.filter(pk=run.pk, epoch=ticket, status=RunStatus.RUNNING).update(
            epoch=ticket + 1, claimed_at=now, heartbeat_at=now
        )
        return cls(run, ticket + 1) if won else None

    # --- fenced writes --------------------------------------------------------------
    def _fenced(self):
        return AutomationRun.objects.filter(pk=self.run_pk, epoch=self.epoch)

    def update(self, **fields) -> None:
        """Write to the run row if our claim is current; otherwise stop (ClaimLost)."""
        self.raise_if_lost()
        if not self._fenced().update(**fields):
            raise ClaimLost(f"Run {self.run_pk}: epoch {self.epoch} is stale; another claim took over.")

    def finish(self, status: str, **fields) -> bool:
        """Move a *running* run to a final state. False when the user paused or cancelled it
        first (their state wins) - raises ClaimLost when our claim is stale."""
        if self._fenced().filter(status=RunStatus.RUNNING).update(status=status, current_processing=None, **fields):
            return True
        self.checkpoint()  # raises ClaimLost if the epoch moved
        return False

    def checkpoint(self) -> str:
        """The run's status as the database has it now, read between items and stages."""
        self.raise_if_lost()
        row = AutomationRun.objects.filter(pk=self.run_pk).values("status", "epoch").first()
        if row is None or row["epoch"] != self.epoch:
            raise ClaimLost(f"Run {self.run_pk}: claim {self.epoch} superseded.")
        return row["status"]

    def beat(self) -> None:
        self.update(heartbeat_at=timezone.now())

    def raise_if_lost(self) -> None:
        if self.lost is not None:
            raise self.lost

    # --- the site lock ----------------------------------------------------------------
    def acquire_lock(self) -> site_lock.SiteLock:
        """Take `automation_lock_{site}`; take it over from an earlier claim of this run or from
        a run that is over (cancelled / finished / dead worker); refuse (LockHeld) otherwise."""
        lock = site_lock.SiteLock(self.site_id)
        token = site_lock.make_token(self.run_pk, self.epoch)
        for _ in range(3):
            if lock.acquire(token):
                self.lock = lock
                self.update(lock_token=token)
                return lock
            current = site_lock.holder(self.site_id)
            if current is None:
                continue  # released in between: try again
            parsed = site_lock.parse_token(current)
            if parsed is None:
                raise LockHeld(f"The site's automation lock is held by another holder ({current[:40]}).")
            holder_pk, _ = parsed
            if holder_pk != self.run_pk:
                other = AutomationRun.objects.filter(pk=holder_pk, status__in=ACTIVE_STATUSES).first()
                if other is not None:
                    raise LockHeld(f"The site's automation lock is held by run {other.run_id}.")
            # Our own earlier claim, or a run that is over: release its token, then retry.
            site_lock.release_token(self.site_id, current)
        raise LockHeld("The site's automation lock could not be acquired.")

    def release_lock(self) -> None:
        if self.lock is not None:
            self.lock.release()


class Heartbeat(threading.Thread):
    """Renews the lock TTL and the run's heartbeat every AUTOMATION_HEARTBEAT_INTERVAL seconds,
    so a live worker is never reaped, even inside a long AI call. If the lock or the claim is
    lost, it records that on the claim and the main loop stops at its next checkpoint."""

    def __init__(self, claim: RunClaim, interval: float | None = None):
        super().__init__(name=f"automation-heartbeat-{claim.run_pk}", daemon=True)
        self.claim = claim
        self.interval = interval or settings.AUTOMATION_HEARTBEAT_INTERVAL
        self._stop_event = threading.Event()

    def run(self):
        try:
            while not self._stop_event.wait(self.interval):
                try:
                    if self.claim.lock is not None:
                        try:
                            self.claim.lock.renew()
                        except ClaimLost:
                            if self.claim.checkpoint() == RunStatus.RUNNING:
                                raise
                            # Cancel released the lock on purpose: not a takeover. Our epoch is
                            # still current, so the item in flight is recorded; the main loop
                            # stops at its next checkpoint. Nothing left to renew.
                            return
                    self.claim.beat()
                except ClaimLost as exc:
                    self.claim.lost = exc
                    return
                except Exception:  # a Redis/DB blip: try again next beat; staleness is the backstop
                    log.exception("Heartbeat of run %s failed", self.claim.run_pk)
        finally:
            connections.close_all()

    def stop(self):
        self._stop_event.set()
        if self.is_alive() and self is not threading.current_thread():
            self.join(timeout=10)
