"""Exactly-once charging: a crash between the provider's answer and the commit, a crash
after the commit, and two workers racing on the same item never double-charge or
duplicate rows."""

import threading
from decimal import Decimal

import pytest
from concurrency_support import run_concurrently
from django.db import connection

from igny8_core.ai.engine import AIEngine
from igny8_core.ai.providers.demo import DemoProvider
from igny8_core.billing import services as billing_services
from igny8_core.billing.models import CreditTransaction
from igny8_core.planner.models import Clusters, Keywords
from igny8_core.writer.models import Content, Images

from .conftest import (
    balance,
    deductions,
    make_content,
    make_images,
    make_keywords,
    make_task,
)


class SimulatedCrash(BaseException):
    """Like a worker killed mid-call: not an Exception, so nothing may swallow it."""


def crash_once(monkeypatch, target, name):
    original = getattr(target, name)
    state = {"crashed": False}

    def crashing(*args, **kwargs):
        if not state["crashed"]:
            state["crashed"] = True
            raise SimulatedCrash(f"crash in {name}")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, crashing)
    return state


@pytest.mark.django_db
def test_crash_before_commit_then_retry_charges_once(engine, account, site, monkeypatch):
    task = make_task(site)
    start = balance(account)
    # The provider has answered and the content row is written when the charge step dies.
    crash_once(monkeypatch, billing_services.CreditService, "deduct")

    with pytest.raises(SimulatedCrash):
        engine.run("generate_content", [task.pk])

    task.refresh_from_db()
    assert task.status == "queued" and not Content.objects.exists()
    assert balance(account) == start and deductions(account) == []

    retried = engine.run("generate_content", [task.pk])
    again = engine.run("generate_content", [task.pk])

    assert retried.items_processed == 1 and again.items_processed == 0
    assert again.failed[0]["code"] == "not_pending" and again.credits_used == 0
    assert Content.objects.filter(task=task).count() == 1
    [tx] = deductions(account)
    assert balance(account) == start + tx.amount == start - retried.credits_used


@pytest.mark.django_db
def test_crash_in_auto_cluster_leaves_no_cluster_behind(engine, account, site, monkeypatch):
    keywords = make_keywords(site, ["cold brew recipe", "cold brew ratio", "latte art"])
    crash_once(monkeypatch, billing_services.CreditService, "deduct")

    with pytest.raises(SimulatedCrash):
        engine.run("auto_cluster", [k.pk for k in keywords])
    assert not Clusters.objects.exists() and not Keywords.objects.filter(status="mapped").exists()

    engine.run("auto_cluster", [k.pk for k in keywords])
    engine.run("auto_cluster", [k.pk for k in keywords])
    assert Clusters.objects.count() == 2
    assert [tx.amount for tx in deductions(account)] == [Decimal("-0.60")]


@pytest.mark.django_db
def test_crash_in_generate_images_leaves_no_orphan_file(engine, account, site, monkeypatch, settings):
    content = make_content(site)
    [image] = make_images(content, 1)
    crash_once(monkeypatch, billing_services.CreditService, "deduct")

    with pytest.raises(SimulatedCrash):
        engine.run("generate_images", [image.pk])
    assert list(settings.MEDIA_ROOT.rglob("*.jpg")) == []
    assert Images.objects.get(pk=image.pk).status == "pending"

    engine.run("generate_images", [image.pk])
    assert len(list(settings.MEDIA_ROOT.rglob("*.jpg"))) == 2  # the image and its thumbnail
    assert len(deductions(account)) == 1


@pytest.mark.django_db
def test_crash_after_commit_then_retry_does_not_redo(engine, account, site, monkeypatch):
    task = make_task(site)
    # Dies right after the transaction committed (while adding the unit to the result).
    crash_once(monkeypatch, AIEngine, "_tally")

    with pytest.raises(SimulatedCrash):
        engine.run("generate_content", [task.pk])
    assert Content.objects.filter(task=task).count() == 1 and len(deductions(account)) == 1

    retried = engine.run("generate_content", [task.pk])
    assert retried.items_processed == 0 and retried.credits_used == 0
    assert Content.objects.filter(task=task).count() == 1 and len(deductions(account)) == 1


def test_same_idempotency_key_is_charged_once(db, account):
    first = billing_services.CreditService.deduct(account, "2", "content_generation", idempotency_key="k")
    second = billing_services.CreditService.deduct(account, "2", "content_generation", idempotency_key="k")
    assert first.charged and not second.charged
    assert CreditTransaction.objects.filter(idempotency_key="k").count() == 1


class BarrierProvider(DemoProvider):
    """Both workers get their answer before either of them commits."""

    def __init__(self, barrier):
        super().__init__(image_size="320x180")
        self.barrier = barrier

    def _answer(self, schema_name, payload):
        self.barrier.wait(timeout=10)
        return super()._answer(schema_name, payload)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks: SQLite's in-memory test database raises 'table is locked' instead of waiting",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("function", ["generate_content", "generate_image_prompts"])
def test_two_workers_racing_on_one_item_save_and_charge_once(function, account, site):
    item = make_task(site) if function == "generate_content" else make_content(site)
    barrier = threading.Barrier(2)  # inside the provider: both have their answer before either saves
    results, errors = run_concurrently(
        2, lambda i: AIEngine(account, site, BarrierProvider(barrier)).run(function, [item.pk]), start_together=False
    )

    assert errors == []
    assert sorted(r.items_processed for r in results) == [0, 1]
    loser = next(r for r in results if r.items_processed == 0)
    assert loser.failed[0]["code"] == "not_pending" and loser.credits_used == 0
    if function == "generate_content":
        assert Content.objects.filter(task=item).count() == 1
    else:
        assert Images.objects.filter(content=item).count() == 3
    assert len(deductions(account)) == 1


@pytest.mark.django_db
def test_soft_time_limit_while_saving_stops_the_call_and_leaves_the_item_pending(engine, account, site, monkeypatch):
    """The run's cooperative stop (Celery's soft time limit) is not an item failure: it must reach
    the pipeline, with nothing saved or charged and the task still queued for the next session."""
    from celery.exceptions import SoftTimeLimitExceeded

    task = make_task(site)
    start = balance(account)

    def time_is_up(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(billing_services.CreditService, "deduct", time_is_up)
    with pytest.raises(SoftTimeLimitExceeded):
        engine.run("generate_content", [task.pk])

    task.refresh_from_db()
    assert task.status == "queued" and not Content.objects.exists()
    assert balance(account) == start and deductions(account) == []
