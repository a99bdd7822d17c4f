from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("igny8_core.api.urls")),
]

if settings.DEBUG or settings.MEDIA_ROOT:
    # Generated images. In production a reverse proxy may serve MEDIA_ROOT instead.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
