"""The README's front door runs on the embedded SQLite database, not PostgreSQL: the demo seed
and a whole demo run must work there too (the per-item path's PostgreSQL statements have
SQLite twins)."""

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_demo_seeds_and_runs_to_the_review_gate_on_sqlite(tmp_path):
    database = tmp_path / "demo.sqlite3"
    env = {
        "DATABASE_URL": f"sqlite:///{database}",
        "IGNY8_AI_PROVIDER": "demo",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "IGNY8_LOG_ROOT": str(tmp_path / "logs"),
    }
    for step in (("migrate", "--noinput"), ("seed_demo",), ("run_automation", "--site", "1", "--sync")):
        result = manage(*step, env=env)
        assert result.returncode == 0, f"{' '.join(step)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"

    with sqlite3.connect(database) as db:
        ((status, total),) = db.execute("SELECT status, total_credits_used FROM automation_automationrun").fetchall()
        (charged,) = db.execute(
            "SELECT -SUM(amount) FROM billing_credittransaction WHERE transaction_type = 'deduction'"
        ).fetchone()
        (in_review,) = db.execute("SELECT COUNT(*) FROM writer_content WHERE status = 'review'").fetchone()
    assert status == "completed" and in_review > 0
    assert float(total) == float(charged) > 0  # the run's credits are the ledger's
    with sqlite3.connect(database) as db:
        (stage_1,) = db.execute("SELECT stage_1_result FROM automation_automationrun").fetchone()
    assert re.fullmatch(r"\d+\.\d\d", json.loads(stage_1)["credits_used"])  # in cents, as on PostgreSQL
