"""Auth: token for scripts, session + CSRF for the dashboard, `me`, and 401 for anonymous calls."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_token_for_valid_credentials_is_stable_and_works(anon, alice):
    first = anon.post("/api/v1/auth/token/", {"username": "alice", "password": "alice-pw-12345"}, format="json")
    second = anon.post("/api/v1/auth/token/", {"username": "alice", "password": "alice-pw-12345"}, format="json")
    assert first.status_code == 200
    assert first.json() == {"token": Token.objects.get(user=alice).key} == second.json()

    anon.credentials(HTTP_AUTHORIZATION=f"Token {first.json()['token']}")
    me = anon.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "alice", "password": "wrong"}, "non_field_errors"),
        ({"username": "nobody", "password": "alice-pw-12345"}, "non_field_errors"),
        ({"username": "alice"}, "password"),
        ({}, "username"),
    ],
)
def test_token_rejects_bad_credentials_with_400(anon, alice, body, field):
    response = anon.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid" and field in data
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(anon, alice):
    alice.is_active = False
    alice.save()
    response = anon.post("/api/v1/auth/token/", {"username": "alice", "password": "alice-pw-12345"}, format="json")
    assert response.status_code == 400


def test_me_shape(api, alice):
    response = api.get("/api/v1/auth/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": alice.pk,
        "username": "alice",
        "email": "alice@example.com",
        "is_staff": False,
        "account": {"id": alice.account_id, "name": "Alice Inc", "credits_balance": "1000.00"},
    }


@pytest.mark.parametrize(
    "url", ["/api/v1/auth/me/", "/api/v1/sites/", "/api/v1/planner/keywords/", "/api/v1/billing/balance/"]
)
def test_anonymous_requests_get_401_with_token_challenge(anon, url):
    response = anon.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_wrong_token_is_401(anon, alice):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anon.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def csrf_client() -> tuple[APIClient, str]:
    client = APIClient(enforce_csrf_checks=True)
    response = client.get("/api/v1/auth/csrf/")
    assert response.status_code == 200
    token = response.cookies["csrftoken"].value
    assert response.json()["csrf_token"]
    return client, token


def test_session_login_needs_csrf(alice):
    client, _ = csrf_client()
    response = client.post("/api/v1/auth/login/", {"username": "alice", "password": "alice-pw-12345"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_session_login_flow_with_csrf(alice):
    client, csrf = csrf_client()
    response = client.post(
        "/api/v1/auth/login/",
        {"username": "alice", "password": "alice-pw-12345"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    csrf = client.cookies["csrftoken"].value  # login rotates the token

    assert client.get("/api/v1/auth/me/").status_code == 200
    # Unsafe requests of a session need the CSRF header too.
    body = {"name": "Session Site", "domain": "session.example.com"}
    assert client.post("/api/v1/sites/", body, format="json").status_code == 403
    assert client.post("/api/v1/sites/", body, format="json", HTTP_X_CSRFTOKEN=csrf).status_code == 201

    assert client.post("/api/v1/auth/logout/", HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_session_login_with_wrong_password_is_400(alice):
    client, csrf = csrf_client()
    response = client.post(
        "/api/v1/auth/login/", {"username": "alice", "password": "nope"}, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 400
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_logout_with_token_revokes_it(api, alice):
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert not Token.objects.filter(user=alice).exists()
    assert api.get("/api/v1/auth/me/").status_code == 401


def test_logout_when_anonymous_is_harmless(anon):
    assert anon.post("/api/v1/auth/logout/").status_code == 204


def test_session_answers_200_signed_out_and_signed_in(anon, api, alice):
    # The dashboard asks this before it knows: signed out is an ordinary answer, not a 401.
    assert anon.get("/api/v1/auth/session/").json() == {"authenticated": False, "user": None}
    body = api.get("/api/v1/auth/session/").json()
    assert body["authenticated"] is True and body["user"]["username"] == alice.username
    assert body["user"]["account"]["id"] == alice.account_id
