"""Tenancy: Account (the tenant), User, Site, Sector, and the base class of every pipeline model."""

import zoneinfo
from decimal import Decimal

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower


class Account(models.Model):
    name = models.CharField(max_length=200)
    credits_balance = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(credits_balance__gte=0), name="account_balance_not_negative")
        ]

    def __str__(self) -> str:
        return self.name


class AccountUserManager(UserManager):
    def _create_user_object(self, username, email, password, **extra_fields):
        # Every user belongs to an account; a user created without one gets their own.
        if extra_fields.get("account") is None and extra_fields.get("account_id") is None:
            extra_fields["account"] = Account.objects.create(name=f"{username}'s account")
        return super()._create_user_object(username, email, password, **extra_fields)


class User(AbstractUser):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="users")

    objects = AccountUserManager()

    def __str__(self) -> str:
        return self.username


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not a known IANA time zone (e.g. 'Europe/Berlin').")


class Site(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    language = models.CharField(max_length=32, default="English")
    topic = models.CharField(max_length=300, blank=True, help_text="What the site is about; given to the AI.")
    tone = models.CharField(max_length=100, default="friendly, expert")
    in_article_images = models.PositiveSmallIntegerField(
        default=3, help_text="In-article image prompts per content (plus one featured image)."
    )
    # The site brief: given to every prompt so the writing fits the readers and the brand.
    audience = models.TextField(blank=True, help_text="Who reads the site; given to every prompt.")
    brand_voice = models.TextField(blank=True, help_text="Brand voice / style guide; given to every prompt.")
    avoid_terms = models.TextField(
        blank=True, help_text="Words and claims the content must not use, one per line; given to every prompt."
    )
    duplicate_threshold = models.PositiveSmallIntegerField(
        default=85,
        validators=[MaxValueValidator(100)],
        help_text="Similarity (0-100) at which a new idea counts as the same search intent as an existing one "
        "and is skipped (0 = off).",
    )
    generate_images = models.BooleanField(
        default=True,
        help_text="Off: the pipeline makes no images; drafts go to review as soon as they are written.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("domain"), "account", name="site_domain_unique_per_account")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.domain})"

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.timezone)


class Sector(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="sectors")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("name"), "site", name="sector_name_unique_per_site")]

    def __str__(self) -> str:
        return self.name


class SiteScopedModel(models.Model):
    """Base of every pipeline item: owned by an account and a site, timestamped.

    `account` is denormalised from `site` so tenancy filters are a single indexed column.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.site_id and not self.account_id:
            self.account_id = self.site.account_id
        super().save(*args, **kwargs)
