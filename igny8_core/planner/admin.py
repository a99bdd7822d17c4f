from django.contrib import admin

from .models import Clusters, ContentIdeas, Keywords


@admin.register(Keywords)
class KeywordsAdmin(admin.ModelAdmin):
    list_display = ("keyword", "site", "status", "cluster", "volume", "difficulty", "intent", "disabled")
    list_filter = ("site", "status", "intent", "disabled")
    search_fields = ("keyword",)
    raw_id_fields = ("cluster",)


@admin.register(Clusters)
class ClustersAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "status", "keywords_count", "created_at")
    list_filter = ("site", "status")
    search_fields = ("name",)


@admin.register(ContentIdeas)
class ContentIdeasAdmin(admin.ModelAdmin):
    list_display = ("idea_title", "site", "status", "content_type", "content_structure", "cluster")
    list_filter = ("site", "status", "content_type")
    search_fields = ("idea_title",)
    raw_id_fields = ("cluster",)
