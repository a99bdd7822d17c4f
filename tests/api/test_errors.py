"""The one JSON error shape everywhere: {"detail", "code"} (+ field errors for 400)."""

import pytest

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/v1/no/such/thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_missing_trailing_slash_gets_a_hint(api):
    response = api.post("/api/v1/sites", {"name": "x", "domain": "x.example.com"}, format="json")
    assert response.status_code == 404
    assert "/api/v1/sites/" in response.json()["detail"]


def test_malformed_object_id_is_a_json_404(api):
    response = api.get("/api/v1/planner/keywords/abc/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_wrong_method_is_405_with_code(api):
    response = api.delete("/api/v1/writer/content/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_validation_error_shape(api):
    response = api.post("/api/v1/sites/", {"name": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input." and body["code"] == "invalid"
    assert set(body) >= {"name", "domain"}


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/sites/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_too_many_form_fields_is_a_json_400(api):
    body = "&".join(f"ids={i}" for i in range(1, 1200))
    response = api.post("/api/v1/writer/content/bulk_approve/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_oversized_json_body_is_a_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/planner/keywords/bulk_delete/", {"ids": list(range(1, 500))}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
