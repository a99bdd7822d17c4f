"""Run a function in N real threads at once (each with its own database connection), for the
race tests: concurrent deductions, Run Now clicks, engine workers, publishers."""

import threading

from django.db import connection


def run_concurrently(n, target, timeout=30.0, start_together=True):
    """Call target(i) for i in range(n) in n threads, released together by a barrier.

    Returns (results, errors): the return values and the exceptions, in completion order."""
    barrier = threading.Barrier(n) if start_together else None
    results, errors = [], []

    def worker(i):
        try:
            if barrier:
                barrier.wait()
            results.append(target(i))
        except BaseException as exc:  # collected for the caller's assertions
            errors.append(exc)
        finally:
            connection.close()  # a thread's connection would otherwise outlive the test database

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), f"a thread was still running after {timeout}s"
    return results, errors
