"""Local keyword clustering: grouping rules, reuse of existing clusters, the metrics of the
benchmark, and stage 1 through the engine at 0 credits."""

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from igny8_core.ai import clustering
from igny8_core.ai.functions.auto_cluster import MAX_EXISTING_NAMES, existing_members
from igny8_core.automation.models import AutomationConfig
from igny8_core.planner.models import Clusters, Keywords

from .conftest import COFFEE, balance, deductions, make_keywords


def bench_module():
    path = Path(__file__).resolve().parents[2] / "bench" / "bench_clustering.py"
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("bench_clustering", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_adjusted_rand_index_and_purity_match_known_values():
    bench = bench_module()
    truth, predicted = ["a", "a", "a", "b", "b", "b"], ["x", "x", "y", "y", "z", "z"]
    assert round(bench.adjusted_rand_index(truth, predicted), 4) == 0.2424  # the textbook example
    assert bench.adjusted_rand_index(truth, ["p", "p", "p", "q", "q", "q"]) == 1.0
    assert bench.purity(truth, predicted) == pytest.approx(5 / 6)  # x: 2 a, y: 1 of 2, z: 2 b


def ids(answer, *keywords):
    return {keywords[i] for cluster in answer for i in cluster["keyword_ids"]}


def test_groups_by_shared_topic_words_and_names_the_groups():
    keywords = [{"id": n, "keyword": k} for n, k in enumerate(COFFEE)]
    answer = clustering.cluster_keywords(keywords, {})
    groups = sorted(sorted(COFFEE[i] for i in c["keyword_ids"]) for c in answer)
    assert ["cold brew coffee maker", "cold brew coffee recipe", "cold brew concentrate ratio"] in groups
    assert ["best french press", "french press coffee ratio", "how to clean a french press"] in groups
    names = {c["name"] for c in answer}
    assert "Cold Brew" in names and "French Press" in names
    assert sorted(i for c in answer for i in c["keyword_ids"]) == list(range(len(COFFEE)))  # each exactly once


def test_joins_existing_clusters_by_their_keywords_and_is_deterministic():
    existing = {"Espresso Gear": ["espresso machine for beginners", "how to descale espresso machine"]}
    keywords = [{"id": 1, "keyword": "espresso machine under 500"}, {"id": 2, "keyword": "latte art"}]
    answer = clustering.cluster_keywords(keywords, existing)
    assert {"name": "Espresso Gear", "description": "1 keyword(s) grouped locally.", "keyword_ids": [1]} in answer
    assert [c["keyword_ids"] for c in answer if c["name"] != "Espresso Gear"] == [[2]]
    assert clustering.cluster_keywords(keywords, existing) == answer


@pytest.mark.django_db
def test_stage_1_with_the_local_method_costs_nothing(engine, account, site):
    config = AutomationConfig.for_site(site)
    config.clustering_method = "local"
    config.save()
    keywords = make_keywords(site)
    start = balance(account)

    result = engine.run("auto_cluster", [k.pk for k in keywords])

    assert result.items_processed == len(COFFEE) and result.credits_used == Decimal("0.00")
    assert balance(account) == start and deductions(account) == []
    assert not Keywords.objects.filter(site=site, cluster__isnull=True).exists()
    assert Clusters.objects.filter(site=site, name="Cold Brew").exists()
    assert engine.estimate("auto_cluster", [k.pk for k in keywords]) == Decimal("0.00")


@pytest.mark.django_db
def test_a_batch_asked_of_the_model_is_charged_even_if_the_method_turns_local_meanwhile(
    engine, account, site, demo, monkeypatch
):
    keywords = make_keywords(site)
    answer = demo.complete_json

    def answer_then_switch_to_local(*args, **kwargs):
        config = AutomationConfig.for_site(site)
        config.clustering_method = "local"
        config.save()
        return answer(*args, **kwargs)

    monkeypatch.setattr(demo, "complete_json", answer_then_switch_to_local)
    start = balance(account)

    result = engine.run("auto_cluster", [k.pk for k in keywords])

    assert result.items_processed == len(COFFEE)
    assert result.credits_used > 0 and balance(account) == start - result.credits_used
    assert len(deductions(account)) == 1


@pytest.mark.django_db
def test_the_local_method_compares_a_batch_with_the_clusters_of_its_topic_then_the_largest(site):
    def cluster(name, keywords):
        made = Clusters.objects.create(site=site, name=name, keywords_count=len(keywords))
        Keywords.objects.bulk_create(
            Keywords(site=site, account=site.account, keyword=k, cluster=made, status="mapped") for k in keywords
        )
        return made

    for n in range(MAX_EXISTING_NAMES + 10):  # larger than the batch's own topic, unrelated to it
        cluster(f"Lighthouse {n}", [f"lighthouse keeper {n} {m}" for m in range(5)])
    cluster("Cold Brew", [f"cold brew step {m}" for m in range(4)])
    moving = Keywords.objects.create(
        site=site, keyword="cold brew moving", cluster=Clusters.objects.get(name="Cold Brew")
    )

    existing = existing_members(site, ["cold brew recipe"], per_cluster=2, excluding=[moving.pk])

    assert len(existing) == MAX_EXISTING_NAMES
    assert existing["Cold Brew"] == ["cold brew step 3", "cold brew step 2"]  # newest first, the batch's own left out
    assert all(len(members) == 2 for members in existing.values())
