"""/api/v1/automation/<name>/ - the 13 endpoints of SPEC section 8 with their exact names,
plus the run's detail and its failed items (run_detail, failed_items, retry_failed)."""

from django.urls import path

from .api import AutomationViewSet

ENDPOINTS = {
    "config": "get",
    "update_config": "put",
    "run_now": "post",
    "current_run": "get",
    "pipeline_overview": "get",
    "current_processing": "get",
    "run_progress": "get",
    "pause": "post",
    "resume": "post",
    "cancel": "post",
    "history": "get",
    "logs": "get",
    "estimate": "get",
    "run_detail": "get",
    "failed_items": "get",
    "retry_failed": "post",
}

urlpatterns = [
    path(f"{name}/", AutomationViewSet.as_view({method: name}), name=f"automation-{name.replace('_', '-')}")
    for name, method in ENDPOINTS.items()
]
