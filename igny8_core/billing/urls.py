"""REST routes of this app, mounted under /api/v1/billing/ by igny8_core/api/urls.py."""

from django.urls import path

from .api import CreditTransactionViewSet, RunCreditsViewSet, balance, grant, usage
from .budget_api import site_ai_budget

urlpatterns = [
    path("balance/", balance, name="billing-balance"),
    path("usage/", usage, name="billing-usage"),
    path("transactions/", CreditTransactionViewSet.as_view({"get": "list"}), name="billing-transactions"),
    path("grant/", grant, name="billing-grant"),
    path("runs/", RunCreditsViewSet.as_view({"get": "list"}), name="billing-runs"),
    path("sites/<str:site_id>/ai-budget/", site_ai_budget, name="billing-site-ai-budget"),
]
