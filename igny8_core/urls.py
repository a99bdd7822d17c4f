from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve

from igny8_core.api import spa

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("igny8_core.api.urls")),
]

if settings.DEBUG or settings.MEDIA_ROOT:
    # Generated images. In production a reverse proxy may serve MEDIA_ROOT instead.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

# The React dashboard (frontend/dist, see igny8_core/api/spa.py). Keep these last: the
# second pattern answers every route that is not Django's own with the app's index.html.
urlpatterns += [
    re_path(r"^assets/(?P<path>.+)$", spa.asset, name="spa-asset"),
    re_path(r"^(?!(?:api|admin|media|static|assets)(?:/|$))(?P<path>.*)$", spa.index, name="spa"),
]
