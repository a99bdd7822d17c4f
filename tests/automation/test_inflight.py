"""The batch pool alone: `size` bounds the batches waiting for the provider, an answered batch
frees its slot but saves only once the loop has come back for the next event, and no more
than 2 x size batches are ever alive."""

import threading
import time

from igny8_core.automation.inflight import BatchPool


class Batch:
    """A batch that 'calls the provider' until released, then 'saves' until released."""

    def __init__(self):
        self.answer = threading.Event()
        self.saved = threading.Event()
        self.saving = threading.Event()

    def __call__(self, answered):
        self.answer.wait(5)
        answered()
        self.saving.set()
        self.saved.wait(5)
        return "done"


def test_an_answered_batch_frees_its_slot_and_saves_once_the_loop_is_back():
    pool = BatchPool(1)
    first, second = Batch(), Batch()
    pool.launch(1, first)
    assert not pool.has_room and pool.waiting == 1
    first.answer.set()
    assert pool.next_finished() is None  # its answer is in: the slot is free
    assert pool.has_room and pool.waiting == 0 and pool.in_flight == 1
    assert not first.saving.wait(0.2)  # held until the loop comes back for the next event
    pool.launch(2, second)
    assert not pool.has_room  # one waiting for the provider, one saving: 2 x size alive
    first.saved.set()
    finished = pool.next_finished(timeout=5)  # coming back releases the first batch's saving
    assert first.saving.is_set()
    assert finished is not None and (finished.key, finished.value) == (1, "done")
    second.answer.set()
    second.saved.set()
    assert [f.key for f in pool.drain()] == [2]
    pool.close()


def test_no_more_than_twice_size_batches_alive_and_size_waiting_for_the_provider():
    pool = BatchPool(2)
    batches = [Batch() for _ in range(4)]
    pool.launch(0, batches[0])
    pool.launch(1, batches[1])
    assert pool.room == 0
    for batch in batches[:2]:
        batch.answer.set()
    assert pool.next_finished(timeout=5) is None and pool.next_finished(timeout=5) is None
    assert pool.room == 2 and pool.waiting == 0
    pool.launch(2, batches[2])
    pool.launch(3, batches[3])
    assert pool.room == 0 and pool.in_flight == 4
    assert pool.next_finished(timeout=0.1) is None  # nothing happened: the timeout
    for batch in batches:
        batch.answer.set()
        batch.saved.set()
    assert sorted(f.key for f in pool.drain()) == [0, 1, 2, 3]
    pool.close()


def test_inline_runs_each_batch_in_the_callers_thread_one_at_a_time():
    pool = BatchPool(4, inline=True)
    ran_in: list[threading.Thread] = []

    def batch(answered):
        answered()  # nothing to wait for: nobody else runs
        ran_in.append(threading.current_thread())
        return "done"

    pool.launch(1, batch)
    assert ran_in == [threading.current_thread()] and not pool.has_room
    assert pool.next_finished().value == "done" and pool.has_room


def test_answers_that_arrive_together_free_their_slots_for_one_launch():
    pool = BatchPool(3)
    batches = [Batch() for _ in range(3)]
    for key, batch in enumerate(batches):
        pool.launch(key, batch)
    batches[0].answer.set()
    batches[1].answer.set()
    deadline = time.monotonic() + 5
    while pool._events.qsize() < 2 and time.monotonic() < deadline:  # both answers are in
        time.sleep(0.01)
    assert pool.next_finished() is None
    assert pool.room == 2 and pool.waiting == 1  # one wake-up frees both slots: one launch fills them
    for batch in batches:
        batch.answer.set()
        batch.saved.set()
    assert sorted(f.key for f in pool.drain()) == [0, 1, 2]
    pool.close()
