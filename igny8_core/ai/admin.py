from django.contrib import admin

from .models import AccountAIProvider, AIRequestLog, ModelPrice


@admin.register(AIRequestLog)
class AIRequestLogAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "function",
        "provider",
        "model",
        "success",
        "credits",
        "provider_cost",
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


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    """The provider's list prices: provider cost on every AI request log row comes from here."""

    list_display = ("model", "input_per_million", "output_per_million", "image_prices", "note", "updated_at")
    search_fields = ("model", "note")


@admin.register(AccountAIProvider)
class AccountAIProviderAdmin(admin.ModelAdmin):
    """Accounts' own provider settings; the encrypted key is never shown or editable here."""

    list_display = ("account", "role", "provider", "base_url", "model", "structured_output", "updated_at")
    list_filter = ("role", "provider")
    exclude = ("api_key_encrypted",)
    readonly_fields = ("updated_at",)
