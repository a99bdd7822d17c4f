from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Account, Sector, Site, User


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "credits_balance", "created_at")
    search_fields = ("name",)
    # The balance changes only through CreditService (ledger rows); use "Add credits" instead.
    readonly_fields = ("credits_balance",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "account", "is_staff")
    list_filter = ("is_staff", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (("Tenancy", {"fields": ("account",)}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Tenancy", {"fields": ("account",)}),)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "domain", "account", "timezone", "is_active")
    list_filter = ("is_active", "timezone")
    search_fields = ("name", "domain")


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "site")
    list_filter = ("site",)
    search_fields = ("name",)
