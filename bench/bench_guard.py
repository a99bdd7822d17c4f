"""The cannibalisation guard on a large site: milliseconds per cluster of stage 2 for a site
already holding BENCH_IDEAS ideas (e.g. "1000,5000,20000"), split into reading the site's
ideas and content (one query, whatever the site's size) and comparing the cluster's ideas
with them. Between two clusters the run saves their ideas, as stage 2 does. Each cluster
proposes an idea the site has, a new one, and one like the cluster before's: exits 1 when the
guard does not skip exactly the first and the third. Needs PostgreSQL (DATABASE_URL).

    BENCH_IDEAS=1000,5000,20000  BENCH_CLUSTERS=20  python bench/bench_guard.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import demo_site, prepare_environment, throwaway_database  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_IDEAS", "1000,5000,20000").split(",")]
CLUSTERS = int(os.environ.get("BENCH_CLUSTERS", "20"))
# Titles as a content plan words them: a topic, an angle, a reader (64 x 25 x 15 of them).
ANGLES = (
    "tips",
    "mistakes to avoid",
    "on a budget",
    "step by step",
    "explained",
    "checklist",
    "ideas",
    "myths",
    "the complete guide",
    "what experts do",
    "in ten minutes",
    "compared",
    "for small spaces",
    "questions answered",
    "a weekly plan",
    "tools you need",
    "how to start",
    "advanced techniques",
    "common problems",
    "for every season",
    "what it costs",
    "a simple routine",
    "before and after",
    "lessons learned",
    "dos and don'ts",
)
READERS = (
    "beginners",
    "families",
    "students",
    "busy parents",
    "seniors",
    "renters",
    "couples",
    "travellers",
    "remote workers",
    "first-timers",
    "enthusiasts",
    "professionals",
    "kids",
    "pet owners",
    "minimalists",
)


def main() -> int:
    tmp = prepare_environment()
    import django

    django.setup()
    from igny8_core.accounts.demo_data import DEMO_KEYWORDS
    from igny8_core.ai.cannibalisation import site_pieces, split_duplicates
    from igny8_core.planner.models import ContentIdeas

    topics = [keyword for keyword, *_ in DEMO_KEYWORDS]
    wrong: list[str] = []
    with throwaway_database("bench_guard", tmp):
        account, site, _ = demo_site(0)
        site.duplicate_threshold = 85
        site.save()

        def title(n: int) -> str:
            topic = topics[n % len(topics)]
            angle = ANGLES[n // len(topics) % len(ANGLES)]
            return f"{topic.title()}: {angle} for {READERS[n // (len(topics) * len(ANGLES)) % len(READERS)]}"

        def idea(n: int, text: str) -> ContentIdeas:
            topic = topics[n % len(topics)]
            return ContentIdeas(account=account, site=site, idea_title=text, target_keywords=[f"{topic} {text}"])

        print(f"duplicate threshold {site.duplicate_threshold}, {CLUSTERS} clusters of 3 proposed ideas each")
        print(f"  {'ideas':>7}{'ms/cluster':>12}{'reading':>10}{'comparing':>11}{'skipped':>9}")
        for size in SIZES:
            have = ContentIdeas.objects.filter(site=site).count()
            ContentIdeas.objects.bulk_create(idea(n, title(n)) for n in range(have, size))
            guarding, reading, skipped = 0.0, 0.0, 0
            for c in range(CLUSTERS):
                topic = topics[(size + c) % len(topics)]
                proposals = [  # an idea the site has; a new one; the new one again, another year
                    {"title": title(size - 1 - 7 * c), "target_keywords": []},
                    {"title": f"Why {topic} changed in {2000 + c}", "target_keywords": [f"{topic} history {c}"]},
                    {"title": f"Why {topic} changed in {1990 + c}", "target_keywords": []},
                ]
                started = time.perf_counter()
                kept, duplicates = split_duplicates(site, proposals)
                guarding += time.perf_counter() - started
                started = time.perf_counter()
                site_pieces(site)
                reading += time.perf_counter() - started
                if proposals[0] in kept or (proposals[1] in kept and proposals[2] in kept):
                    wrong.append(f"{size} ideas, cluster {c}: kept {[p['title'] for p in kept]}")
                skipped += len(duplicates)
                ContentIdeas.objects.bulk_create(idea(size + c, p["title"]) for p in kept)
            per = 1000 / CLUSTERS
            print(
                f"  {size:>7}{guarding * per:>9.1f} ms{reading * per:>7.1f} ms"
                f"{(guarding - reading) * per:>8.1f} ms{skipped:>9}"
            )
    for failure in wrong:
        print(f"FAILED: a duplicate was kept at {failure}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
