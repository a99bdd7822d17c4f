"""Keyword clustering quality: purity and adjusted Rand index (ARI) of the `local` method and
of the `ai` method with the demo provider, on the labelled keyword set in
tests/data/labelled_keywords.csv (240 keywords, 24 topics).

The keywords are shuffled (BENCH_SEED, default 8: keyword exports mix topics) and clustered in
batches of 20 with the clusters of earlier batches carried over, as stage 1 does. Exits 1 when
the local method's ARI is below 0.7. No database or network needed.
"""

import csv
import os
import random
import shutil
import sys
import time
from collections import Counter
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import ROOT, prepare_environment  # noqa: E402

_tmp = prepare_environment()

import django  # noqa: E402

django.setup()

from igny8_core.ai import clustering  # noqa: E402
from igny8_core.ai.providers import demo_text  # noqa: E402

DATA = ROOT / "tests" / "data" / "labelled_keywords.csv"
BATCH = 20
MIN_LOCAL_ARI = 0.7


def adjusted_rand_index(truth: list[str], predicted: list[str]) -> float:
    """Hubert and Arabie's ARI: 1 for identical partitions, about 0 for random ones."""
    pairs = sum(comb(n, 2) for n in Counter(zip(truth, predicted, strict=True)).values())
    truth_pairs = sum(comb(n, 2) for n in Counter(truth).values())
    predicted_pairs = sum(comb(n, 2) for n in Counter(predicted).values())
    expected = truth_pairs * predicted_pairs / comb(len(truth), 2)
    maximum = (truth_pairs + predicted_pairs) / 2
    return 1.0 if maximum == expected else (pairs - expected) / (maximum - expected)


def purity(truth: list[str], predicted: list[str]) -> float:
    """Share of keywords in their cluster's majority topic."""
    counts = Counter(zip(predicted, truth, strict=True))
    best: dict[str, int] = {}
    for (cluster, _), n in counts.items():
        best[cluster] = max(best.get(cluster, 0), n)
    return sum(best.values()) / len(truth)


def cluster_in_batches(method: str, keywords: list[dict]) -> list[str]:
    existing: dict[str, list[str]] = {}
    label: dict[int, str] = {}
    for start in range(0, len(keywords), BATCH):
        batch = keywords[start : start + BATCH]
        if method == "local":
            answer = clustering.cluster_keywords(batch, existing)
        else:
            answer = demo_text.cluster_keywords(batch, list(existing))
        for cluster in answer:
            # Stage 1 reuses an existing cluster whose name matches case-insensitively.
            name = next((n for n in existing if n.lower() == cluster["name"].lower()), cluster["name"])
            existing.setdefault(name, []).extend(keywords[i]["keyword"] for i in cluster["keyword_ids"])
            label.update(dict.fromkeys(cluster["keyword_ids"], name.lower()))
    return [label[k["id"]] for k in keywords]


def main() -> int:
    with open(DATA, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    random.Random(int(os.environ.get("BENCH_SEED", "8"))).shuffle(rows)
    keywords = [{"id": n, "keyword": row["keyword"]} for n, row in enumerate(rows)]
    truth = [row["topic"] for row in rows]
    print(f"labelled set: {len(rows)} keywords, {len(set(truth))} topics, batches of {BATCH}")
    print(f"{'method':<10} {'clusters':>8} {'purity':>7} {'ARI':>6} {'seconds':>8}")
    scores = {}
    for method in ("local", "ai"):
        started = time.perf_counter()
        predicted = cluster_in_batches(method, keywords)
        elapsed = time.perf_counter() - started
        scores[method] = adjusted_rand_index(truth, predicted)
        label = "ai (demo)" if method == "ai" else method
        print(
            f"{label:<10} {len(set(predicted)):>8} {purity(truth, predicted):>7.3f} {scores[method]:>6.3f} {elapsed:>8.2f}"
        )
    if scores["local"] < MIN_LOCAL_ARI:
        print(f"FAILED: local ARI {scores['local']:.3f} < {MIN_LOCAL_ARI}")
        return 1
    return 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        shutil.rmtree(_tmp, ignore_errors=True)
    sys.exit(code)
