"""The batch pool alone: `size` bounds the batches waiting for the provider; an answered batch
frees its slot but saves only once the loop has come back and the requests it launched have
left; no more than 2 x size batches are ever alive."""

import threading
import time

import pytest
from django.db import connection

from igny8_core.automation.inflight import BatchPool


class Batch:
    """A batch that 'calls the provider' until answered, then 'saves' until saved."""

    def __init__(self, prepared: bool = True):
        self.prepared = threading.Event()  # its prompt is ready: the request leaves
        self.answer = threading.Event()
        self.saving = threading.Event()
        self.saved = threading.Event()
        if prepared:
            self.prepared.set()

    def __call__(self, signals):
        self.prepared.wait(5)
        signals.calling()
        self.answer.wait(5)
        signals.answered()
        self.saving.set()
        self.saved.wait(5)
        return "done"


def wait_until(pool, condition, finished=None):
    """Take the pool's events until `condition()` holds (finished batches into `finished`)."""
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        if (event := pool.next_finished(timeout=0.05)) is not None and finished is not None:
            finished.append(event)


def release(pool, batches):
    for batch in batches:
        batch.prepared.set()
        batch.answer.set()
        batch.saved.set()
    keys = sorted(f.key for f in pool.drain())
    pool.close()
    return keys


def test_an_answered_batch_frees_its_slot_and_saves_once_the_next_request_has_left():
    pool = BatchPool(1)
    first, second = Batch(), Batch(prepared=False)
    pool.launch(1, first)
    assert not pool.has_room and pool.waiting == 1
    first.answer.set()
    wait_until(pool, lambda: pool.has_room)  # its answer is in: the slot is free
    assert pool.waiting == 0 and pool.in_flight == 1
    pool.launch(2, second)
    assert not pool.has_room  # one waiting for the provider, one saving: 2 x size alive
    pool.next_finished(timeout=0.2)
    assert not first.saving.is_set()  # held: the second batch's request has not left yet
    second.prepared.set()
    wait_until(pool, first.saving.is_set)  # it has left: the first batch saves
    first.saved.set()
    finished = []
    wait_until(pool, lambda: finished, finished)
    assert (finished[0].key, finished[0].value) == (1, "done")
    assert release(pool, [second]) == [2]


def test_no_more_than_twice_size_batches_alive_and_size_waiting_for_the_provider():
    pool = BatchPool(2)
    batches = [Batch() for _ in range(4)]
    pool.launch(0, batches[0])
    pool.launch(1, batches[1])
    assert pool.room == 0
    for batch in batches[:2]:
        batch.answer.set()
    wait_until(pool, lambda: pool.room == 2)
    assert pool.waiting == 0 and pool.in_flight == 2
    pool.launch(2, batches[2])
    pool.launch(3, batches[3])
    assert pool.room == 0 and pool.in_flight == 4
    assert release(pool, batches) == [0, 1, 2, 3]


def test_answers_that_arrive_together_free_their_slots_for_one_launch():
    pool = BatchPool(3)
    batches = [Batch() for _ in range(3)]
    for key, batch in enumerate(batches):
        pool.launch(key, batch)
    wait_until(pool, lambda: not pool._preparing)  # the three requests have left
    batches[0].answer.set()
    batches[1].answer.set()
    deadline = time.monotonic() + 5
    while pool._events.qsize() < 2 and time.monotonic() < deadline:  # both answers are in
        time.sleep(0.01)
    assert pool.next_finished() is None
    assert pool.room == 2 and pool.waiting == 1  # one wake-up frees both slots: one launch fills them
    assert release(pool, batches) == [0, 1, 2]


def test_inline_runs_each_batch_in_the_callers_thread_one_at_a_time():
    pool = BatchPool(4, inline=True)
    ran_in: list[threading.Thread] = []

    def batch(signals):
        signals.calling()
        signals.answered()  # nothing to wait for: nobody else runs
        ran_in.append(threading.current_thread())
        return "done"

    pool.launch(1, batch)
    assert ran_in == [threading.current_thread()] and not pool.has_room
    assert pool.next_finished().value == "done" and pool.has_room


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_first_batches_threads_connect_to_the_database_before_any_batch_is_launched():
    def backends() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0]

    def eventually(condition) -> None:  # the server notes a backend coming and going a little later
        deadline = time.monotonic() + 5
        while not condition():
            assert time.monotonic() < deadline, f"{backends() - before} connections more than before"
            time.sleep(0.01)

    before = backends()
    pool = BatchPool(3)
    try:
        eventually(lambda: backends() == before + 3)  # while the loop selects its first batches
        assert pool.in_flight == 0
    finally:
        pool.close()
    eventually(lambda: backends() == before)  # their connections close with them
