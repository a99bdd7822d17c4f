"""REST routes of this app, mounted under /api/v1/ by igny8_core/api/urls.py."""
from django.urls import path

from .budget_api import site_ai_budget

urlpatterns = [
    path("sites/<int:site_id>/ai-budget/", site_ai_budget, name="billing-site-ai-budget"),
]
