"""Server-side requests to internal addresses (SSRF) are refused: WordPress save/test/publish and
image downloads, including host names that resolve inside, redirects and DNS rebinding."""

import socket

import pytest
from publishing.conftest import make_content
from rest_framework.test import APIClient

from igny8_core.ai.exceptions import ProviderError
from igny8_core.ai.providers.openai import OpenAIProvider
from igny8_core.outbound import OutboundURLRefused, check_url, outbound_session
from igny8_core.publishing.models import WordPressConnection
from igny8_core.publishing.publisher import publish_content
from igny8_core.writer.models import Content

from .http_servers import recording_server

pytestmark = pytest.mark.django_db

WP_USER = b'{"id": 1, "name": "ed", "capabilities": {"publish_posts": true}}'
INTERNAL = [
    "http://127.0.0.1:9107/anything",
    "http://localhost/",  # a host name resolving to loopback
    "http://10.1.2.3/",
    "http://192.168.1.10/wp",
    "http://169.254.169.254/latest",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://2130706433/",  # 127.0.0.1 written as a number
    "http://0.0.0.0/",
    "http://224.0.0.1/",
]


@pytest.fixture(autouse=True)
def _strict_policy(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    settings.OUTBOUND_ALLOWED_ADDRESSES = []


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused(url):
    with pytest.raises(OutboundURLRefused, match="private or local address|cloud metadata"):
        check_url(url)


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "http://u:p@203.0.113.9/", "http:///x"])
def test_other_schemes_credentials_and_hostless_urls_are_refused(url):
    with pytest.raises(OutboundURLRefused):
        check_url(url)


def test_public_address_is_allowed_and_resolved_once():
    checked = check_url("https://8.8.8.8:8443/wp/")
    assert (checked.address, checked.port, checked.host_header) == ("8.8.8.8", 8443, "8.8.8.8:8443")


def test_allow_private_opens_the_intranet_but_not_loopback_or_metadata(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    assert check_url("http://10.1.2.3/").address == "10.1.2.3"
    assert check_url("http://192.168.1.10/").address == "192.168.1.10"
    for url in ("http://127.0.0.1/", "http://169.254.169.254/latest", "http://100.100.100.200/"):
        with pytest.raises(OutboundURLRefused):
            check_url(url)


def test_allow_list_entry_with_a_port_allows_that_port_only(settings):
    settings.OUTBOUND_ALLOWED_ADDRESSES = ["127.0.0.1:8080", "[::1]:9000"]
    assert check_url("http://127.0.0.1:8080/").address == "127.0.0.1"
    assert check_url("http://[::1]:9000/").address == "::1"
    with pytest.raises(OutboundURLRefused):
        check_url("http://127.0.0.1:8081/")


@pytest.mark.parametrize("url", ["http://127.0.0.1:9107/anything", "http://169.254.169.254/latest", "http://10.0.0.5"])
def test_saving_an_internal_wordpress_address_is_a_400(api, alice_site, url):
    response = api.put(
        f"/api/v1/publishing/wordpress/?site_id={alice_site.id}",
        {"url": url, "username": "u", "app_password": "secret pw"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["url"][0].endswith("; the server does not connect there.")
    assert not WordPressConnection.objects.filter(site=alice_site).exists()


def test_testing_a_loopback_wordpress_sends_nothing(api, alice_site):
    with recording_server(body=WP_USER) as listener:
        response = api.post(
            f"/api/v1/publishing/wordpress/test/?site_id={alice_site.id}",
            {"url": listener.url + "/anything", "username": "u", "app_password": "secret pw"},
            format="json",
        )
    assert response.status_code == 400
    assert "private or local address" in response.json()["url"][0]
    assert listener.received == []  # the credentials never left


def test_a_redirect_to_an_internal_address_is_refused(settings):
    with recording_server(body=b"internal secret") as internal:
        location = {"Location": internal.url + "/latest/meta-data/"}
        with recording_server(status=302, body=b"", headers=location) as public:
            settings.OUTBOUND_ALLOWED_ADDRESSES = [f"127.0.0.1:{public.port}"]  # stands for a public server
            with pytest.raises(OutboundURLRefused, match="private or local address"):
                outbound_session().get(public.url + "/start", timeout=5)
    assert len(public.received) == 1 and internal.received == []


def test_wordpress_redirecting_inside_fails_the_publish_permanently(settings, alice_site):
    with recording_server(body=b"internal secret") as internal:
        location = {"Location": internal.url + "/"}
        with recording_server(status=307, body=b"", headers=location) as public:
            settings.OUTBOUND_ALLOWED_ADDRESSES = [f"127.0.0.1:{public.port}"]
            connection = WordPressConnection(site=alice_site, url=public.url, username="ed")
            connection.application_password = "secret pw"
            connection.save()
            content = make_content(alice_site, in_article=0, featured=False)
            assert publish_content(content.id) == "failed"
    content.refresh_from_db()
    assert "private or local address" in content.publish_error and "permanent" in content.publish_error
    assert internal.received == []


def test_an_internal_connection_saved_earlier_is_never_published_to(alice_site):
    with recording_server(body=WP_USER) as listener:
        connection = WordPressConnection(site=alice_site, url=listener.url, username="ed")
        connection.application_password = "secret pw"
        connection.save()  # straight to the database, as before the policy existed
        content = make_content(alice_site, in_article=0, featured=False)
        assert publish_content(content.id) == "failed"
    content.refresh_from_db()
    assert content.site_status == Content.SiteStatus.FAILED
    assert "private or local address" in content.publish_error
    assert listener.received == []


def test_the_connection_goes_to_the_checked_address_not_a_second_dns_answer(settings, monkeypatch):
    """DNS rebinding: the name resolves to an allowed address when checked and to an internal one
    when connecting. The connection must use the checked address."""
    with recording_server(body=b"{}") as allowed, recording_server(host="127.0.0.2", port=allowed.port) as internal:
        settings.OUTBOUND_ALLOWED_ADDRESSES = [f"127.0.0.1:{allowed.port}"]
        real_getaddrinfo, answers = socket.getaddrinfo, iter(["127.0.0.1"])

        def rebinding(host, port, *args, **kwargs):
            if host == "rebind.test":
                host = next(answers, "127.0.0.2")  # first answer checked, every later one internal
            return real_getaddrinfo(host, port, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        response = outbound_session().get(f"http://rebind.test:{allowed.port}/x", timeout=5)
    assert response.status_code == 200
    assert internal.received == []
    assert allowed.received[0][2]["Host"] == f"rebind.test:{allowed.port}"


def test_wordpress_errors_never_echo_the_remote_body(settings, api, alice_site):
    body = b'{"error": {"message": "internal-secret-token"}, "code": "rest_forbidden"}'
    with recording_server(status=404, body=body) as server:
        settings.OUTBOUND_ALLOWED_ADDRESSES = [f"127.0.0.1:{server.port}"]
        result = api.post(
            f"/api/v1/publishing/wordpress/test/?site_id={alice_site.id}",
            {"url": server.url, "username": "u", "app_password": "pw"},
            format="json",
        ).json()
    assert result["ok"] is False
    assert "404 Not Found" in result["detail"] and "(rest_forbidden)" in result["detail"]
    assert "internal-secret-token" not in result["detail"]


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/iam", "http://127.0.0.1:6379/"])
def test_provider_image_urls_pointing_inside_are_not_downloaded(url):
    provider = OpenAIProvider(api_key="sk-test", max_retries=0)
    with pytest.raises(ProviderError, match="Refusing to download"):
        provider._download(url)


def test_provider_image_redirected_inside_is_not_downloaded(settings):
    with recording_server(body=b"secret") as internal:
        redirect = {"Location": internal.url + "/img.png"}
        with recording_server(status=302, body=b"", headers=redirect) as public:
            settings.OUTBOUND_ALLOWED_ADDRESSES = [f"127.0.0.1:{public.port}"]
            with pytest.raises(ProviderError, match="private or local address"):
                OpenAIProvider(api_key="sk-test", max_retries=0)._download(public.url + "/img.png")
    assert internal.received == []
