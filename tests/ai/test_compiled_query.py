"""A query compiled once and run with other ids gives exactly the rows and objects the
queryset would have given, is built once (other threads run it on their own connection), and
keeps Django's guards."""

import threading

import pytest
from django.db import connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.transaction import TransactionManagementError

from igny8_core.compiled_query import CompiledQuery
from igny8_core.writer.models import Content, Tasks

from .conftest import make_cluster, make_content, make_task

pytestmark = pytest.mark.django_db


def tasks_with_details(site):
    """A query like the engine's: a join (select_related) and an annotation."""
    return (
        Tasks.objects.filter(site=site)
        .select_related("cluster")
        .annotate(has_content=Exists(Content.objects.filter(task=OuterRef("pk"))))
        .order_by("pk")
    )


def described(tasks):
    """What a caller reads of each task: its fields, its joined cluster and its annotation."""
    return [
        (t.pk, t.title, t.status, t.cluster_id, t.cluster.name if t.cluster else None, t.has_content) for t in tasks
    ]


@pytest.fixture
def tasks(alice_site):
    cluster = make_cluster(alice_site)
    rows = [make_task(alice_site, title=f"Task {n}", cluster=cluster if n % 2 else None) for n in range(5)]
    make_content(alice_site, task=rows[1])
    return rows


def test_the_compiled_query_reads_the_same_objects_as_the_queryset_for_any_number_of_ids(alice_site, tasks):
    query = tasks_with_details(alice_site)
    compiled = CompiledQuery(lambda ids: query.filter(ids))
    for ids in ([tasks[1].pk], [t.pk for t in tasks[:3]], [t.pk for t in tasks], [], [tasks[4].pk, 10**9]):
        got = compiled(ids)
        assert described(got) == described(query.filter(pk__in=ids))
        assert all(t.__class__ is Tasks for t in got)
    assert [t.has_content for t in compiled([tasks[1].pk, tasks[2].pk])] == [True, False]


def test_an_excluding_sliced_query_skips_the_ids_and_keeps_its_order_and_limit(alice_site, tasks):
    query = tasks_with_details(alice_site)
    first_two = CompiledQuery(lambda ids: query.exclude(ids)[:2])
    assert [t.pk for t in first_two([])] == [tasks[0].pk, tasks[1].pk]
    assert [t.pk for t in first_two([tasks[0].pk, tasks[2].pk])] == [tasks[1].pk, tasks[3].pk]
    assert [t.pk for t in first_two([t.pk for t in tasks])] == []


def test_the_queryset_is_built_once_and_other_threads_run_its_sql_on_their_own_connection(alice_site, tasks):
    query = tasks_with_details(alice_site)
    built, seen = [], []

    def build(ids):
        built.append(threading.current_thread().name)
        return query.filter(ids)

    compiled = CompiledQuery(build)
    compiled([tasks[0].pk])
    first = len(built)
    for task in tasks:
        assert [t.pk for t in compiled([task.pk])] == [task.pk]

    def other_thread():
        try:
            # Its own connection, outside the test's transaction: the test's rows are not there.
            seen.append(compiled([t.pk for t in tasks]))
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread, name="second")
    thread.start()
    thread.join()
    assert len(built) == first  # built by the first thread only
    assert seen[0] == []  # run on the second thread's connection, which cannot see them
    assert len(compiled([t.pk for t in tasks])) == len(tasks)  # the first thread's still works


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # autocommit, as outside a test
def test_a_locking_read_outside_a_transaction_is_refused_also_once_compiled(alice_site, tasks):
    locking = CompiledQuery(lambda ids: Tasks.objects.filter(ids).select_for_update())
    with transaction.atomic():
        assert [t.pk for t in locking([tasks[0].pk])] == [tasks[0].pk]
    with pytest.raises(TransactionManagementError):
        locking([tasks[0].pk])


def test_a_query_that_does_not_take_the_ids_is_refused(alice_site, tasks):
    ignoring = CompiledQuery(lambda ids: Tasks.objects.filter(Q(site=alice_site)))
    with pytest.raises(ValueError, match="must take the ids once"):
        ignoring([tasks[0].pk])
