"""Django serves the built dashboard: index.html for every app route, hashed assets, a clear
page when the dashboard is not built — with DEBUG on and off."""

import pytest

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>'
SCRIPT = "console.log('dashboard');"


@pytest.fixture
def dist(tmp_path, settings):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-AbC123.js").write_text(SCRIPT)
    (root / "assets" / "index-AbC123.css").write_text("body{margin:0}")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside dist")
    settings.FRONTEND_DIST = root
    return root


@pytest.fixture(params=[True, False], ids=["debug-on", "debug-off"])
def debug(request, settings):
    settings.DEBUG = request.param
    # Production settings redirect to https; the proxy terminates TLS, so test plain http.
    settings.SECURE_SSL_REDIRECT = False
    return request.param


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    "route", ["/", "/login", "/automation", "/keywords", "/review", "/settings", "/review/12", "/no-such-page"]
)
def test_every_app_route_answers_index_html(client, dist, debug, route):
    response = client.get(route)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert body(response).decode() == INDEX
    assert response["Cache-Control"] == "no-cache"
    # the CSRF cookie is set, so the app's first POST (login) can send X-CSRFToken
    assert "csrftoken" in response.cookies


def test_hashed_assets_are_served_with_long_caching(client, dist, debug):
    response = client.get("/assets/index-AbC123.js")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert body(response).decode() == SCRIPT
    assert "immutable" in response["Cache-Control"]
    css = client.get("/assets/index-AbC123.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")


def test_top_level_dist_files_are_served(client, dist, debug):
    response = client.get("/favicon.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


@pytest.mark.parametrize(
    "url", ["/assets/missing.js", "/assets/../../secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/assets/"]
)
def test_missing_or_escaping_assets_are_404_not_index(client, dist, debug, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"outside dist" not in body(response)


def test_django_routes_are_not_swallowed(client, dist, db):
    health = client.get("/api/v1/health/")  # JSON from the API (200, or 503 when no worker runs here)
    assert health.status_code in (200, 503) and health.json()["database"] == "ok"
    assert client.get("/api/v1/no-such-endpoint/").status_code == 404
    assert client.get("/admin/login/").status_code == 200
    # no trailing slash: Django's APPEND_SLASH redirect, not the dashboard
    admin = client.get("/admin")
    assert admin.status_code == 301 and admin["Location"] == "/admin/"


def test_only_safe_methods(client, dist):
    assert client.post("/automation").status_code == 405


def test_not_built_page_says_how_to_build(client, tmp_path, settings, debug):
    settings.FRONTEND_DIST = tmp_path / "never-built"
    response = client.get("/automation")
    assert response.status_code == 503
    text = body(response).decode()
    assert "not built" in text
    assert "npm run build" in text and "make frontend" in text
    assert client.get("/assets/index-AbC123.js").status_code == 404


def test_the_bundle_is_served_compressed_to_browsers_that_accept_it(client, dist, debug):
    import gzip
    import subprocess
    import sys

    big = "console.log('dashboard');\n" * 400  # compressible, like the real bundle
    (dist / "assets" / "index-AbC123.js").write_text(big)
    # What `make frontend` and the Dockerfile run after the build.
    subprocess.run([sys.executable, "-m", "whitenoise.compress", "-q", str(dist)], check=True)
    assert (dist / "assets" / "index-AbC123.js.gz").is_file()

    compressed = client.get("/assets/index-AbC123.js", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed.status_code == 200 and compressed["Content-Encoding"] == "gzip"
    assert compressed["Content-Type"].startswith("text/javascript") and compressed["Vary"] == "Accept-Encoding"
    raw = body(compressed)
    assert len(raw) < len(big) / 5 and gzip.decompress(raw).decode() == big

    plain = client.get("/assets/index-AbC123.js")
    assert "Content-Encoding" not in plain and body(plain).decode() == big


def test_the_api_docs_page_loads_swagger_ui_from_the_apps_own_static_files(client):
    from django.contrib.staticfiles import finders

    page = client.get("/api/v1/docs/").content.decode()
    assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
