"""/api/v1/automation/<name>/: one route per endpoint, named after its action (the dashboard and
the API docs use these exact names)."""

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
    "stages": "get",
    "metrics": "get",
}

urlpatterns = [
    path(f"{name}/", AutomationViewSet.as_view({method: name}), name=f"automation-{name.replace('_', '-')}")
    for name, method in ENDPOINTS.items()
]
