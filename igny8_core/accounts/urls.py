"""REST routes of this app, mounted under /api/v1/ by igny8_core/api/urls.py."""
urlpatterns = []
