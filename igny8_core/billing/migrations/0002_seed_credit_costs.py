"""Seed CreditCostConfig with the default costs and budget shares."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    # operation, unit, per_units, cost, rounding, budget %
    ("clustering", "keyword", 5, "1", "exact", "15"),
    ("idea_generation", "cluster", 1, "2", "exact", "10"),
    ("content_generation", "word", 500, "1", "ceil", "40"),
    ("image_prompt_extraction", "prompt", 1, "0.5", "exact", "5"),
    ("image_generation", "image", 1, "2", "exact", "30"),
]


def seed(apps, schema_editor):
    CreditCostConfig = apps.get_model("billing", "CreditCostConfig")
    for operation, unit, per_units, cost, rounding, share in DEFAULTS:
        CreditCostConfig.objects.get_or_create(
            operation=operation,
            defaults={
                "unit": unit,
                "per_units": per_units,
                "cost": Decimal(cost),
                "rounding": rounding,
                "budget_percentage": Decimal(share),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
