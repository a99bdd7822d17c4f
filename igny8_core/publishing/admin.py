from django import forms
from django.contrib import admin

from .models import PublishingSettings, WordPressConnection, WordPressMedia


@admin.register(PublishingSettings)
class PublishingSettingsAdmin(admin.ModelAdmin):
    # model.clean() applies the same rules as the API (HH:MM, start < end, interval, days, slots).
    list_display = ("site", "auto_approval_enabled", "auto_publish_enabled", "scheduling_mode", "queue_limit")
    list_filter = ("auto_approval_enabled", "auto_publish_enabled", "scheduling_mode")
    raw_id_fields = ("site",)
    exclude = ("account",)


class WordPressConnectionForm(forms.ModelForm):
    application_password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted. Leave empty to keep the current one.",
    )

    class Meta:
        model = WordPressConnection
        fields = ("site", "url", "username", "application_password", "is_active")

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("application_password"):
            self.add_error("application_password", "Required for a new connection.")
        return cleaned

    def save(self, commit=True):
        if self.cleaned_data.get("application_password"):
            self.instance.application_password = self.cleaned_data["application_password"]
        return super().save(commit)


@admin.register(WordPressConnection)
class WordPressConnectionAdmin(admin.ModelAdmin):
    form = WordPressConnectionForm
    list_display = ("site", "url", "username", "is_active", "last_tested_at", "last_test_ok")
    readonly_fields = ("last_tested_at", "last_test_ok", "last_test_error")
    raw_id_fields = ("site",)


@admin.register(WordPressMedia)
class WordPressMediaAdmin(admin.ModelAdmin):
    list_display = ("image", "connection", "media_id", "source_url", "created_at")
    raw_id_fields = ("image", "connection")

    def has_change_permission(self, request, obj=None):
        return False
