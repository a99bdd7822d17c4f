"""Every function end to end with the demo provider and the real database: statuses,
counts, exact credits from CreditCostConfig, ledger rows, and charging exactly once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from PIL import Image

from igny8_core.ai.functions import FUNCTION_NAMES, get_function
from igny8_core.ai.functions.auto_cluster import MAX_EXISTING_NAMES, existing_names
from igny8_core.ai.models import AIRequestLog
from igny8_core.billing.models import CreditCostConfig
from igny8_core.planner.models import Clusters, ContentIdeas, Keywords
from igny8_core.writer.models import Content, Images, Tasks

from .conftest import balance, deductions, make_cluster, make_content, make_idea, make_images, make_keywords, make_task

pytestmark = pytest.mark.django_db


def test_registry_matches_contract():
    assert FUNCTION_NAMES == (
        "auto_cluster",
        "generate_ideas",
        "queue_to_writer",
        "generate_content",
        "generate_image_prompts",
        "generate_images",
    )
    assert {n: get_function(n).max_batch for n in FUNCTION_NAMES} == {
        "auto_cluster": 20,
        "generate_ideas": 5,
        "queue_to_writer": 100,
        "generate_content": 1,
        "generate_image_prompts": 10,
        "generate_images": 10,
    }
    assert get_function("queue_to_writer").operation is None
    assert get_function("auto_cluster").operation == "clustering"


def test_auto_cluster_groups_maps_and_charges_per_keyword(engine, account, site):
    keywords = make_keywords(site)
    start = balance(account)

    result = engine.run("auto_cluster", [k.pk for k in keywords])

    clusters = {c.name: c for c in Clusters.objects.filter(site=site)}
    assert set(clusters) == {"Pour Coffee", "French Press", "Cold Brew", "Espresso Machine", "Latte Art"}
    cold_brew = set(Keywords.objects.filter(cluster=clusters["Cold Brew"]).values_list("keyword", flat=True))
    assert cold_brew == {"cold brew coffee recipe", "cold brew concentrate ratio", "cold brew coffee maker"}
    assert not Keywords.objects.filter(site=site, status="new").exists()
    assert not Keywords.objects.filter(site=site, cluster__isnull=True).exists()
    for cluster in clusters.values():
        assert cluster.keywords_count == cluster.keywords.count() > 0
    # 12 keywords at 1 credit per 5 keywords = 2.40, one ledger row.
    assert result.credits_used == Decimal("2.40")
    assert balance(account) == start - Decimal("2.40")
    [tx] = deductions(account)
    assert tx.amount == Decimal("-2.40") and tx.operation == "clustering" and tx.site_id == site.pk
    assert tx.idempotency_key.startswith("auto_cluster:keywords:")
    assert result.items_processed == 12 and result.items_failed == 0
    assert sorted(result.created_ids) == sorted(c.pk for c in clusters.values())
    assert result.stats == {"keywords_processed": 12, "clusters_created": 5, "keywords_mapped": 12}
    [row] = AIRequestLog.objects.filter(function="auto_cluster")
    assert row.success and row.provider == "demo" and row.credits == Decimal("2.40")
    assert row.prompt == "keyword_clusters@v2" and row.prompt_tokens > 0 and row.completion_tokens > 0
    assert row.item_ids == [k.pk for k in keywords]


def test_auto_cluster_reuses_existing_cluster_names_case_insensitively(engine, site):
    existing = Clusters.objects.create(site=site, name="cold BREW", status="mapped")
    keywords = make_keywords(site, ["cold brew recipe", "cold brew ratio", "latte art"])

    result = engine.run("auto_cluster", [k.pk for k in keywords])

    assert Clusters.objects.filter(site=site).count() == 2  # "Latte Art" is new
    existing.refresh_from_db()
    assert existing.keywords_count == 2
    assert existing.pk not in result.created_ids
    assert result.stats["clusters_created"] == 1


def test_auto_cluster_shows_the_model_the_clusters_of_its_topic_on_a_site_of_many_clusters(engine, site):
    Clusters.objects.bulk_create(  # larger, unrelated, though "tomato" and "plant" are inside their names
        Clusters(site=site, account=site.account, name=f"Lighthouse Ostomatology Transplanting {n}", keywords_count=50)
        for n in range(MAX_EXISTING_NAMES + 20)
    )
    Clusters.objects.create(site=site, name="Tomato Sauce", keywords_count=9, status="mapped")
    Clusters.objects.create(site=site, name="Tomato Plant", keywords_count=2, status="mapped")  # the run's own, small
    keywords = make_keywords(site, ["tomatoes turning yellow", "tomato plant care"])

    shown = existing_names(site, [k.keyword for k in keywords])

    assert len(shown) == MAX_EXISTING_NAMES
    assert shown[:2] == ["Tomato Plant", "Tomato Sauce"]  # related first, newest first; then the largest
    others = sorted(f"Lighthouse Ostomatology Transplanting {n}" for n in range(MAX_EXISTING_NAMES + 20))
    assert shown[2:] == others[: MAX_EXISTING_NAMES - 2]
    result = engine.run("auto_cluster", [k.pk for k in keywords])
    assert result.stats["clusters_created"] == 0  # both joined the cluster the model was shown
    assert Keywords.objects.filter(site=site, cluster__name="Tomato Plant").count() == 2


def clustering_answer(keywords):
    espresso, ratio, press, art, cold = (k.pk for k in keywords)
    return {
        "clusters": [
            {"name": "Espresso", "description": "Espresso drinks", "keyword_ids": [espresso, espresso]},
            {"name": "Brew  Ratio", "description": "Ratios", "keyword_ids": [ratio, espresso]},
            {"name": "french press", "description": "Presses", "keyword_ids": [press]},
            {"name": "LATTE ART", "description": "Art", "keyword_ids": [art]},
            {"name": "espresso", "description": "Again", "keyword_ids": [cold]},
        ]
    }


def test_auto_cluster_saves_a_batch_with_one_statement_per_step_whatever_its_clusters(engine, site):
    existing = Clusters.objects.create(site=site, name="French Press", status="mapped")
    keywords = make_keywords(site, ["espresso shot", "brew ratio", "best french press", "latte art", "cold espresso"])
    fn = get_function("auto_cluster")

    with CaptureQueriesContext(connection) as statements:
        saved = fn.save(engine.ctx, keywords, clustering_answer(keywords))

    # The names looked up at once, the new ones inserted at once (in a savepoint), the keywords
    # mapped and the clusters counted with one UPDATE each, the clustering method read.
    assert len(statements) == 7, [q["sql"] for q in statements]
    clusters = {c.name: c for c in Clusters.objects.filter(site=site)}
    assert set(clusters) == {"Espresso", "Brew Ratio", "French Press", "LATTE ART"}
    assert sorted(saved.created_ids) == sorted(clusters[name].pk for name in ("Espresso", "Brew Ratio", "LATTE ART"))
    cluster_of = dict(Keywords.objects.filter(site=site).values_list("keyword", "cluster__name"))
    assert cluster_of == {  # a keyword goes to the first proposal listing it; one name, one cluster
        "espresso shot": "Espresso",
        "brew ratio": "Brew Ratio",
        "best french press": "French Press",
        "latte art": "LATTE ART",
        "cold espresso": "Espresso",
    }
    assert {c.name: c.keywords_count for c in Clusters.objects.filter(site=site)} == {
        "Espresso": 2,
        "Brew Ratio": 1,
        "French Press": 1,
        "LATTE ART": 1,
    }
    assert existing.pk not in saved.created_ids and saved.stats == {"clusters_created": 3, "keywords_mapped": 5}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_auto_cluster_reuses_a_cluster_a_concurrent_batch_created_after_the_names_were_read(engine, site, monkeypatch):
    keywords = make_keywords(site, ["espresso shot", "brew ratio", "best french press", "latte art", "cold espresso"])
    bulk_create = Clusters.objects.bulk_create

    def twin(rows, **options):  # another batch commits "Latte Art" between our select and insert
        def create():
            Clusters.objects.create(site=site, name="Latte Art", status="mapped")
            connections.close_all()

        other = threading.Thread(target=create)
        other.start()
        other.join()
        return bulk_create(rows, **options)

    monkeypatch.setattr(Clusters.objects, "bulk_create", twin)

    saved = get_function("auto_cluster").save(engine.ctx, keywords, clustering_answer(keywords))

    twin = Clusters.objects.get(site=site, name="Latte Art")
    assert Keywords.objects.get(keyword="latte art").cluster_id == twin.pk
    assert twin.pk not in saved.created_ids and saved.stats["clusters_created"] == 3
    assert Clusters.objects.filter(site=site).count() == 4


def test_auto_cluster_skips_keywords_already_mapped_and_never_charges_twice(engine, account, site):
    keywords = make_keywords(
        site,
        COFFEE_SMALL := ["cold brew recipe", "cold brew ratio", "best french press", "french press ratio", "latte art"],
    )
    ids = [k.pk for k in keywords]
    first = engine.run("auto_cluster", ids)
    assert first.credits_used == Decimal("1.00")  # 5 keywords

    again = engine.run("auto_cluster", ids)

    assert again.credits_used == Decimal("0.00")
    assert again.items_processed == 0 and again.items_failed == len(COFFEE_SMALL)
    assert {f["code"] for f in again.failed} == {"not_pending"}
    assert len(deductions(account)) == 1
    assert AIRequestLog.objects.count() == 1  # no provider call for items already done


def test_generate_ideas_creates_ideas_and_maps_cluster(engine, account, site):
    clusters = [
        make_cluster(site, "Cold Brew"),
        make_cluster(site, "French Press", ("french press ratio", "best french press")),
    ]

    result = engine.run("generate_ideas", [c.pk for c in clusters])

    for cluster in clusters:
        cluster.refresh_from_db()
        assert cluster.status == "mapped"
        ideas = list(ContentIdeas.objects.filter(cluster=cluster))
        assert len(ideas) == 2
        for idea in ideas:
            assert idea.status == "new" and idea.site_id == site.pk and idea.idea_title
            assert idea.content_structure in {"guide", "how_to", "listicle", "comparison", "review", "article"}
            assert idea.target_keywords and set(idea.target_keywords) <= set(
                cluster.keywords.values_list("keyword", flat=True)
            )
    assert result.stats == {"clusters_processed": 2, "ideas_created": 4, "duplicates_skipped": 0}
    assert result.credits_used == Decimal("4.00")  # 2 per cluster
    assert [tx.amount for tx in deductions(account)] == [Decimal("-2.00"), Decimal("-2.00")]
    assert AIRequestLog.objects.filter(function="generate_ideas", success=True).count() == 2


def test_queue_to_writer_is_local_and_free(engine, account, site):
    cluster = make_cluster(site)
    ideas = [make_idea(site, cluster, f"Idea {n}") for n in range(3)]

    result = engine.run("queue_to_writer", [i.pk for i in ideas])

    assert result.stats == {"ideas_processed": 3, "tasks_created": 3}
    assert result.credits_used == Decimal("0.00") and deductions(account) == []
    for idea in ideas:
        idea.refresh_from_db()
        assert idea.status == "queued"
        task = Tasks.objects.get(idea=idea)
        assert (task.title, task.description, task.cluster_id, task.content_structure, task.status) == (
            idea.idea_title,
            idea.description,
            cluster.pk,
            idea.content_structure,
            "queued",
        )
        assert task.keywords == idea.target_keywords
    assert sorted(result.created_ids) == sorted(Tasks.objects.values_list("pk", flat=True))
    assert AIRequestLog.objects.count() == 0  # no AI request was made

    again = engine.run("queue_to_writer", [i.pk for i in ideas])
    assert again.items_processed == 0 and Tasks.objects.count() == 3


def test_queue_to_writer_query_count_is_bounded_per_idea(engine, site, django_assert_max_num_queries):
    ideas = [make_idea(site, None, f"Idea {n}") for n in range(20)]
    # 1 load + per idea: savepoint, lock, re-read, insert task, update idea, forget earlier
    # failures of the idea, release.
    with django_assert_max_num_queries(1 + 20 * 7):
        result = engine.run("queue_to_writer", [i.pk for i in ideas])
    assert result.stats["tasks_created"] == 20


def test_generate_content_writes_a_real_article(engine, account, site):
    cluster = make_cluster(site)
    idea = make_idea(site, cluster)
    idea.status = "queued"
    idea.save()
    task = make_task(site, idea=idea, cluster=cluster)

    result = engine.run("generate_content", [task.pk])

    content = Content.objects.get(task=task)
    html = content.html_content
    assert content.status == "draft" and content.cluster_id == cluster.pk
    assert "<h2>" in html and "<h3>" in html and ("<ul>" in html or "<ol>" in html)
    assert "Demo text" in html  # clearly marked as demo output
    assert content.meta_title and content.meta_description
    from igny8_core.ai.html import word_count

    assert content.word_count == word_count(html) >= 1200
    task.refresh_from_db()
    idea.refresh_from_db()
    assert task.status == "completed" and idea.status == "completed"
    expected = CreditCostConfig.objects.get(operation="content_generation").price(content.word_count)
    assert expected == Decimal((content.word_count + 499) // 500)  # 1 per 500 words, rounded up
    assert result.credits_used == expected
    [tx] = deductions(account)
    assert tx.amount == -expected
    assert tx.idempotency_key == f"generate_content:task:{task.pk}:content:{content.pk}"
    assert result.stats == {"tasks_processed": 1, "content_created": 1, "total_words": content.word_count}
    assert result.created_ids == [content.pk]


def test_generate_image_prompts_creates_pending_images(engine, account, site):
    contents = [make_content(site, "Cold Brew at Home"), make_content(site, "French Press Basics")]

    result = engine.run("generate_image_prompts", [c.pk for c in contents])

    for content in contents:
        images = list(Images.objects.filter(content=content).order_by("position"))
        assert [(i.image_type, i.position, i.status) for i in images] == [
            ("featured", 0, "pending"),
            ("in_article", 1, "pending"),
            ("in_article", 2, "pending"),
        ]
        assert all(i.prompt and i.alt_text for i in images)
        assert "Section 1" in images[1].prompt and "Section 2" in images[2].prompt
    assert result.stats == {"content_processed": 2, "prompts_created": 6}
    assert result.credits_used == Decimal("3.00")  # 0.5 per prompt
    assert [tx.amount for tx in deductions(account)] == [Decimal("-1.50"), Decimal("-1.50")]


def test_generate_images_stores_files_and_moves_content_to_review(engine, account, site):
    content = make_content(site)
    images = make_images(content, 2)

    first = engine.run("generate_images", [images[0].pk])
    content.refresh_from_db()
    assert content.status == "draft"  # one image still pending
    second = engine.run("generate_images", [images[1].pk])

    content.refresh_from_db()
    assert content.status == "review"
    assert first.stats["content_moved_to_review"] == 0 and second.stats["content_moved_to_review"] == 1
    for image in images:
        image.refresh_from_db()
        assert image.status == "generated" and image.error_message == ""
        assert image.file.name.startswith(f"images/{account.pk}/{site.pk}/content-{content.pk}-")
        with Image.open(image.file.path) as stored:
            assert stored.format == "JPEG" and stored.size == (640, 360) == (image.width, image.height)
        with Image.open(image.thumbnail.path) as thumb:
            assert max(thumb.size) == 200
    assert first.credits_used + second.credits_used == Decimal("4.00")  # 2 per image
    assert len(deductions(account)) == 2
    log = AIRequestLog.objects.filter(function="generate_images").first()
    assert log.model == "igny8-demo-image-v1" and log.success


def test_generate_images_charges_the_size_quality_variant(engine, account, site, demo):
    config = CreditCostConfig.objects.get(operation="image_generation")
    config.variant_costs = {demo.image_variant: "3.5"}
    config.save()
    content = make_content(site)
    [image] = make_images(content, 1)

    result = engine.run("generate_images", [image.pk])

    assert result.credits_used == Decimal("3.50")
    assert engine.estimate("generate_images", [image.pk]) == Decimal("0.00")  # nothing pending now


def test_costs_come_from_credit_cost_config(engine, account, site):
    CreditCostConfig.objects.filter(operation="idea_generation").update(cost=Decimal("7"))
    cluster = make_cluster(site)
    assert engine.estimate("generate_ideas", [cluster.pk]) == Decimal("7.00")
    result = engine.run("generate_ideas", [cluster.pk])
    assert result.credits_used == Decimal("7.00")


def test_whole_chain_keywords_to_review(engine, account, site):
    start = balance(account)
    keywords = make_keywords(site)
    engine.run("auto_cluster", [k.pk for k in keywords])
    clusters = list(Clusters.objects.filter(site=site).values_list("pk", flat=True))[:2]
    engine.run("generate_ideas", clusters)
    ideas = list(ContentIdeas.objects.filter(site=site).values_list("pk", flat=True))
    engine.run("queue_to_writer", ideas)
    task = Tasks.objects.filter(site=site).first()
    engine.run("generate_content", [task.pk])
    content = Content.objects.get(task=task)
    engine.run("generate_image_prompts", [content.pk])
    image_ids = list(Images.objects.filter(content=content).values_list("pk", flat=True))
    result = engine.run("generate_images", image_ids)

    content.refresh_from_db()
    assert content.status == "review"
    assert result.stats == {"images_processed": 3, "images_generated": 3, "content_moved_to_review": 1}
    spent = sum(-tx.amount for tx in deductions(account))
    assert balance(account) == start - spent
    expected = (
        Decimal("2.40")
        + Decimal("4.00")
        + Decimal((content.word_count + 499) // 500)
        + Decimal("1.50")
        + Decimal("6.00")
    )
    assert spent == expected
