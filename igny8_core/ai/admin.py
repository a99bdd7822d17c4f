from django.contrib import admin

from .models import AIRequestLog


@admin.register(AIRequestLog)
class AIRequestLogAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "function",
        "provider",
        "model",
        "success",
        "credits",
        "prompt_tokens",
        "completion_tokens",
        "attempts",
        "duration_ms",
        "account",
        "site",
    )
    list_filter = ("function", "provider", "success")
    search_fields = ("error", "model")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AIRequestLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
