"""The Redis lock (real Redis), the run-log files, the one-active-run constraint, claims."""

import shutil
import time

import pytest
from django.db import IntegrityError, transaction

from igny8_core.automation import lock as site_lock
from igny8_core.automation.claim import Heartbeat, RunClaim
from igny8_core.automation.exceptions import ClaimLost
from igny8_core.automation.logger import RunLogger, UnsafeLogPath, run_log_dir, tail_file
from igny8_core.automation.models import AutomationRun, RunStatus, new_run_id


def make_run(site, status=RunStatus.RUNNING, **fields):
    return AutomationRun.objects.create(
        account_id=site.account_id, site=site, run_id=new_run_id("manual"), status=status, **fields
    )


# --- lock ---------------------------------------------------------------------------
def test_lock_is_token_owned_and_expires_quickly():
    lock = site_lock.SiteLock(991_001, ttl=1)
    assert lock.acquire("run:1:2:aa")
    assert not site_lock.SiteLock(991_001).acquire("run:9:9:bb")  # held
    assert site_lock.release_token(991_001, "run:9:9:bb") is False  # a stranger cannot release it
    assert site_lock.holder(991_001) == "run:1:2:aa"
    ttl_ms = site_lock.client().pttl(site_lock.lock_key(991_001))
    assert 0 < ttl_ms <= 1000
    time.sleep(1.2)
    assert site_lock.holder(991_001) is None  # a dead worker frees the site within the TTL


def test_renew_extends_the_ttl_and_a_lost_lock_raises_claim_lost():
    lock = site_lock.SiteLock(991_002, ttl=2)
    assert lock.acquire("run:1:2:aa")
    time.sleep(1.1)
    lock.renew()
    assert site_lock.client().pttl(site_lock.lock_key(991_002)) > 1500
    assert site_lock.release_token(991_002, "run:1:2:aa")  # e.g. cancel released it by token
    with pytest.raises(ClaimLost):
        lock.renew()
    assert lock.release() is False


def test_parse_token():
    assert site_lock.parse_token(site_lock.make_token(12, 5)) == (12, 5)
    assert site_lock.parse_token("maintenance") is None
    assert site_lock.parse_token(None) is None
    assert site_lock.parse_token("run:x:1:ab") is None


# --- constraint and claims ----------------------------------------------------------
@pytest.mark.django_db
def test_database_allows_one_running_or_paused_run_per_site(alice_site, bob_site):
    make_run(alice_site)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_run(alice_site, status=RunStatus.PAUSED)
    make_run(alice_site, status=RunStatus.COMPLETED)
    make_run(alice_site, status=RunStatus.CANCELLED)
    make_run(bob_site)  # another site is independent
    assert AutomationRun.objects.filter(site=alice_site).count() == 3


@pytest.mark.django_db
def test_run_ids_are_readable_and_unique():
    ids = {new_run_id("manual") for _ in range(200)}
    assert len(ids) == 200
    assert all(run_id.startswith("run_") and "_manual_" in run_id for run_id in ids)


@pytest.mark.django_db
def test_a_ticket_is_redeemed_once_and_stale_claims_cannot_write(alice_site):
    run = make_run(alice_site, epoch=1)
    first = RunClaim.redeem(run, 1)
    assert first is not None and first.epoch == 2
    assert RunClaim.redeem(run, 1) is None  # a duplicate delivery of the same task message
    first.update(current_stage=3)
    # A takeover (resume / recovery) issues a new ticket: the first worker is fenced out.
    AutomationRun.objects.filter(pk=run.pk).update(epoch=3)
    with pytest.raises(ClaimLost):
        first.update(current_stage=4)
    with pytest.raises(ClaimLost):
        first.checkpoint()
    run.refresh_from_db()
    assert run.current_stage == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_heartbeat_renews_lock_and_heartbeat_and_stops_on_a_lost_claim(alice_site):
    run = make_run(alice_site, epoch=1)
    claim = RunClaim.redeem(run, 1)
    claim.acquire_lock()
    before = AutomationRun.objects.get(pk=run.pk).heartbeat_at
    beat = Heartbeat(claim, interval=0.2)
    beat.start()
    time.sleep(0.7)
    assert AutomationRun.objects.get(pk=run.pk).heartbeat_at > before
    AutomationRun.objects.filter(pk=run.pk).update(epoch=99)  # superseded
    time.sleep(0.6)
    assert not beat.is_alive() and isinstance(claim.lost, ClaimLost)
    with pytest.raises(ClaimLost):
        claim.checkpoint()
    claim.release_lock()
    assert site_lock.holder(alice_site.pk) is None


# --- logger -------------------------------------------------------------------------
@pytest.mark.django_db
def test_log_files_layout_and_tail(alice_site, settings):
    run = make_run(alice_site)
    logger = RunLogger(run)
    logger.log("run event")
    for n in range(1, 251):
        logger.log(f"batch {n}", stage=2)
    folder = settings.IGNY8_LOG_ROOT / "automation" / str(alice_site.account_id) / str(alice_site.pk) / run.run_id
    assert sorted(p.name for p in folder.iterdir()) == ["automation_run.log", "stage_2.log"]
    tail = logger.tail(3, stage=2).splitlines()
    assert len(tail) == 3 and tail[-1].endswith("[stage 2] batch 250") and tail[0].endswith("batch 248")
    assert logger.tail(1000).count("\n") == 251
    assert logger.tail(5, stage=6) == ""  # no file yet


@pytest.mark.django_db
def test_a_log_folder_removed_during_a_run_is_made_again(alice_site):
    run = make_run(alice_site)
    logger = RunLogger(run)
    logger.log("before", stage=3)
    shutil.rmtree(logger.dir)
    logger.log("after", stage=3)
    assert logger.tail(5, stage=3).splitlines()[-1].endswith("[stage 3] after")
    assert logger.tail(5).count("\n") == 1


def test_tail_reads_only_the_end_of_a_big_file(tmp_path, monkeypatch):
    path = tmp_path / "big.log"
    with open(path, "wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # 100 MB (sparse) ...
        fh.seek(0, 2)
        fh.write(b"".join(f"line {n}\n".encode() for n in range(1000)))  # ... then real lines
    read = []
    real_open = open

    def counting_open(*args, **kwargs):
        fh = real_open(*args, **kwargs)
        original = fh.read
        fh.read = lambda size=-1: read.append(size) or original(size)
        return fh

    monkeypatch.setattr("builtins.open", counting_open)
    assert tail_file(path, 2) == "line 998\nline 999\n"
    assert sum(read) <= 16 * 1024 and -1 not in read


def test_log_paths_cannot_leave_the_run_folder(settings, tmp_path):
    settings.IGNY8_LOG_ROOT = tmp_path
    with pytest.raises(UnsafeLogPath):
        run_log_dir(1, 2, "../../../etc")
    with pytest.raises(UnsafeLogPath):
        run_log_dir(1, 2, "run_20260101_000000_manual_abcd/../../x")
    with pytest.raises(ValueError):
        run_log_dir("1/..", 2, "run_20260101_000000_manual_abcd")
    ok = run_log_dir(1, 2, "run_20260101_000000_manual_abcd")
    assert ok == (tmp_path / "automation" / "1" / "2" / "run_20260101_000000_manual_abcd").resolve()
