"""GET/PUT /api/v1/billing/sites/{site_id}/ai-budget/."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
CUSTOM = {
    "clustering": 20,
    "idea_generation": 10,
    "content_generation": 40,
    "image_prompt_extraction": 5,
    "image_generation": 25,
}


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def url(site_id):
    return f"/api/v1/billing/sites/{site_id}/ai-budget/"


def test_get_defaults(api, alice_site):
    response = api.get(url(alice_site.id))
    assert response.status_code == 200
    body = response.json()
    assert body["use_global_defaults"] is True
    assert body["effective"] == {
        "clustering": 15.0,
        "idea_generation": 10.0,
        "content_generation": 40.0,
        "image_prompt_extraction": 5.0,
        "image_generation": 30.0,
    }
    assert body["global_defaults"] == body["effective"]


def test_put_custom_allocation(api, alice_site):
    response = api.put(url(alice_site.id), {"use_global_defaults": False, **CUSTOM}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["effective"] == {k: float(v) for k, v in CUSTOM.items()}
    assert api.get(url(alice_site.id)).json()["clustering"] == 20.0


def test_percentages_must_sum_to_100(api, alice_site):
    response = api.put(
        url(alice_site.id), {"use_global_defaults": False, **CUSTOM, "image_generation": 20}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "sum to 100" in body["non_field_errors"][0]
    assert api.get(url(alice_site.id)).json()["use_global_defaults"] is True


def test_field_errors(api, alice_site):
    response = api.put(url(alice_site.id), {"clustering": 150, "use_global_defaults": "maybe"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"clustering", "use_global_defaults"}


def test_other_accounts_site_is_404(api, bob_site):
    assert api.get(url(bob_site.id)).status_code == 404
    assert api.put(url(bob_site.id), {"use_global_defaults": False, **CUSTOM}, format="json").status_code == 404


def test_requires_authentication(alice_site):
    assert APIClient().get(url(alice_site.id)).status_code == 401


@pytest.mark.parametrize("bad", ["-20", "abc", "1.5", "0"])
def test_malformed_site_id_is_a_json_404(api, bad):
    response = api.get(f"/api/v1/billing/sites/{bad}/ai-budget/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
