"""What the benchmarks share: a throwaway PostgreSQL database, a site of demo keywords, and a
query counter that sees every thread's connection."""

import os
import shutil
import sys
import tempfile
import threading
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def prepare_environment(**env) -> str:
    """Set the environment the settings read (before django.setup()); media and logs go to a
    temporary directory, returned so the caller can remove it. The figures are those of a
    production worker: DEBUG off (with DEBUG on, Django records every SQL statement it runs,
    about 0.6 ms of CPU per statement), unless the caller's environment says otherwise."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igny8_core.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-any-deployment-0123456789")
    tmp = tempfile.mkdtemp(prefix="igny8-bench-")
    os.environ["IGNY8_LOG_ROOT"] = os.path.join(tmp, "logs")
    os.environ["MEDIA_ROOT"] = os.path.join(tmp, "media")
    os.environ.update(env)
    return tmp


@contextmanager
def throwaway_database(suffix: str, tmp: str | None = None):
    """A fresh `<DATABASE name>_<suffix>` database, migrated, dropped afterwards."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        raise SystemExit(f"{suffix}: needs PostgreSQL (set DATABASE_URL)")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{connection.settings_dict['NAME']}_{suffix}"
    old = setup_databases(verbosity=0, interactive=False, aliases=["default"], serialized_aliases=[])
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        teardown_databases(old, verbosity=0)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def demo_site(keywords: int, name: str = "bench", credits: str = "1000000"):
    """An account with `credits`, a site, and `keywords` keywords from the demo set (numbered
    copies past its 64), with no delays between batches or stages."""
    from igny8_core.accounts.demo_data import DEMO_KEYWORDS
    from igny8_core.accounts.models import Account, Site
    from igny8_core.automation.models import AutomationConfig
    from igny8_core.billing.services import CreditService
    from igny8_core.planner.models import Keywords

    account = Account.objects.create(name=name)
    CreditService.add(account, Decimal(credits))
    site = Site.objects.create(account=account, name=name.title(), domain=f"{name}.example.com")
    rows = [
        (f"{kw} {n}" if n else kw, vol)
        for n in range(keywords // len(DEMO_KEYWORDS) + 1)
        for kw, vol, _, _ in DEMO_KEYWORDS
    ][:keywords]
    Keywords.objects.bulk_create(Keywords(account=account, site=site, keyword=kw, volume=vol) for kw, vol in rows)
    config = AutomationConfig.for_site(site)
    config.within_stage_delay = config.between_stage_delay = 0
    config.save()
    return account, site, config


class QueryCounter:
    """Counts the SQL statements of every connection, in every thread (each thread has its own
    connection, so one CaptureQueriesContext would see only the caller's)."""

    def __init__(self):
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, execute, sql, params, many, context):
        with self._lock:
            self.count += 1
        return execute(sql, params, many, context)

    def install(self) -> "QueryCounter":
        from django.db import connections
        from django.db.backends.signals import connection_created

        def attach(sender, connection, **kwargs):
            if self not in connection.execute_wrappers:
                connection.execute_wrappers.append(self)

        connection_created.connect(attach, weak=False)
        for conn in connections.all():
            attach(None, conn)
        self._attach = attach  # connections of threads started later get it on connect
        return self
