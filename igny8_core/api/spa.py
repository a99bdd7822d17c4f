"""Serve the built React dashboard (frontend/dist) from Django, so the product is one process.

Every dashboard route (/login, /automation, /review/…) answers dist/index.html and the
client-side router takes over; /assets/* are Vite's content-hashed files, cached forever.
This works the same with DEBUG on and off and needs no collectstatic: a rebuilt dashboard
is served at once. When the dashboard is not built, a page says how to build it.
"""

import mimetypes
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils._os import safe_join
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

# URL prefixes that belong to Django, never to the dashboard's router.
RESERVED = ("api", "admin", "media", "static", "assets")

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>IGNY8 Automation — dashboard not built</title>
<style>body{{font-family:system-ui,sans-serif;max-width:42rem;margin:4rem auto;padding:0 1rem;color:#0f172a;line-height:1.5}}
code,pre{{background:#f1f5f9;border-radius:6px;padding:.1rem .3rem}} pre{{padding:.75rem}}</style></head>
<body><h1>The dashboard is not built yet</h1>
<p>The API is running (<a href="/api/v1/docs/">API docs</a>, <a href="/admin/">admin</a>),
but <code>{index}</code> does not exist.</p>
<p>Build it once (Node.js 20.19+ and npm are needed):</p>
<pre>make frontend
# or: cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>then reload this page. <code>make up</code> builds it for you.</p></body></html>
"""


def _dist() -> Path:
    return Path(settings.FRONTEND_DIST)


# Pre-compressed variants written next to the built files by `python -m whitenoise.compress
# frontend/dist` (make frontend, the Dockerfile), best first.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def _accepted(request: HttpRequest | None, encoding: str) -> bool:
    if request is None:
        return False
    offered = request.headers.get("Accept-Encoding", "")
    return any(part.split(";")[0].strip() == encoding for part in offered.split(","))


def _file_response(path: Path, cache_control: str, request: HttpRequest | None = None) -> FileResponse:
    content_type, encoding = mimetypes.guess_type(path.name)
    served, served_encoding = path, encoding
    if encoding is None:
        for name, suffix in ENCODINGS:
            variant = path.with_name(path.name + suffix)
            if _accepted(request, name) and variant.is_file():
                served, served_encoding = variant, name
                break
    response = FileResponse(served.open("rb"), content_type=content_type or "application/octet-stream")
    if served_encoding:
        response.headers["Content-Encoding"] = served_encoding
    if any(path.with_name(path.name + suffix).is_file() for _, suffix in ENCODINGS):
        response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = cache_control
    return response


def _dist_file(relative: str) -> Path | None:
    """The file under dist/ that the URL path names, or None (never outside dist/)."""
    if not relative or relative.endswith("/"):
        return None
    try:
        candidate = Path(safe_join(_dist(), relative))
    except (SuspiciousFileOperation, ValueError):  # the path escapes dist/ or is malformed
        return None
    return candidate if candidate.is_file() else None


@require_safe
def asset(request: HttpRequest, path: str) -> FileResponse:
    """/assets/<hashed name>: immutable, so browsers cache it for a year."""
    found = _dist_file(f"assets/{path}")
    if found is None:
        raise Http404("No such dashboard asset.")
    return _file_response(found, "public, max-age=31536000, immutable", request)


@require_safe
@ensure_csrf_cookie
def index(request: HttpRequest, path: str = "") -> HttpResponse | FileResponse:
    """Any dashboard route: a top-level file of dist/ (favicon) or the app's index.html."""
    if path.split("/", 1)[0] in RESERVED:
        raise Http404()
    found = _dist_file(path) if path and path != "index.html" else None
    if found is not None:
        return _file_response(found, "public, max-age=3600", request)
    index_html = _dist() / "index.html"
    if not index_html.is_file():
        return HttpResponse(
            NOT_BUILT_PAGE.format(index=index_html), status=503, content_type="text/html; charset=utf-8"
        )
    # index.html names the current hashed assets: always revalidate it.
    return _file_response(index_html, "no-cache", request)
