"""Throttles: password checks per client IP, Run Now per user; 429 with Retry-After."""

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from igny8_core.api.throttles import RunNowThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"auth_token": "20/min", "run_now": "10/min", **rates},
        }

    return set_rates


def test_token_endpoint_is_throttled_per_ip(anon, alice, rates):
    rates(auth_token="3/min")
    body = {"username": "alice", "password": "wrong"}
    codes = [anon.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    blocked = anon.post("/api/v1/auth/token/", {"username": "alice", "password": "alice-pw-12345"}, format="json")
    assert blocked.status_code == 429  # even the right password waits: no guessing race
    assert blocked.json()["code"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    # Another client address has its own budget.
    other = anon.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "alice-pw-12345"},
        format="json",
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 200


def test_login_shares_the_password_budget(anon, alice, rates):
    rates(auth_token="2/min")
    assert anon.post("/api/v1/auth/token/", {"username": "a", "password": "b"}, format="json").status_code == 400
    assert anon.post("/api/v1/auth/login/", {"username": "a", "password": "b"}, format="json").status_code == 400
    assert anon.post("/api/v1/auth/login/", {"username": "a", "password": "b"}, format="json").status_code == 429


def test_default_token_rate_is_20_per_minute(anon, alice):
    codes = [
        anon.post("/api/v1/auth/token/", {"username": "alice", "password": "alice-pw-12345"}, format="json").status_code
        for _ in range(21)
    ]
    assert codes == [200] * 20 + [429]


class _StartView(APIView):
    throttle_classes = [RunNowThrottle]

    def post(self, request):
        return Response({"started": True}, status=202)


def test_run_now_throttle_class_counts_per_user(alice, bob, rates):
    rates(run_now="2/min")
    factory, view = APIRequestFactory(), _StartView.as_view()

    def start(user):
        request = factory.post("/start/")
        force_authenticate(request, user=user)
        return view(request).status_code

    assert [start(alice) for _ in range(3)] == [202, 202, 429]
    assert start(bob) == 202


def test_run_now_endpoint_burst_is_throttled(api, alice_site):
    """A burst of Run Now clicks: one run starts, the rest are 409 until the throttle answers 429."""
    codes = [api.post(f"/api/v1/automation/run_now/?site_id={alice_site.pk}").status_code for _ in range(12)]
    assert 429 in codes, codes
    assert codes.count(202) <= 1
    assert set(codes) <= {202, 402, 409, 429}


def _guess(anon, password="wrong", **headers):
    body = {"username": "alice", "password": password}
    return anon.post("/api/v1/auth/token/", body, format="json", **headers).status_code


def test_forged_forwarded_for_never_resets_the_password_throttle(anon, alice, rates, settings):
    """With no proxy in front (NUM_PROXIES=0) the socket address is the client: a new
    X-Forwarded-For on every guess does not buy new guesses, nor a token for the right password."""
    settings.NUM_PROXIES = 0
    rates(auth_token="5/min")
    codes = [_guess(anon, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}") for n in range(30)]
    assert codes == [400] * 5 + [429] * 25
    assert _guess(anon, "alice-pw-12345", HTTP_X_FORWARDED_FOR="203.0.113.77") == 429
    assert _guess(anon, "alice-pw-12345", REMOTE_ADDR="10.0.0.9") == 200  # another socket address


def test_behind_one_proxy_the_hop_it_appended_is_the_client(anon, alice, rates, settings):
    """NUM_PROXIES=1: the proxy appends the address it saw; what the client wrote before it is ignored."""
    settings.NUM_PROXIES = 1
    rates(auth_token="3/min")
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    forged = [_guess(anon, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7", **proxy) for n in range(5)]
    assert forged == [400, 400, 400, 429, 429]
    # Another real client behind the same proxy has its own budget.
    assert _guess(anon, "alice-pw-12345", HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy) == 200
    # A request without the header (it bypassed the proxy) counts by its socket address.
    assert _guess(anon, "alice-pw-12345", REMOTE_ADDR="198.51.100.7") == 429
    assert _guess(anon, "alice-pw-12345", REMOTE_ADDR="198.51.100.9") == 200


def test_client_ip_rule():
    from types import SimpleNamespace

    from django.test import override_settings

    from igny8_core.api.throttles import client_ip

    request = SimpleNamespace(META={"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2, 3.3.3.3"})
    expected = {0: "172.18.0.5", 1: "3.3.3.3", 2: "2.2.2.2", 3: "1.1.1.1", 4: "172.18.0.5"}
    for hops, address in expected.items():
        with override_settings(NUM_PROXIES=hops):
            assert client_ip(request) == address, hops
