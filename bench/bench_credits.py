"""Credit deduction throughput: sequential, and 8 threads contending for one account's row lock.

Prints figures; asserts nothing about speed. Needs PostgreSQL (DATABASE_URL) — run via `make bench`.
Uses a throwaway database `<name>_bench` created and dropped here.
"""

import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import prepare_environment, throwaway_database  # noqa: E402

_tmp = prepare_environment()

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402


def main() -> int:
    with throwaway_database("bench", _tmp):
        from igny8_core.accounts.models import Account
        from igny8_core.billing.services import CreditService

        account = Account.objects.create(name="bench")
        CreditService.add(account, Decimal("1000000"))
        n = int(os.environ.get("BENCH_DEDUCTIONS", "2000"))
        start = time.perf_counter()
        for i in range(n):
            CreditService.deduct(account.pk, Decimal("0.5"), "clustering", idempotency_key=f"seq{i}")
        seq = time.perf_counter() - start
        print(f"sequential deductions: {n} in {seq:.2f}s = {n / seq:.0f}/s ({seq / n * 1000:.2f} ms each)")

        start = time.perf_counter()
        for i in range(n):
            CreditService.deduct(account.pk, Decimal("0.5"), "clustering", idempotency_key=f"seq{i}")
        rep = time.perf_counter() - start
        print(f"idempotent replays (no charge): {n} in {rep:.2f}s = {n / rep:.0f}/s")

        threads, per_thread = 8, max(1, n // 8)

        def work(t):
            for i in range(per_thread):
                CreditService.deduct(account.pk, Decimal("0.5"), "clustering", idempotency_key=f"t{t}-{i}")
            connection.close()

        start = time.perf_counter()
        pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
        for th in pool:
            th.start()
        for th in pool:
            th.join()
        par = time.perf_counter() - start
        total = threads * per_thread
        print(f"contended deductions ({threads} threads, one account): {total} in {par:.2f}s = {total / par:.0f}/s")
        expected = Decimal("1000000") - Decimal("0.5") * (n + total)
        final = CreditService.balance(account)
        print(f"final balance {final} (expected {expected})")
        if final != expected:
            print("FAILED: the balance is wrong", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
