"""The run's plan and pace, behind reporting.run_progress (the one progress truth of the API,
the dashboard and the CLI).

The plan is taken when the run starts: how many items each stage is expected to handle,
projected from the queues at that moment with the site's ratios (ratios.py, the estimate's) and
the config's toggles and limits. It only sets each stage's *weight* in the percentage, so the percentage cannot go
down when later stages receive their real work (a run's real item counts are reported as they
happen, next to it). The pace is seconds per handled item, observed in this run, or else in the
site's recent runs.
"""

from typing import Any

from django.db.models import Q

from igny8_core.accounts.models import Site

from .images import IMAGE_STAGES, images_off_reason
from .models import AutomationConfig, AutomationRun, RunStatus
from .ratios import SiteRatios, site_ratios
from .results import SKIPPED
from .stages import STAGES, Stage

HISTORY_RUNS = 10  # recent finished runs that give a stage's pace before this run reaches it


def plan(
    site: Site, pending: dict[int, int], config: AutomationConfig | None = None, ratios: SiteRatios | None = None
) -> dict[int, int]:
    """Items each stage is expected to handle in a run over these queues (stage number -> items)."""
    config = config or AutomationConfig.for_site(site)
    ratios = ratios or site_ratios(site, STAGES[0].pending(site))
    images_off = images_off_reason(site, config)

    def flow(number: int, items: int) -> int:
        stage = STAGES[number - 1]
        if not stage.enabled(config) or (images_off and number in IMAGE_STAGES):
            return 0
        limit = stage.limit(config)
        return min(items, limit) if limit else items

    keywords = flow(1, pending[1])
    clusters = flow(2, pending[2] + ratios.clusters_for(keywords, pending[1]))
    waiting = min(pending[2], clusters)  # the queue's older clusters go first
    # Each idea targets keywords no other idea targets (the duplicate guard skips the rest), so
    # the new clusters give at most one idea per keyword: a one-keyword cluster gives one.
    ideas = flow(3, pending[3] + ratios.ideas_for(waiting) + min(ratios.ideas_for(clusters - waiting), keywords))
    tasks = flow(4, pending[4] + ideas)
    contents = flow(5, pending[5] + tasks)
    images = flow(6, pending[6] + ratios.images_for(contents))
    reviews = flow(7, pending[7] + tasks)
    return {1: keywords, 2: clusters, 3: ideas, 4: tasks, 5: contents, 6: images, 7: reviews}


def planned_items(run: AutomationRun) -> dict[int, int]:
    """The plan stored in the run's initial snapshot (runs started before plans were stored get
    one computed from their snapshot and today's config)."""
    snapshot = run.initial_snapshot or {}
    stored = snapshot.get("planned")
    if isinstance(stored, dict) and stored:
        return {stage.number: int(stored.get(str(stage.number), 0) or 0) for stage in STAGES}
    pending = {stage.number: int(snapshot.get(f"stage_{stage.number}_initial", 0) or 0) for stage in STAGES}
    return plan(run.site, pending)


def weighted_percentage(stages: list[dict[str, Any]], weights: dict[int, int]) -> float:
    """Share of the planned work done: a finished stage counts in full, the running one by its
    handled share of its input (fixed once the stage before it finished), later ones as zero."""
    total = sum(weights.values())
    if total == 0:
        weights, total = dict.fromkeys(weights, 1), len(weights)
    done = 0.0
    for stage in stages:
        if stage["finished"]:
            fraction = 1.0
        elif stage["input_count"]:
            fraction = min(1.0, stage["processed_count"] / stage["input_count"])
        else:
            fraction = 0.0
        done += weights[stage["number"]] * fraction
    return 100 * done / total


def _seconds_per_item(result: dict[str, Any], stage: Stage) -> float | None:
    handled = int(result.get(stage.processed_key, 0) or 0)
    elapsed = float(result.get("time_elapsed") or 0)
    return elapsed / handled if handled and elapsed > 0 else None


def site_pace(run: AutomationRun) -> dict[int, float]:
    """Seconds per handled item of each stage over the site's recent finished runs."""
    fields = [stage.result_field for stage in STAGES]
    recent = (
        AutomationRun.objects.filter(site_id=run.site_id)
        .filter(Q(status=RunStatus.COMPLETED) | Q(status=RunStatus.FAILED) | Q(status=RunStatus.CANCELLED))
        .exclude(pk=run.pk)
        .order_by("-started_at")
        .values_list(*fields)[:HISTORY_RUNS]
    )
    sums = {stage.number: [0.0, 0] for stage in STAGES}
    for row in recent:
        for stage, result in zip(STAGES, row, strict=True):
            result = result or {}
            if result.get("status") == SKIPPED:
                continue
            sums[stage.number][0] += float(result.get("time_elapsed") or 0)
            sums[stage.number][1] += int(result.get(stage.processed_key, 0) or 0)
    return {number: elapsed / handled for number, (elapsed, handled) in sums.items() if handled and elapsed > 0}


def eta_seconds(
    run: AutomationRun, stages: list[dict[str, Any]], weights: dict[int, int], config: AutomationConfig
) -> int | None:
    """Seconds until the run ends at the observed pace: the running stage's remaining items and
    the later stages' expected items (their plan, or more if more already arrived), plus the
    pauses between stages. None when no pace has been observed yet."""
    pace = {}
    for stage, row in zip(STAGES, stages, strict=True):
        observed = _seconds_per_item(row["result"] or {}, stage)
        if observed is not None:
            pace[stage.number] = observed
    history = None
    seconds, stages_left = 0.0, 0
    for stage, row in zip(STAGES, stages, strict=True):
        if row["finished"]:
            continue
        if row["status"] == "pending":  # not reached yet: its plan, or more if more already arrived
            remaining = max(row["input_count"], weights[stage.number])
        else:
            remaining = row["input_count"] - row["processed_count"]
        if remaining <= 0 or stage.is_gate:
            continue
        stages_left += 1
        per_item = pace.get(stage.number)
        if per_item is None:
            history = site_pace(run) if history is None else history
            per_item = history.get(stage.number)
        if per_item is None and pace:
            per_item = sum(pace.values()) / len(pace)  # this run's pace so far, for an unseen stage
        if per_item is None:
            return None
        seconds += remaining * per_item
    seconds += max(0, stages_left - 1) * config.between_stage_delay
    return round(seconds)
