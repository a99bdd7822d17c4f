"""REST routes of this app, mounted under /api/v1/ by igny8_core/api/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import CsrfView, LoginView, LogoutView, MeView, SessionView, SiteViewSet, TokenView

router = SimpleRouter()
router.register("sites", SiteViewSet, basename="site")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/login/", LoginView.as_view(), name="auth-login"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/me/", MeView.as_view(), name="auth-me"),
    path("auth/session/", SessionView.as_view(), name="auth-session"),
    path("auth/csrf/", CsrfView.as_view(), name="auth-csrf"),
    *router.urls,
]
