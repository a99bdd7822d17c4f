"""Engine semantics: input validation, credit checks before any provider call, per-item
failure isolation, request logs, estimates and the result object."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from igny8_core.accounts.models import Site
from igny8_core.ai.engine import AIEngine, AIResult
from igny8_core.ai.exceptions import InvalidInput, ProviderError
from igny8_core.ai.functions import get_function
from igny8_core.ai.models import AIRequestLog
from igny8_core.ai.providers.demo import DemoProvider
from igny8_core.billing.services import CreditService, InsufficientCredits
from igny8_core.planner.models import Clusters, Keywords
from igny8_core.writer.models import Content, Images, Tasks

from .conftest import balance, deductions, make_cluster, make_content, make_idea, make_images, make_keywords, make_task

pytestmark = pytest.mark.django_db


class SpyProvider(DemoProvider):
    """The demo provider, counting calls, with optional per-call failures or answer edits."""

    def __init__(self, fail_when=None, edit=None, on_call=None):
        super().__init__(image_size="320x180")
        self.calls = 0
        self.fail_when = fail_when or (lambda text: None)
        self.edit = edit or (lambda name, answer: answer)
        self.on_call = on_call or (lambda n: None)

    def _answer(self, schema_name, payload):
        self.calls += 1
        self.on_call(self.calls)
        error = self.fail_when(json.dumps(payload))
        if error:
            raise error
        return self.edit(schema_name, super()._answer(schema_name, payload))

    def generate_image(self, prompt, size=None, quality=None, *, title=""):
        self.calls += 1
        self.on_call(self.calls)
        error = self.fail_when(prompt)
        if error:
            raise error
        return super().generate_image(prompt, size, quality, title=title)


# --- validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "ids, message",
    [
        ([], "No keyword ids"),
        (None, "list of keyword ids"),
        ("12", "list of keyword ids"),
        (["abc"], "Invalid keyword id"),
        ([True], "Invalid keyword id"),
        ([0], "Invalid keyword id"),
        ([1.5], "Invalid keyword id"),
        (list(range(1, 22)), "At most 20 keyword ids"),
    ],
)
def test_bad_ids_are_rejected(engine, ids, message):
    with pytest.raises(InvalidInput, match=message):
        engine.run("auto_cluster", ids)


def test_ids_of_another_account_or_site_are_rejected(engine, account, site, bob_site):
    mine = make_keywords(site, ["cold brew"])[0]
    bobs = Keywords.objects.create(site=bob_site, keyword="bob keyword")
    other_site = Site.objects.create(account=account, name="Second", domain="second.example.com")
    theirs = Keywords.objects.create(site=other_site, keyword="other site keyword")
    for foreign in (bobs, theirs):
        with pytest.raises(InvalidInput, match=str(foreign.pk)):
            engine.run("auto_cluster", [mine.pk, foreign.pk])
    assert Keywords.objects.get(pk=mine.pk).status == "new"  # nothing happened
    with pytest.raises(InvalidInput, match="does not belong"):
        AIEngine(account, bob_site)
    with pytest.raises(InvalidInput, match="Unknown AI function"):
        engine.run("summon_demons", [mine.pk])


def test_duplicate_ids_are_processed_once(engine, site):
    keyword = make_keywords(site, ["cold brew"])[0]
    result = engine.run("auto_cluster", [keyword.pk, str(keyword.pk), keyword.pk])
    assert result.items_requested == 1 and result.items_processed == 1
    assert result.credits_used == Decimal("0.20")


# --- credits -------------------------------------------------------------------------


def test_insufficient_credits_refused_before_the_provider_is_called(account, site):
    CreditService.deduct(account, balance(account) - Decimal("4.99"), "test", description="drain")
    spy = SpyProvider()
    task = make_task(site)

    with pytest.raises(InsufficientCredits) as info:
        AIEngine(account, site, spy).run("generate_content", [task.pk])

    assert info.value.required == Decimal("5.00") and info.value.available == Decimal("4.99")
    assert spy.calls == 0
    task.refresh_from_db()
    assert task.status == "queued" and not Content.objects.exists()
    assert balance(account) == Decimal("4.99") and AIRequestLog.objects.count() == 0


def test_estimates(engine, site):
    keywords = make_keywords(site, [f"keyword number {n}" for n in range(7)])
    assert engine.estimate("auto_cluster", [k.pk for k in keywords]) == Decimal("1.40")
    task = make_task(site)
    assert engine.estimate("generate_content", [task.pk]) == Decimal("5.00")  # 2500 words max
    contents = [make_content(site, "A"), make_content(site, "B")]
    assert engine.estimate("generate_image_prompts", [c.pk for c in contents]) == Decimal("3.00")  # 2 x (1 + 2) x 0.5
    ideas = [make_idea(site)]
    assert engine.estimate("queue_to_writer", [i.pk for i in ideas]) == Decimal("0.00")
    Keywords.objects.filter(pk=keywords[0].pk).update(status="mapped")
    assert engine.estimate("auto_cluster", [k.pk for k in keywords]) == Decimal("1.20")  # pending only


def test_balance_drained_mid_batch_leaves_the_rest_pending(account, site):
    content = make_content(site)
    images = make_images(content, 3)
    CreditService.deduct(account, balance(account) - Decimal("6.00"), "test", description="drain")

    def drain_during_first_call(n):
        if n == 1:  # another process spends the account's credits meanwhile
            CreditService.deduct(account, Decimal("3.00"), "test", description="concurrent spend")

    result = AIEngine(account, site, SpyProvider(on_call=drain_during_first_call)).run(
        "generate_images", [i.pk for i in images]
    )

    statuses = [Images.objects.get(pk=i.pk).status for i in images]
    assert statuses == ["generated", "pending", "pending"]  # paid for one, the others wait for credits
    assert [f["code"] for f in result.failed] == ["insufficient_credits", "insufficient_credits"]
    assert result.credits_used == Decimal("2.00") and balance(account) == Decimal("1.00")
    content.refresh_from_db()
    assert content.status == "draft"


# --- per-item failures ---------------------------------------------------------------


def test_one_failing_image_does_not_lose_the_others(account, site):
    content = make_content(site)
    images = make_images(content, 3)
    spy = SpyProvider(
        fail_when=lambda prompt: ProviderError("content policy violation") if "view 1" in prompt else None
    )

    result = AIEngine(account, site, spy).run("generate_images", [i.pk for i in images])

    states = {i.position: (i.status, i.error_message) for i in Images.objects.filter(content=content)}
    assert states == {0: ("generated", ""), 1: ("failed", "content policy violation"), 2: ("generated", "")}
    assert result.items_processed == 2 and result.items_failed == 1
    assert result.failed == [
        {"id": images[1].pk, "error": "content policy violation", "code": "provider_error", "attempts": 1}
    ]
    assert result.credits_used == Decimal("4.00") and len(deductions(account)) == 2
    assert result.stats["images_processed"] == 3 and result.stats["images_generated"] == 2
    logs = AIRequestLog.objects.filter(function="generate_images")
    assert logs.filter(success=True).count() == 2
    assert logs.get(success=False).error == "content policy violation"
    content.refresh_from_db()
    assert content.status == "review"


def test_one_failing_task_is_marked_failed(account, site):
    good, bad = make_task(site, "Good article"), make_task(site, "Bad article")
    spy = SpyProvider(fail_when=lambda text: ProviderError("model overloaded") if "Bad article" in text else None)
    engine = AIEngine(account, site, spy)

    assert engine.run("generate_content", [good.pk]).items_processed == 1
    result = engine.run("generate_content", [bad.pk])

    bad.refresh_from_db()
    assert bad.status == "failed" and bad.error_message == "model overloaded"
    assert result.items_failed == 1 and result.credits_used == 0
    assert Content.objects.filter(task=good).exists() and not Content.objects.filter(task=bad).exists()
    # A failed task left the queue: a retry skips it instead of calling the provider again.
    calls = spy.calls
    assert engine.run("generate_content", [bad.pk]).failed[0]["code"] == "not_pending" and spy.calls == calls


def test_unusable_answer_for_one_content_keeps_the_other(account, site):
    first, second = make_content(site, "First"), make_content(site, "Second")

    def blank_featured_for_second(name, answer):
        if name == "image_prompts" and "Second" in answer["featured"]["prompt"]:
            answer["featured"]["prompt"] = "   "
        return answer

    result = AIEngine(account, site, SpyProvider(edit=blank_featured_for_second)).run(
        "generate_image_prompts", [first.pk, second.pk]
    )

    assert Images.objects.filter(content=first).count() == 3
    assert not Images.objects.filter(content=second).exists()
    assert result.failed == [
        {
            "id": second.pk,
            "code": "invalid_output",
            "error": "The model gave no prompt for the featured image.",
            "attempts": 1,
        }
    ]
    assert result.credits_used == Decimal("1.50") and result.stats["prompts_created"] == 3


def test_keywords_left_out_by_the_model_stay_new_and_unpaid(account, site):
    keywords = make_keywords(site, ["cold brew recipe", "cold brew ratio", "latte art"])
    left_out = keywords[2].pk

    def drop_latte(name, answer):
        for cluster in answer["clusters"]:
            cluster["keyword_ids"] = [i for i in cluster["keyword_ids"] if i != left_out]
        answer["clusters"] = [c for c in answer["clusters"] if c["keyword_ids"]]
        return answer

    result = AIEngine(account, site, SpyProvider(edit=drop_latte)).run("auto_cluster", [k.pk for k in keywords])

    assert Keywords.objects.get(pk=left_out).status == "new"
    assert result.items_processed == 2 and result.credits_used == Decimal("0.40")
    assert result.failed == [
        {
            "id": left_out,
            "code": "invalid_output",
            "error": "The model did not assign this keyword to a cluster.",
            "attempts": 1,
        }
    ]
    assert result.stats["keywords_processed"] == 3 and result.stats["keywords_mapped"] == 2


def test_unknown_keyword_ids_in_the_answer_are_ignored(account, site, bob_site):
    keywords = make_keywords(site, ["cold brew recipe", "cold brew ratio"])
    bobs = Keywords.objects.create(site=bob_site, keyword="bob's keyword")

    def inject(name, answer):
        answer["clusters"][0]["keyword_ids"].append(bobs.pk)
        return answer

    AIEngine(account, site, SpyProvider(edit=inject)).run("auto_cluster", [k.pk for k in keywords])
    bobs.refresh_from_db()
    assert bobs.cluster_id is None and bobs.status == "new"
    assert not Clusters.objects.filter(site=bob_site).exists()


def test_error_while_saving_fails_the_unit_and_removes_its_files(account, site, monkeypatch, settings):
    content = make_content(site)
    images = make_images(content, 2)
    fn = get_function("generate_images")
    original = type(fn).save

    def broken_save(self, ctx, unit, stored):
        if unit[0].position == 0:
            raise RuntimeError("disk quota exceeded")
        return original(self, ctx, unit, stored)

    monkeypatch.setattr(type(fn), "save", broken_save)
    result = AIEngine(account, site, SpyProvider()).run("generate_images", [i.pk for i in images])

    assert result.failed[0]["id"] == images[0].pk and "disk quota exceeded" in result.failed[0]["error"]
    assert Images.objects.get(pk=images[0].pk).status == "failed"
    assert Images.objects.get(pk=images[1].pk).status == "generated"
    stored = sorted(p.name for p in (settings.MEDIA_ROOT).rglob("*.jpg"))
    assert len(stored) == 2 and all(f"-{images[1].position}-" in name for name in stored)  # image + thumbnail


def test_local_function_needs_no_provider(settings, account, site):
    settings.IGNY8_AI_PROVIDER, settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = "openai", "", None
    idea = make_idea(site)
    result = AIEngine(account, site).run("queue_to_writer", [idea.pk])
    assert result.items_processed == 1 and Tasks.objects.filter(idea=idea).exists()
    with pytest.raises(ProviderError, match="OPENAI_API_KEY"):
        AIEngine(account, site).run("generate_ideas", [make_cluster(site).pk])


def test_a_batch_of_ideas_is_queued_in_one_transaction_whatever_its_size(account, site):
    cluster = make_cluster(site)

    def queue(count: int) -> int:
        ideas = [make_idea(site, cluster, title=f"Cold Brew, Part {count}-{n}") for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            result = AIEngine(account, site).run("queue_to_writer", [idea.pk for idea in ideas])
        assert result.items_processed == count and result.stats["tasks_created"] == count
        tasks = {task.idea_id: task for task in Tasks.objects.filter(idea__in=ideas)}
        assert all(tasks[idea.pk].title == idea.idea_title and tasks[idea.pk].status == "queued" for idea in ideas)
        assert set(Tasks.objects.filter(idea__in=ideas).values_list("cluster_id", flat=True)) == {cluster.pk}
        return len(queries.captured_queries)

    assert queue(2) == queue(12)  # one locking read, one insert, one update: not one set per idea


def test_result_to_dict_is_json_safe(engine, site):
    keyword = make_keywords(site, ["cold brew"])[0]
    data = engine.run("auto_cluster", [keyword.pk]).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["credits_used"] == "0.20" and data["function"] == "auto_cluster"
    assert set(data) == {
        "function",
        "items_requested",
        "items_processed",
        "items_failed",
        "created_ids",
        "failed",
        "credits_used",
        "stats",
        "not_attempted",
        "prompt_tokens",
        "completion_tokens",
        "provider_cost",
        "notes",
    }
    assert isinstance(AIResult("x", 0).credits_used, Decimal)


@pytest.mark.django_db
def test_should_stop_is_asked_between_items_and_leaves_the_rest_pending(engine, account, site):
    images = make_images(make_content(site), count=3)
    asked = []

    def stop_after_first():
        asked.append(True)
        return True

    result = engine.run("generate_images", [i.pk for i in images], should_stop=stop_after_first)

    assert len(asked) == 1  # not before the first item, then once
    assert result.items_processed == 1 and result.items_failed == 0
    assert result.not_attempted == [images[1].pk, images[2].pk]
    statuses = list(
        Images.objects.filter(pk__in=[i.pk for i in images]).order_by("position").values_list("status", flat=True)
    )
    assert statuses == ["generated", "pending", "pending"]
    assert len(deductions(account)) == 1
