"""The answers of every GET endpoint after a real pipeline run match the OpenAPI schema exactly: every key the server sends
is documented (no undocumented extras) with its documented type, and every required key is
there. The dashboard's types are generated from that schema, so this keeps them true."""

from typing import Any

import jsonschema
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from igny8_core.health import record_worker_seen
from igny8_core.publishing.models import PublishingSettings

from .helpers import add_keywords, demo_engine, execute, fast_config

pytestmark = pytest.mark.django_db
AUTOMATION = "/api/v1/automation"
# Not JSON objects: the CSRF cookie probe answers 204 and the docs pages are HTML.
SKIPPED = {"/api/v1/auth/csrf/", "/api/v1/schema/", "/api/v1/docs/"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def strict(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null alternative, and an object
    with documented properties refuses undocumented keys."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strict(value) for key, value in node.items() if key not in ("nullable", "readOnly", "writeOnly")}
    if out.get("properties") and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _leaves(error):
    """The innermost reasons (a null alternative's "is not of type 'null'" left out)."""
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub) if leaf.validator_value != "null"]


def check(schema: dict, response, path: str, method: str = "get") -> None:
    assert response.status_code == 200, response.content
    answer = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    document = {"components": strict(schema["components"]), **strict(answer)}
    errors = [
        f"{'/'.join(map(str, leaf.absolute_path))}: {leaf.message}"
        for error in jsonschema.Draft7Validator(document).iter_errors(response.json())
        for leaf in _leaves(error)
    ]
    assert errors == [], f"{method.upper()} {path} does not match its schema"


def test_a_finished_run_matches_the_schema(schema, alice, small_site):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=alice)[0].key}")
    add_keywords(small_site, 6)
    fast_config(small_site)
    settings = PublishingSettings.for_site(small_site)
    settings.auto_approval_enabled = True  # the review gate's extras (approvals, scheduling)
    settings.save()
    site = {"site_id": small_site.pk}
    for name in ("run_progress", "pipeline_overview", "estimate", "current_processing"):
        check(schema, api.get(f"{AUTOMATION}/{name}/", site), f"{AUTOMATION}/{name}/")  # before any run

    from igny8_core.automation.service import AutomationService

    run = AutomationService.start_automation(small_site)
    execute(run, demo_engine(small_site))
    run.refresh_from_db()
    assert run.status == "completed" and run.stage_7_result["approved_count"] > 0
    record_worker_seen()  # the health answer then reports a worker
    first_ids: dict[str, int] = {}
    for path, operations in schema["paths"].items():
        if "get" not in operations or path in SKIPPED:
            continue
        if "{id}" in path:
            listing = path.replace("{id}/", "")
            first_ids.setdefault(listing, api.get(listing, site).json()["results"][0]["id"])
            url = path.replace("{id}", str(first_ids[listing]))
        else:
            url = path.replace("{site_id}", str(small_site.pk))
        check(schema, api.get(url, site), path)


def test_pause_resume_and_cancel_answers_match_the_schema(schema, alice, alice_site):
    from igny8_core.automation.models import AutomationRun, RunStatus, new_run_id

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=alice)[0].key}")
    run = AutomationRun.objects.create(
        account_id=alice_site.account_id, site=alice_site, run_id=new_run_id("manual"), status=RunStatus.RUNNING
    )
    for action in ("pause", "resume", "cancel"):
        path = f"{AUTOMATION}/{action}/"
        check(schema, api.post(path, {"site_id": alice_site.pk, "run_id": run.run_id}, format="json"), path, "post")


def test_an_undocumented_key_is_caught(schema, alice, alice_site):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=alice)[0].key}")
    response = api.get(f"{AUTOMATION}/pipeline_overview/", {"site_id": alice_site.pk})
    response.json = lambda: {**response.data, "surprise": 1}  # type: ignore[method-assign]
    with pytest.raises(AssertionError, match="does not match"):
        check(schema, response, f"{AUTOMATION}/pipeline_overview/")
