"""The batches of one stage in flight at once (AutomationConfig.max_concurrency).

`size` bounds the batches *waiting for the provider*. A batch whose last provider call has
returned says so (the engine's `signals.answered()`) and frees its slot: the loop launches
the next batch, and the answered one saves its answer in its thread while the next request
is out, so the provider never waits for our database, at size 1 too. The saving waits
until the requests launched meanwhile have left (`signals.calling()`): the worker's CPU
goes to the requests first. At most `size` more batches may still be saving, so a stage
has at most 2 × size batches alive, each in its own pool thread with that thread's own
database connection: a worker process holds at most 2 × size + 2 connections during a run
(the pool, the loop, the heartbeat). The executor keeps one pool for every stage of its
session (threads and connections are not made again per stage) and closes it when the
session ends.

The run's loop stays the only writer of the run row: it launches a batch here, and takes the
finished ones back one at a time to record them (tally, credits, log) with its fenced writes;
the engine saves and charges every item in its own transaction in the pool thread.

When the loop's connection is inside a transaction (a test's), nothing runs in a thread: a
pool thread could not see what that transaction has not committed, so each batch runs in the
loop's thread when it is launched, one after the other.
"""

import contextlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections


@dataclass
class Finished:
    key: object  # what the caller launched the batch with
    value: object = None
    error: BaseException | None = None


@dataclass
class _Answered:
    key: object  # a batch whose provider calls are all done: its slot is free
    resume: threading.Event  # its thread saves once this is set


@dataclass
class _Calling:
    key: object  # a batch whose first provider call is about to leave


class _Signals:
    """What the engine tells the pool about one batch's provider calls (ai.engine.CallSignals)."""

    def __init__(self, events: "queue.SimpleQueue[Finished | _Answered | _Calling]", key: object) -> None:
        self.events, self.key = events, key

    def calling(self) -> None:
        self.events.put(_Calling(self.key))

    def answered(self) -> None:
        """Tell the loop, then wait until the requests it launched meanwhile have left."""
        resume = threading.Event()
        self.events.put(_Answered(self.key, resume))
        resume.wait()


class _Inline:
    """Signals of a batch run in the loop's own thread: nobody to tell, nothing to wait for."""

    def calling(self) -> None:
        pass

    def answered(self) -> None:
        pass


Batch = Callable[[_Signals | _Inline], object]


class BatchPool:
    def __init__(self, size: int, inline: bool = False, name: str = "automation-batch"):
        self.size = max(1, int(size))
        self.inline = inline
        self.name = name
        self.in_flight = 0  # launched, not yet taken back by next_finished()
        self._waiting: set[object] = set()  # launched, provider calls not all done
        self._preparing: set[object] = set()  # launched, first provider call not yet leaving
        self._jobs: queue.SimpleQueue[tuple[object, Batch] | None] = queue.SimpleQueue()
        self._events: queue.SimpleQueue[Finished | _Answered | _Calling] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._held: list[threading.Event] = []  # answered batches waiting to save
        self._early: Finished | None = None  # taken from the queue while gathering answers
        if not inline:  # the first batches' threads: they connect while the loop selects the batches
            while len(self._threads) < self.size:
                self._start_thread()

    @property
    def room(self) -> int:
        """How many more batches may be launched now."""
        if self.inline:
            return 1 - self.in_flight
        return min(self.size - len(self._waiting), 2 * self.size - self.in_flight)

    @property
    def waiting(self) -> int:
        """How many batches are waiting for the provider."""
        return len(self._waiting)

    @property
    def has_room(self) -> bool:
        return self.room > 0

    def launch(self, key: object, batch: Batch) -> None:
        self.in_flight += 1
        self._waiting.add(key)
        if self.inline:
            self._events.put(_call(key, batch, _Inline()))
            return
        self._preparing.add(key)
        if len(self._threads) < self.in_flight:
            self._start_thread()
        self._jobs.put((key, batch))

    def next_finished(self, timeout: float | None = None) -> Finished | None:
        """Blocks until a batch finishes (returned) or one's provider calls are done (None: a
        slot is free for the next launch), or for `timeout` seconds (None).

        A batch that answered saves only once the loop is back here (the launch its free slot
        allowed has been made) and every batch launched has sent its first request, so the
        next provider call does not wait for our CPU."""
        if not self._preparing:
            self.resume_saving()
        if self._early is not None:
            finished, self._early = self._early, None
            return self._taken(finished)
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(event, Finished):
            return self._taken(event)
        self._note(event)
        if isinstance(event, _Answered):
            self._gather_answered()
        return None

    def _note(self, event: _Answered | _Calling) -> None:
        if isinstance(event, _Calling):
            self._preparing.discard(event.key)
        else:
            self._waiting.discard(event.key)
            self._held.append(event.resume)

    def _taken(self, finished: Finished) -> Finished:
        self._waiting.discard(finished.key)
        self._preparing.discard(finished.key)  # it may have finished without calling
        self.in_flight -= 1
        return finished

    def _gather_answered(self) -> None:
        """Take every other answer already in, so that one launch (one select, one fenced
        write) fills all the slots they free; stop at a finished batch, returned next."""
        while True:
            try:
                event = self._events.get_nowait()
            except queue.Empty:
                return
            if isinstance(event, Finished):
                self._early = event
                return
            self._note(event)

    def drain(self) -> list[Finished]:
        """Every batch still in flight, once it has finished (nothing is abandoned mid-item)."""
        finished = []
        while self.in_flight:
            self.resume_saving()  # nothing more is launched
            if (event := self.next_finished()) is not None:
                finished.append(event)
        return finished

    def close(self) -> None:
        """Stop the threads once their batches are done; their connections close with them."""
        self.resume_saving()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def _start_thread(self) -> None:
        thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads) + 1}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        try:
            # Its own connection, opened before its first batch needs it (a database that is gone
            # is reported by the batch's first query).
            with contextlib.suppress(Exception):
                connections[DEFAULT_DB_ALIAS].ensure_connection()
            while (job := self._jobs.get()) is not None:
                key, batch = job
                self._events.put(_call(key, batch, _Signals(self._events, key)))
        finally:
            connections.close_all()  # this thread's own connection

    def resume_saving(self) -> None:
        """Let every answered batch save now (e.g. the loop is about to pause between batches)."""
        for resume in self._held:
            resume.set()
        self._held.clear()


def _call(key: object, batch: Batch, signals: _Signals | _Inline) -> Finished:
    try:
        return Finished(key, batch(signals))
    except BaseException as exc:  # handed to the loop, which decides what stops the run
        return Finished(key, error=exc)
