"""Up to `size` batches of one stage in flight at once (AutomationConfig.max_concurrency).

The run's loop stays the only writer of the run row: it launches a batch here, and takes the
finished ones back one at a time to record them (tally, credits, log) with its fenced writes.
Each batch runs `AIEngine.run` in a pool thread, with that thread's own database connection:
the engine saves and charges every item in its own transaction there. So a worker process
holds at most `size` + 2 connections during a stage (the pool, the loop, the heartbeat); the
pool's are closed when the stage ends.

With size 1 nothing runs in a thread: the batch runs in the loop's thread when it is
launched, exactly as before concurrency existed.
"""

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections


@dataclass
class Finished:
    key: object  # what the caller launched the batch with
    value: object = None
    error: BaseException | None = None


class BatchPool:
    def __init__(self, size: int, name: str = "automation-batch"):
        self.size = max(1, int(size))
        self.name = name
        self.in_flight = 0
        self._jobs: queue.SimpleQueue[tuple[object, Callable[[], object]] | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[Finished] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    @property
    def has_room(self) -> bool:
        return self.in_flight < self.size

    @property
    def room(self) -> int:
        """How many more batches may be launched now."""
        return self.size - self.in_flight

    def launch(self, key: object, call: Callable[[], object]) -> None:
        self.in_flight += 1
        if self.size == 1:
            self._done.put(_call(key, call))
            return
        if len(self._threads) < self.size:
            thread = threading.Thread(target=self._work, name=f"{self.name}-{len(self._threads) + 1}", daemon=True)
            self._threads.append(thread)
            thread.start()
        self._jobs.put((key, call))

    def next_finished(self) -> Finished:
        """The next batch to finish (blocks until one does)."""
        finished = self._done.get()
        self.in_flight -= 1
        return finished

    def drain(self) -> list[Finished]:
        """Every batch still in flight, once it has finished (nothing is abandoned mid-item)."""
        return [self.next_finished() for _ in range(self.in_flight)]

    def close(self) -> None:
        """Stop the threads once their batches are done; their connections close with them."""
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def _work(self) -> None:
        try:
            while (job := self._jobs.get()) is not None:
                self._done.put(_call(*job))
        finally:
            connections.close_all()  # this thread's own connection


def _call(key: object, call: Callable[[], object]) -> Finished:
    try:
        return Finished(key, call())
    except BaseException as exc:  # handed to the loop, which decides what stops the run
        return Finished(key, error=exc)
