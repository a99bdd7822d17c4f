"""run_detail, failed_items and retry_failed: what a run failed on, why, what it leaves
missing, and the user's retry - tenant-scoped, 400 on bad input, 409 while a run is active."""

import pytest

from igny8_core.ai.exceptions import MalformedOutput, RateLimited
from igny8_core.ai.models import ItemFailure
from igny8_core.ai.providers.demo import DemoProvider
from igny8_core.automation.models import RunStatus
from igny8_core.automation.service import AutomationService
from igny8_core.writer.models import Content, Images, Tasks

from .helpers import add_keywords, demo_engine, fast_config, start_and_execute
from .test_api import BASE, client_for

pytestmark = pytest.mark.django_db


class Flaky(DemoProvider):
    """The demo provider, failing the first article and every featured image."""

    def __init__(self, **kwargs):
        super().__init__(image_size="240x135", **kwargs)
        self.articles = 0

    def complete_json(self, messages, schema, schema_name="", **kwargs):
        if schema_name == "article":
            self.articles += 1
            if self.articles == 1:
                raise MalformedOutput("model answered garbage twice")
        return super().complete_json(messages, schema, schema_name=schema_name, **kwargs)

    def generate_image(self, prompt, size=None, quality=None, *, title=""):
        if Content.objects.filter(title=title).exists():  # the featured image is drawn with the title
            raise RateLimited("HTTP 429 after 5 attempts", transient=False)
        return super().generate_image(prompt, size, quality, title=title)


@pytest.fixture
def api(alice):
    return client_for(alice)


@pytest.fixture
def failed_run(small_site, settings):
    settings.AI_MAX_ITEM_ATTEMPTS = 1  # out of attempts at once: they wait for the user
    add_keywords(small_site, 6)
    fast_config(small_site)
    return start_and_execute(small_site, engine=demo_engine(small_site, provider=Flaky()))


def test_run_detail_has_the_run_its_failed_items_and_what_remains(api, failed_run, small_site):
    response = api.get(f"{BASE}/run_detail/", {"site_id": small_site.pk, "run_id": failed_run.run_id})

    assert response.status_code == 200, response.json()
    body = response.json()
    run = body["run"]
    assert run["run_id"] == failed_run.run_id and run["status"] == RunStatus.COMPLETED
    assert {"initial_snapshot", "stopped_reason", "error_message", "started_at", "completed_at"} <= set(run)
    assert all(f"stage_{n}_result" in run for n in range(1, 8)) and run["total_credits_used"]
    codes = {(item["stage"], item["item_type"], item["code"]) for item in body["failed_items"]}
    assert (4, "task", "malformed_output") in codes and (6, "image", "rate_limited") in codes
    assert body["failed_items_count"] == len(body["failed_items"]) == ItemFailure.objects.count()
    task_item = next(item for item in body["failed_items"] if item["stage"] == 4)
    task = Tasks.objects.get(pk=task_item["id"])
    assert task_item["title"] == task.title and task_item["attempts"] == 1 and task_item["retries_left"] == 0
    assert task_item["missing"] == "The idea's article is not written yet." and task_item["run_id"] == run["run_id"]
    image_item = next(item for item in body["failed_items"] if item["stage"] == 6)
    assert "is missing its featured image" in image_item["missing"]
    assert body["remaining"] == {f"stage_{n}": 0 for n in range(1, 7)} | {"stage_7": body["remaining"]["stage_7"]}


def test_failed_items_pages_and_filters(api, failed_run, small_site):
    all_items = api.get(f"{BASE}/failed_items/", {"site_id": small_site.pk}).json()
    assert all_items["count"] == ItemFailure.objects.count() >= 2
    assert set(all_items["results"][0]) == {
        "stage",
        "item_type",
        "id",
        "title",
        "error",
        "code",
        "attempts",
        "retries_left",
        "failed_at",
        "missing",
        "run_id",
    }
    page = api.get(f"{BASE}/failed_items/", {"site_id": small_site.pk, "page_size": 1}).json()
    assert len(page["results"]) == 1 and page["next"]
    stage_4 = api.get(f"{BASE}/failed_items/", {"site_id": small_site.pk, "stage": 4}).json()
    assert stage_4["count"] == 1 and stage_4["results"][0]["item_type"] == "task"
    of_run = api.get(f"{BASE}/failed_items/", {"site_id": small_site.pk, "run_id": failed_run.run_id}).json()
    assert of_run["count"] == all_items["count"]
    assert api.get(f"{BASE}/failed_items/", {"site_id": small_site.pk, "stage": 9}).status_code == 400
    assert api.get(f"{BASE}/failed_items/", {"site_id": small_site.pk, "run_id": "run_nope"}).status_code == 404


def test_retry_failed_brings_the_items_back_and_the_next_run_does_them(api, failed_run, small_site, settings):
    task = Tasks.objects.get(site=small_site, status=Tasks.Status.FAILED)
    failed_images = Images.objects.filter(site=small_site, status=Images.Status.FAILED).count()
    assert failed_images > 0 and Content.objects.filter(site=small_site, status="review").exists()

    only_one = api.post(f"{BASE}/retry_failed/?site_id={small_site.pk}", {"stage": 4, "ids": [task.pk]}, format="json")
    assert only_one.status_code == 200 and only_one.json() == {"requeued": {"stage_4": 1}, "total": 1}
    task.refresh_from_db()
    assert task.status == Tasks.Status.QUEUED and task.error_message == ""

    rest = api.post(f"{BASE}/retry_failed/?site_id={small_site.pk}", {}, format="json").json()
    assert rest["requeued"]["stage_6"] == failed_images == rest["total"]
    assert ItemFailure.objects.count() == 0
    assert not Images.objects.filter(site=small_site, status=Images.Status.FAILED).exists()
    drafts = Content.objects.filter(site=small_site, status="draft", images__status="pending").distinct()
    assert drafts.count() == rest["total"]  # back from review: they wait for their image again

    settings.AI_MAX_ITEM_ATTEMPTS = 3
    again = start_and_execute(small_site, engine=demo_engine(small_site))
    assert again.status == RunStatus.COMPLETED
    assert Content.objects.filter(task=task).exists()
    assert not Images.objects.filter(site=small_site).exclude(status="generated").exists()


def test_retry_failed_input_errors_conflict_and_tenancy(api, failed_run, small_site, bob, bob_site):
    url = f"{BASE}/retry_failed/?site_id={small_site.pk}"
    assert api.post(url, {"ids": [1]}, format="json").json()["stage"]  # ids need their stage
    assert api.post(url, {"stage": 3}, format="json").status_code == 400
    assert api.post(url, {"stage": 4, "ids": ["x"]}, format="json").status_code == 400
    assert api.post(url, {"stages": 4}, format="json").status_code == 400
    assert api.post(f"{BASE}/retry_failed/?site_id={bob_site.pk}", {}, format="json").status_code == 404
    assert api.get(f"{BASE}/failed_items/", {"site_id": bob_site.pk}).status_code == 404
    assert api.get(f"{BASE}/run_detail/", {"site_id": bob_site.pk}).status_code == 404
    bob_api = client_for(bob)
    assert bob_api.get(f"{BASE}/run_detail/", {"run_id": failed_run.run_id, "site_id": bob_site.pk}).status_code == 404

    run = AutomationService.start_automation(small_site)
    response = api.post(url, {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "already_running"
    assert response.json()["run_id"] == run.run_id
    assert ItemFailure.objects.exists()  # nothing was requeued
