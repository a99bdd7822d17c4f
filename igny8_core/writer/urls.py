"""REST routes of this app, mounted under /api/v1/writer/ by igny8_core/api/urls.py."""

from rest_framework.routers import SimpleRouter

from .api import ContentViewSet, ImageViewSet, TaskViewSet

router = SimpleRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register("content", ContentViewSet, basename="content")
router.register("images", ImageViewSet, basename="image")

urlpatterns = router.urls
