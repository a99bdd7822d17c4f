"""The saved WordPress application password must never be sent to an address other than the saved one.

An API caller cannot read the password, but before this fix it could have WordPress "tested" (or,
after changing only the URL, published) against a server it controls and read the password from
the Basic auth header. A new address needs the password typed again.
"""

import base64
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from rest_framework.test import APIClient

from igny8_core.publishing.models import WordPressConnection

pytestmark = pytest.mark.django_db

SECRET = "abcd EFGH ijkl MNOP qrst UVWX"


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def capture_server():
    """An HTTP server that records every Authorization header it receives."""
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            received.append(self.headers.get("Authorization", ""))
            body = b'{"id": 1, "name": "x", "capabilities": {"publish_posts": true}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received = received
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def _leaked(server) -> bool:
    return any(
        SECRET in base64.b64decode(h.split(" ", 1)[1]).decode(errors="replace")
        for h in server.received
        if h.startswith("Basic ")
    )


def _save(site):
    connection = WordPressConnection(site=site, url="https://blog.example.com", username="ed")
    connection.application_password = SECRET
    connection.save()


def test_test_endpoint_does_not_send_the_saved_password_to_another_address(api, alice_site, capture_server):
    _save(alice_site)
    response = api.post(
        f"/api/v1/publishing/wordpress/test/?site_id={alice_site.id}",
        {"url": capture_server.url, "username": "ed"},
        format="json",
    )
    assert not _leaked(capture_server)
    assert response.status_code == 400 and "app_password" in response.json()


def test_changing_the_address_requires_the_password_again(api, alice_site, capture_server):
    _save(alice_site)
    url = f"/api/v1/publishing/wordpress/?site_id={alice_site.id}"
    response = api.put(url, {"url": capture_server.url, "username": "ed"}, format="json")
    assert response.status_code == 400 and "app_password" in response.json()
    assert WordPressConnection.objects.get(site=alice_site).url == "https://blog.example.com"
    assert not _leaked(capture_server)
    # Same address, other user name: the stored password may be kept.
    assert api.put(url, {"url": "https://blog.example.com/", "username": "editor"}, format="json").status_code == 200
    assert WordPressConnection.objects.get(site=alice_site).application_password == SECRET
