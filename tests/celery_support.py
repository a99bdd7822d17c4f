"""A real Celery worker for integration tests: in this process (its own thread and database
connection), consuming the real Redis broker, with the queues purged before and after."""

from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection

from igny8_core.celery import app

PIPELINE_QUEUES = ("automation", "default")


def purge_queues(queues=PIPELINE_QUEUES):
    with app.connection_for_write() as conn:
        for queue in queues:
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # the queue does not exist yet
                pass


def _close_db_connection(**kwargs):
    connection.close()  # the worker thread must not keep a connection to the test database


@contextmanager
def running_worker(queues=PIPELINE_QUEUES, **options):
    options = {"pool": "solo", "loglevel": "WARNING", **options}
    purge_queues(queues)
    task_postrun.connect(_close_db_connection, weak=False)
    try:
        with start_worker(app, perform_ping_check=False, queues=list(queues), shutdown_timeout=30, **options) as worker:
            yield worker
    finally:
        task_postrun.disconnect(_close_db_connection)
        purge_queues(queues)
