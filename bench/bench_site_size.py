"""The AI stages' SQL queries per item do not grow with the site being run: for each size in
BENCH_SITE_SIZES (keywords, default "1000,100000"), a fresh site holding a finished history
of that many keywords (20 per cluster, mapped; 2 ideas per cluster, each queued into a task
and written into a published article with 2 generated images; the same ratios at every size,
so only the size changes) gets the 64 demo keywords as `new` and runs the whole pipeline once
on the demo provider (max_concurrency 1, no delays).

Prints, per size, the time the history took to fill and each stage's queue before the run
(all empty: no stage picks up the history); then, per AI stage, its items, SQL queries per
item (every thread's connection) and ms per item at each size, and whether the queries per
item are at most 10 at every size and flat (differ by less than 0.5 between sizes). Time per
item is printed, never asserted. Exits non-zero when a run does not complete, an item fails,
an AI stage has no items or not the same number at every size (the history shares no word
with the demo keywords, so it must not change what the run makes: when the clustering prompt
listed only a site's 100 largest clusters, a large site's run made near-duplicates of its own
new clusters), or the queries per item exceed 10 or are not flat. Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); uses a
throwaway database `<name>_bench_site_size`.

    BENCH_SITE_SIZES=1000,100000  [BENCH_CLUSTERING=local]  python bench/bench_site_size.py

BENCH_CLUSTERING (default "ai") is the sites' clustering method: "local" measures the free
grouping, which compares each batch with up to 100 of the site's existing clusters; those
weigh the words it compares by, so its clusters may differ by one or two between sizes and
the item counts are printed, not checked.
"""

import os
import sys
import time
from datetime import timedelta
from itertools import batched
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import QueryCounter, demo_site, prepare_environment, throwaway_database  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SITE_SIZES", "1000,100000").split(",")]
CLUSTERING = os.environ.get("BENCH_CLUSTERING", "ai")
MAX_QUERIES_PER_ITEM = 10
FLAT = 0.5  # queries per item may differ by less than this between sizes
KEYWORDS_PER_CLUSTER, IDEAS_PER_CLUSTER, IMAGES_PER_CONTENT = 20, 2, 2
INSERT_BATCH = 5000
# The history's topics and keyword modifiers share no word with the demo keywords, so the run's
# clustering reuses none of its clusters and the duplicate guard skips none of the run's ideas.
TOPICS = (
    "lighthouse restoration",
    "violin making",
    "glacier hiking",
    "saddle fitting",
    "kite surfing",
    "stained glass",
    "beekeeping",
    "model railways",
    "pottery glazing",
    "sailboat rigging",
    "falconry",
    "bookbinding",
    "cave diving",
    "watch repair",
    "calligraphy",
    "birdwatching",
    "woodturning",
    "origami",
    "astrophotography",
    "fly fishing",
    "quilting",
    "rock climbing",
    "candle making",
    "vintage radios",
    "chess openings",
)
MODIFIERS = (
    "history",
    "tools",
    "cost",
    "near me",
    "for kids",
    "checklist",
    "mistakes",
    "safety",
    "courses",
    "books",
    "supplies",
    "techniques",
    "clubs",
    "weather",
    "photos",
    "museums",
    "festivals",
    "glossary",
    "careers",
    "myths",
)
IDEA_TITLES = ("The Complete Guide to {name}", "How to Get Started with {name}")

_tmp = prepare_environment(IGNY8_AI_PROVIDER="demo")

import django  # noqa: E402

django.setup()

from igny8_core.celery import warm_up_process  # noqa: E402

warm_up_process()  # as a worker does when it starts: the first run must not pay for the dictionary


def insert(model, rows) -> list:
    """bulk_create in batches (the rows may be a generator); returns the saved rows."""
    saved = []
    for chunk in batched(rows, INSERT_BATCH):
        saved += model.objects.bulk_create(chunk)
    return saved


def fill_history(site, size: int) -> dict[str, int]:
    """A mature site's finished work of `size` keywords; returns the rows made, by kind."""
    from django.utils import timezone
    from django.utils.text import slugify

    from igny8_core.planner.models import Clusters, ContentIdeas, Keywords
    from igny8_core.writer.models import Content, Images, Tasks

    common = {"account_id": site.account_id, "site": site}
    published = timezone.now() - timedelta(days=30)
    members = [  # the keywords of each cluster
        [f"{TOPICS[c % len(TOPICS)]} {modifier} {c}" for modifier in MODIFIERS[: size - c * KEYWORDS_PER_CLUSTER]]
        for c in range(-(-size // KEYWORDS_PER_CLUSTER))
    ]
    clusters = insert(
        Clusters,
        (
            Clusters(
                **common,
                name=f"{TOPICS[c % len(TOPICS)].title()} {c}",
                description=f"Everything about {TOPICS[c % len(TOPICS)]}.",
                keywords_count=len(keywords),
                status=Clusters.Status.MAPPED,
            )
            for c, keywords in enumerate(members)
        ),
    )
    insert(
        Keywords,
        (
            Keywords(
                **common,
                keyword=keyword,
                volume=100 + 10 * j,
                difficulty=30,
                cluster=cluster,
                status=Keywords.Status.MAPPED,
            )
            for cluster, keywords in zip(clusters, members, strict=True)
            for j, keyword in enumerate(keywords)
        ),
    )
    ideas = insert(
        ContentIdeas,
        (
            ContentIdeas(
                **common,
                idea_title=title.format(name=cluster.name),
                description=f"An article about {cluster.name.lower()}.",
                target_keywords=keywords[i::IDEAS_PER_CLUSTER],
                cluster=cluster,
                status=ContentIdeas.Status.COMPLETED,
            )
            for cluster, keywords in zip(clusters, members, strict=True)
            for i, title in enumerate(IDEA_TITLES[:IDEAS_PER_CLUSTER])
        ),
    )
    tasks = insert(
        Tasks,
        (
            Tasks(
                **common,
                title=idea.idea_title,
                description=idea.description,
                keywords=idea.target_keywords,
                cluster_id=idea.cluster_id,
                idea=idea,
                status=Tasks.Status.COMPLETED,
            )
            for idea in ideas
        ),
    )
    contents = insert(
        Content,
        (
            Content(
                **common,
                task=task,
                cluster_id=task.cluster_id,
                title=task.title,
                slug=slugify(task.title),
                html_content=f"<h2>{task.title}</h2>"
                + "".join(f"<p>What to know about {keyword}, and where to begin.</p>" for keyword in task.keywords),
                meta_title=task.title[:60],
                meta_description=f"{task.title}: what to know and where to begin.",
                word_count=10 * len(task.keywords),
                status=Content.Status.PUBLISHED,
                approved_at=published,
                site_status=Content.SiteStatus.PUBLISHED,
                published_at=published,
                external_url=f"https://{site.domain}/{slugify(task.title)}/",
            )
            for task in tasks
        ),
    )
    images = insert(
        Images,
        (
            Images(
                **common,
                content=content,
                image_type=Images.ImageType.FEATURED if position == 0 else Images.ImageType.IN_ARTICLE,
                position=position,
                prompt=f"A photograph illustrating {content.title}",
                alt_text=content.title[:125],
                file=f"images/{site.account_id}/{site.pk}/content-{content.pk}-{position}.webp",
                width=1200,
                height=675,
                status=Images.Status.GENERATED,
            )
            for content in contents
            for position in range(IMAGES_PER_CONTENT)
        ),
    )
    counts = {"clusters": len(clusters), "ideas": len(ideas), "tasks": len(tasks)}
    return {"keywords": size, **counts, "articles": len(contents), "images": len(images)}


def add_demo_keywords(site) -> None:
    from igny8_core.accounts.demo_data import DEMO_KEYWORDS
    from igny8_core.planner.models import Keywords

    Keywords.objects.bulk_create(
        Keywords(account_id=site.account_id, site=site, keyword=kw, volume=vol, difficulty=diff, intent=intent)
        for kw, vol, diff, intent in DEMO_KEYWORDS
    )


def run_pipeline(site, counter: QueryCounter) -> tuple[str, dict[int, dict], str]:
    """One run of the site, in this process; (status, {stage: figures}, error message)."""
    from igny8_core.automation import lock as site_lock
    from igny8_core.automation.service import AutomationService

    stages: dict[int, dict] = {}

    class MeasuredService(AutomationService):
        def run_stage(self, number):
            queries, started = counter.count, time.perf_counter()
            outcome = super().run_stage(number)
            stages[number] = {
                "seconds": time.perf_counter() - started,
                "queries": counter.count - queries,
                "items": outcome.get("items_requested", 0) or 0,
                "failed": outcome.get("items_failed", 0) or 0,
            }
            return outcome

    run = AutomationService.start_automation(site)
    status = MeasuredService.claim_run(run.run_id, run.epoch).execute()
    run.refresh_from_db()
    site_lock.release_token(site.pk, run.lock_token)
    return status, stages, run.error_message


def measure(size: int, counter: QueryCounter, failures: list[str]) -> dict[int, dict]:
    """Fill a fresh site of `size` keywords, run it, print what happened; {stage: figures}."""
    from igny8_core.automation.stages import STAGES

    _, site, config = demo_site(0, name=f"site-{size}")
    config.max_concurrency = 1
    config.clustering_method = CLUSTERING
    config.save()
    started = time.perf_counter()
    made = fill_history(site, size)
    filled = time.perf_counter() - started
    queues = {stage.number: stage.queue(site).count() for stage in STAGES}
    print(
        f"\nsite of {size} keywords: history filled in {filled:.1f}s ({', '.join(f'{n} {k}' for k, n in made.items())})"
    )
    print(f"  queues before the run: {'  '.join(f'stage {n}: {count}' for n, count in queues.items())}")
    if any(queues.values()):
        failures.append(f"{size}: the history is in a stage's queue {queues}")
    add_demo_keywords(site)
    started = time.perf_counter()
    status, stages, error = run_pipeline(site, counter)
    print(f"  run of the 64 demo keywords: {status} in {time.perf_counter() - started:.1f}s")
    failed = sum(s["failed"] for s in stages.values())
    if status != "completed" or failed:
        failures.append(f"{size}: the run is {status} with {failed} failed items {error}")
    return stages


def print_figures(results: dict[int, dict[int, dict]], failures: list[str]) -> None:
    from igny8_core.automation.stages import STAGES

    def per_item(s: dict, key: str, scale: float = 1.0) -> float | None:
        return s[key] * scale / s["items"] if s.get("items") else None

    def cells(values, spec: str) -> str:
        return "".join("-".rjust(9) if v is None else format(v, spec).rjust(9) for v in values)

    sizes = list(results)
    heads = "".join(str(size).rjust(9) for size in sizes)
    print(f"\n{'':<32}{'items':^{9 * len(sizes)}}{'queries/item':^{9 * len(sizes)}}{'ms/item':^{9 * len(sizes)}}")
    print(f"  {'AI stage':<30}{heads}{heads}{heads}")
    verdicts = []
    for stage in (stage for stage in STAGES if stage.kind == "AI"):
        figures = [results[size].get(stage.number, {}) for size in sizes]
        items = [s.get("items", 0) for s in figures]
        queries = [per_item(s, "queries") for s in figures]
        ms = [per_item(s, "seconds", 1000) for s in figures]
        label = f"{stage.number} {stage.name}"
        print(f"  {label:<30}{cells(items, 'd')}{cells(queries, '.2f')}{cells(ms, '.1f')}")
        if not all(items):
            failures.append(f"stage {stage.number} had no items at some size {dict(zip(sizes, items, strict=True))}")
            continue
        spread = max(queries) - min(queries)
        within = max(queries) <= MAX_QUERIES_PER_ITEM
        flat = spread < FLAT
        differ = "" if len(set(items)) == 1 else f"; its items differ between sizes ({', '.join(map(str, items))})"
        verdicts.append(
            f"  stage {stage.number}: {'≤' if within else 'NOT ≤'} {MAX_QUERIES_PER_ITEM} queries per item at every "
            f"size, {'flat' if flat else 'NOT flat'} (spread {spread:.2f}){differ}"
        )
        if differ and CLUSTERING == "ai":  # locally, the site's other clusters weigh the words (IDF)
            failures.append(f"stage {stage.number}: {', '.join(map(str, items))} items at sizes {sizes}")
        if not (within and flat):
            failures.append(
                f"stage {stage.number}: queries per item {', '.join(f'{q:.2f}' for q in queries)} at sizes {sizes}"
            )
    print("\n".join(verdicts))
    others = [stage for stage in STAGES if stage.kind != "AI"]
    print(
        "  other stages, seconds at each size: "
        + "; ".join(
            f"{s.number} {s.name} ({s.kind}) "
            + " / ".join(f"{results[size].get(s.number, {}).get('seconds', 0):.2f}" for size in sizes)
            for s in others
        )
    )


def main() -> int:
    failures: list[str] = []
    with throwaway_database("bench_site_size", _tmp):
        from igny8_core.automation import dispatch

        dispatch.enqueue = lambda run, resume=False: None  # executed in this process
        counter = QueryCounter().install()
        print(
            f"64 new demo keywords run on a site holding a finished history of N keywords ({KEYWORDS_PER_CLUSTER} "
            f"per cluster, {IDEAS_PER_CLUSTER} ideas per cluster, a task and a published article per idea, "
            f"{IMAGES_PER_CONTENT} generated images per article); demo provider, max_concurrency 1, "
            f"clustering method {CLUSTERING}"
        )
        print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        results = {size: measure(size, counter, failures) for size in SIZES}
        print_figures(results, failures)
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
