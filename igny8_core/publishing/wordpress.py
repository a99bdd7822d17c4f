"""A small client for the WordPress REST API (wp/v2), authenticated with an application password.

Routes go through `?rest_route=`, which works on every WordPress ≥ 4.7 whatever its permalink
settings. Errors raise WordPressError; `permanent` tells the publisher whether retrying can help
(bad credentials or a rejected request: no; timeouts, 5xx, 429: yes).
"""

import base64
import html
import re
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings

from igny8_core.outbound import (
    HostNotFound,
    OutboundURLRefused,
    connection_failure,
    describe_status,
    outbound_session,
)

if TYPE_CHECKING:
    from .models import WordPressConnection


# 4xx that may succeed later: request timeout, conflict, too many requests.
_TRANSIENT_4XX = {408, 409, 425, 429}
# The application password is wrong or revoked, or the user lost the right to publish.
_CREDENTIALS_REJECTED = {401, 403}


class WordPressError(Exception):
    """`permanent`: retrying cannot help. `connection`: the connection itself failed (WordPress
    unreachable or refused, or the credentials rejected), not this one request."""

    def __init__(self, message: str, permanent: bool = False, status: int | None = None, connection: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.status = status
        self.connection = connection or status in _CREDENTIALS_REJECTED


# WordPress error codes are identifiers (rest_cannot_create, incorrect_password): shown to say why.
_ERROR_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


class WordPressClient:
    def __init__(self, url: str, username: str, app_password: str, timeout: float | None = None):
        self.base_url = url.rstrip("/") + "/"
        # Basic auth encoded as UTF-8 ourselves: requests would fail on non-Latin-1 user names.
        token = base64.b64encode(f"{username}:{app_password}".encode()).decode("ascii")
        self.auth_header = {"Authorization": f"Basic {token}"}
        self.timeout = timeout or getattr(settings, "WORDPRESS_TIMEOUT", 30)
        self.session = outbound_session()  # every request and redirect checked against the outbound policy

    @classmethod
    def for_connection(cls, connection: "WordPressConnection") -> "WordPressClient":
        return cls(connection.url, connection.username, connection.application_password)

    def _call(self, method: str, route: str, *, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """The decoded JSON answer (an object or a list)."""
        query = {"rest_route": route, **(params or {})}
        try:
            response = self.session.request(
                method,
                self.base_url,
                params=query,
                timeout=self.timeout,
                headers={**self.auth_header, **kwargs.pop("headers", {})},
                **kwargs,
            )
        except HostNotFound as exc:
            raise WordPressError(f"Cannot reach WordPress at {self.base_url}: {exc}", connection=True) from None
        except OutboundURLRefused as exc:  # the address, or a redirect, leads somewhere refused
            raise WordPressError(
                f"Refused to connect to {self.base_url}: {exc}", permanent=True, connection=True
            ) from None
        except requests.Timeout:
            raise WordPressError(
                f"WordPress did not answer within {self.timeout:g} s ({method} {route}).", connection=True
            ) from None
        except requests.RequestException as exc:
            raise WordPressError(
                f"{connection_failure(self.base_url, exc)}: WordPress is not reachable.", connection=True
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            # Status and WordPress's error code only: the body may come from any server and is never
            # shown (it could carry what an internal service answers).
            code = body.get("code") if isinstance(body, dict) else None
            code = f" ({code})" if isinstance(code, str) and _ERROR_CODE.fullmatch(code) else ""
            permanent = response.status_code < 500 and response.status_code not in _TRANSIENT_4XX
            raise WordPressError(
                f"WordPress answered {describe_status(response.status_code)}{code} to {method} {route}.",
                permanent=permanent,
                status=response.status_code,
            )
        if body is None:
            raise WordPressError(
                f"{self.base_url} did not answer with JSON to {route}: is this a WordPress site with the REST API on?",
                permanent=True,
                status=response.status_code,
            )
        return body

    def _object(self, method: str, route: str, **kwargs: Any) -> dict[str, Any]:
        """A call whose answer must be one JSON object (a post, a media item, a user)."""
        body = self._call(method, route, **kwargs)
        if not isinstance(body, dict):
            raise WordPressError(f"WordPress answered {method} {route} without a JSON object.", permanent=True)
        return body

    def current_user(self) -> dict[str, Any]:
        """The authenticated user (checks URL, username and application password at once)."""
        return self._object("GET", "/wp/v2/users/me", params={"context": "edit"})

    def upload_media(self, filename: str, data: bytes, mime_type: str, alt_text: str = "") -> dict[str, Any]:
        safe_name = filename.replace('"', "").replace("\\", "") or "image"
        return self._object(
            "POST",
            "/wp/v2/media",
            params={"alt_text": alt_text} if alt_text else None,
            data=data,
            headers={"Content-Type": mime_type, "Content-Disposition": f'attachment; filename="{safe_name}"'},
        )

    def create_post(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self._object("POST", "/wp/v2/posts", json=fields)

    def update_post(self, post_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        return self._object("POST", f"/wp/v2/posts/{int(post_id)}", json=fields)

    def get_post(self, post_id: int, context: str = "view") -> dict[str, Any]:
        return self._object("GET", f"/wp/v2/posts/{int(post_id)}", params={"context": context})

    def term_id(self, taxonomy: str, name: str) -> int:
        """The id of the category or tag (`taxonomy` "categories" / "tags") named `name`,
        created when WordPress has none; names compare case-insensitively."""
        found = self._find_term(taxonomy, name)
        if found is not None:
            return found
        try:
            created = self._call("POST", f"/wp/v2/{taxonomy}", json={"name": name})
            if isinstance(created, dict):
                return int(created["id"])
        except WordPressError as exc:
            if exc.status != 400:  # term_exists: another request created it meanwhile
                raise
        found = self._find_term(taxonomy, name)
        if found is None:
            kind = "category" if taxonomy == "categories" else "tag"
            raise WordPressError(f"WordPress refused to create the {kind} '{name}'.", permanent=True)
        return found

    def _find_term(self, taxonomy: str, name: str) -> int | None:
        wanted = " ".join(name.split()).lower()
        terms = self._call("GET", f"/wp/v2/{taxonomy}", params={"search": name, "per_page": 100})
        for term in terms if isinstance(terms, list) else []:
            if html.unescape(term.get("name", "")).strip().lower() == wanted:
                return int(term["id"])
        return None

    def get_media(self, media_id: int) -> dict[str, Any]:
        return self._object("GET", f"/wp/v2/media/{int(media_id)}")
