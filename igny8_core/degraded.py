"""A dependency that is down or full (PostgreSQL, Redis) answers 503 service_unavailable, not 500.

The API's exception handler asks `unavailable_service(exc)` for DRF views; the middleware does
the same for every other view (admin, dashboard). The error shown names the service, never the
driver's message (it carries host names and user names); the driver's message is logged.
"""

import logging
from collections.abc import Callable

import kombu.exceptions
import redis.exceptions
from django.db import utils as db_utils
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

log = logging.getLogger(__name__)

# Connection refused, "too many clients", server gone, timeouts. (Integrity and data errors are
# the request's fault and stay what they are.)
DATABASE_ERRORS = (db_utils.OperationalError, db_utils.InterfaceError)
REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, kombu.exceptions.OperationalError)
SERVICE_NAMES = {"database": "The database", "redis": "Redis (cache and task queue)"}


def unavailable_service(exc: BaseException) -> str | None:
    """'database' or 'redis' when `exc` says that service is unreachable or out of capacity."""
    if isinstance(exc, DATABASE_ERRORS):
        return "database"
    if isinstance(exc, REDIS_ERRORS):
        return "redis"
    return None


def unavailable_payload(service: str) -> dict[str, str]:
    return {
        "detail": f"{SERVICE_NAMES[service]} is unavailable right now; try again in a moment.",
        "code": "service_unavailable",
        "service": service,
    }


def log_unavailable(service: str, exc: BaseException, path: str) -> None:
    log.error("%s unavailable while serving %s: %s: %s", service, path, exc.__class__.__name__, exc)


class ServiceUnavailableMiddleware:
    """503 for views outside DRF (admin, dashboard pages) that hit a missing database or Redis."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        service = unavailable_service(exc)
        if service is None:
            return None
        log_unavailable(service, exc, request.path)
        payload = unavailable_payload(service)
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(payload, status=503)
        else:
            response = HttpResponse(payload["detail"], status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response
