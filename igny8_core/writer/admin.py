from django.contrib import admin

from .models import Content, Images, Tasks


@admin.register(Tasks)
class TasksAdmin(admin.ModelAdmin):
    list_display = ("title", "site", "status", "content_type", "cluster", "created_at")
    list_filter = ("site", "status", "content_type")
    search_fields = ("title",)
    raw_id_fields = ("cluster", "idea")


class ImagesInline(admin.TabularInline):
    model = Images
    extra = 0
    fields = ("image_type", "position", "status", "prompt", "file")


@admin.register(Content)
class ContentAdmin(admin.ModelAdmin):
    list_display = ("title", "site", "status", "site_status", "word_count", "scheduled_publish_at")
    list_filter = ("site", "status", "site_status")
    search_fields = ("title", "meta_title")
    raw_id_fields = ("task", "cluster")
    inlines = [ImagesInline]


@admin.register(Images)
class ImagesAdmin(admin.ModelAdmin):
    list_display = ("id", "content", "image_type", "position", "status", "site")
    list_filter = ("site", "status", "image_type")
    search_fields = ("prompt",)
    raw_id_fields = ("content",)
