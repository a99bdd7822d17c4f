"""REST routes of this app, mounted under /api/v1/planner/ by igny8_core/api/urls.py."""

from rest_framework.routers import SimpleRouter

from .api import ClusterViewSet, IdeaViewSet, KeywordViewSet

router = SimpleRouter()
router.register("keywords", KeywordViewSet, basename="keyword")
router.register("clusters", ClusterViewSet, basename="cluster")
router.register("ideas", IdeaViewSet, basename="idea")

urlpatterns = router.urls
