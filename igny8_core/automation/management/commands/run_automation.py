"""python manage.py run_automation --site <id|domain> [--wait] [--sync]

Starts a run through the same service and Celery task as the dashboard's Run Now. With --wait
it shows live per-stage progress bars until the run ends, then a summary table; the numbers are
the API's run_progress, unchanged. With --sync the run executes in this process, in a thread
beside the progress display (no worker needed); the queued task message then finds its ticket
already redeemed and does nothing.
"""

import sys
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from igny8_core.accounts.models import Site
from igny8_core.automation.exceptions import AlreadyRunning, SiteGone
from igny8_core.automation.models import ACTIVE_STATUSES, AutomationRun
from igny8_core.automation.service import AutomationService, InsufficientCreditsForRun
from igny8_core.automation.stages import stage as stage_by_number
from igny8_core.automation.tasks import execute_run

BAR_WIDTH = 24


def bar(done: int, total: int) -> str:
    filled = BAR_WIDTH if total and done >= total else (BAR_WIDTH * done // total if total else 0)
    return "[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]"


def clock(seconds: int) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes:02d}:{seconds:02d}"


def headline(progress: dict) -> str:
    run, glob, metrics = progress["run"], progress["global_progress"], progress["metrics"]
    if glob["waiting_for_worker"]:
        state = "waiting for a worker to pick this run up"
    elif glob["finished"] and run["status"] != "completed":
        state = f"{glob['completed_items']} done, {glob['remaining_items']} left"
    else:
        state = f"{glob['percentage']:>3}% ({glob['completed_items']}/{glob['total_items']} items)"
        if glob["eta_seconds"] is not None:
            state += f"  ~{clock(glob['eta_seconds'])} left"
    return (
        f"{run['run_id']}  {run['status']}  stage {run['current_stage']}/7  {state}  "
        f"{metrics['credits_used']} credits  {clock(metrics['duration_seconds'])}"
    )


def render(progress: dict) -> list[str]:
    lines = [headline(progress)]
    for stage in progress["stages"]:
        lines.append(
            f" {stage['number']} {stage['name']:<26} {bar(stage['processed_count'], stage['input_count'])} "
            f"{stage['processed_count']:>4}/{stage['input_count']:<4} {stage['status']}"
        )
    return lines


def summary(run: AutomationRun) -> list[str]:
    lines = [f"{'stage':<30} {'status':<10} {'processed':>9} {'created':>8} {'failed':>6} {'credits':>9} {'time':>7}"]
    for stage in AutomationService.run_progress(run)["stages"]:
        result = stage["result"] or {}
        desc = stage_by_number(stage["number"])
        lines.append(
            f"{stage['number']} {stage['name']:<28} {stage['status']:<10} "
            f"{result.get(desc.processed_key, 0):>9} {result.get(desc.created_key, 0):>8} "
            f"{result.get('items_failed', 0):>6} {result.get('credits_used', '0.00'):>9} "
            f"{result.get('time_elapsed', 0):>6}s"
        )
    lines.append(f"Run {run.run_id}: {run.status}. Credits used: {run.total_credits_used}.")
    if run.stopped_reason:
        lines.append(f"Stopped: {run.stopped_reason}")
    if run.error_message and run.error_message != run.stopped_reason:
        lines.append(f"Error: {run.error_message}")
    return lines


class Command(BaseCommand):
    help = "Start an automation run for a site (like Run Now); --wait shows live progress until it ends."

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="Site id or domain.")
        parser.add_argument("--wait", action="store_true", help="Show live progress until the run ends.")
        parser.add_argument("--sync", action="store_true", help="Execute the run in this process (no worker needed).")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between progress refreshes.")

    def handle(self, *args, **options):
        site = self._site(options["site"])
        try:
            run = AutomationService.start_automation(site, "manual")
        except (AlreadyRunning, SiteGone) as exc:
            raise CommandError(str(exc)) from None
        except InsufficientCreditsForRun as exc:
            raise CommandError(
                f"Insufficient credits: estimate {exc.estimate}, {exc.required} required (1.2x), "
                f"balance {exc.available}."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Started {run.run_id} for {site}."))
        executor = None
        if options["sync"]:
            executor = _Executor(run.run_id, run.epoch)
            executor.start()
        elif not options["wait"]:
            self.stdout.write("A Celery worker on the 'automation' queue executes it; add --wait to follow it.")
            return
        if options["wait"]:
            self._follow(run, options["interval"], executor)
        if executor is not None:
            executor.join()
            self.stdout.write(f"Executed in this process: {executor.outcome}")
            if not options["wait"]:
                run.refresh_from_db()
                for line in summary(run):
                    self.stdout.write(line)

    def _site(self, value: str) -> Site:
        sites = Site.objects.filter(pk=int(value)) if value.isdigit() else Site.objects.filter(domain__iexact=value)
        site = sites.first()
        if site is None:
            raise CommandError(f"No site with id or domain {value!r}.")
        return site

    def _follow(self, run: AutomationRun, interval: float, executor: "_Executor | None" = None) -> None:
        live = sys.stdout.isatty() and self.stdout._out is sys.stdout
        drawn, last = 0, None
        while True:
            run.refresh_from_db()
            lines = render(AutomationService.run_progress(run))
            if live:
                if drawn:
                    self.stdout.write(f"\x1b[{drawn}F", ending="")
                self.stdout.write("\n".join(f"{line}\x1b[K" for line in lines))
                drawn = len(lines)
            elif lines != last:
                self.stdout.write("\n".join(lines) + "\n")
            last = lines
            if run.status not in ACTIVE_STATUSES:
                break
            if executor is not None:
                executor.join(interval)  # wakes up at once when the run ends in this process
            else:
                time.sleep(interval)
        self.stdout.write("")
        for line in summary(run):
            self.stdout.write(line)


class _Executor(threading.Thread):
    """Executes the run in this process (the Celery task's own code path, without Celery's
    logging) while the main thread shows its progress."""

    def __init__(self, run_id: str, ticket: int):
        super().__init__(name=f"run-{run_id}", daemon=True)
        self.run_id, self.ticket = run_id, ticket
        self.outcome = "not finished"

    def run(self):
        try:
            self.outcome = execute_run(self.run_id, self.ticket)
        finally:
            connections.close_all()
