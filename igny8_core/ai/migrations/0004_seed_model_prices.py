"""Seed the price table with OpenAI's list prices (USD, standard tier, as published in late
2026) and 0 for local and demo models. Editable in the admin; re-running changes nothing
already there."""

from django.db import migrations

GPT_IMAGE_1 = {
    "1024x1024:low": "0.011",
    "1024x1536:low": "0.016",
    "1536x1024:low": "0.016",
    "1024x1024:medium": "0.042",
    "1024x1536:medium": "0.063",
    "1536x1024:medium": "0.063",
    "1024x1024:high": "0.167",
    "1024x1536:high": "0.25",
    "1536x1024:high": "0.25",
    # "auto" lets the model choose the quality: priced as high, the most it can cost.
    "1024x1024:auto": "0.167",
    "1024x1536:auto": "0.25",
    "1536x1024:auto": "0.25",
}
GPT_IMAGE_1_MINI = {
    "1024x1024:low": "0.005",
    "1024x1536:low": "0.006",
    "1536x1024:low": "0.006",
    "1024x1024:medium": "0.011",
    "1024x1536:medium": "0.015",
    "1536x1024:medium": "0.015",
    "1024x1024:high": "0.036",
    "1024x1536:high": "0.052",
    "1536x1024:high": "0.052",
    "1024x1024:auto": "0.036",
    "1024x1536:auto": "0.052",
    "1536x1024:auto": "0.052",
}
DALL_E_3 = {
    "1024x1024:standard": "0.04",
    "1024x1792:standard": "0.08",
    "1792x1024:standard": "0.08",
    "1024x1024:hd": "0.08",
    "1024x1792:hd": "0.12",
    "1792x1024:hd": "0.12",
}
DALL_E_2 = {"256x256:standard": "0.016", "512x512:standard": "0.018", "1024x1024:standard": "0.02"}

# model, input / output USD per million tokens, image prices, note
PRICES = [
    ("gpt-4o-mini", "0.15", "0.60", {}, "OpenAI list price"),
    ("gpt-4o", "2.50", "10.00", {}, "OpenAI list price"),
    ("gpt-4.1", "2.00", "8.00", {}, "OpenAI list price"),
    ("gpt-4.1-mini", "0.40", "1.60", {}, "OpenAI list price"),
    ("gpt-4.1-nano", "0.10", "0.40", {}, "OpenAI list price"),
    ("gpt-5", "1.25", "10.00", {}, "OpenAI list price"),
    ("gpt-5-mini", "0.25", "2.00", {}, "OpenAI list price"),
    ("gpt-5-nano", "0.05", "0.40", {}, "OpenAI list price"),
    ("o4-mini", "1.10", "4.40", {}, "OpenAI list price"),
    ("gpt-image-1", "0", "0", GPT_IMAGE_1, "OpenAI list price per image"),
    ("gpt-image-1-mini", "0", "0", GPT_IMAGE_1_MINI, "OpenAI list price per image"),
    ("dall-e-3", "0", "0", DALL_E_3, "OpenAI list price per image"),
    ("dall-e-2", "0", "0", DALL_E_2, "OpenAI list price per image"),
    ("igny8-demo-text-v1", "0", "0", {}, "offline demo provider"),
    ("igny8-demo-image-v1", "0", "0", {}, "offline demo provider"),
    ("llama3.1", "0", "0", {}, "local model (Ollama): no provider bill"),
    ("qwen2.5", "0", "0", {}, "local model (Ollama): no provider bill"),
    ("mistral", "0", "0", {}, "local model (Ollama): no provider bill"),
]


def seed(apps, schema_editor):
    ModelPrice = apps.get_model("ai", "ModelPrice")
    for model, input_price, output_price, images, note in PRICES:
        ModelPrice.objects.get_or_create(
            model=model,
            defaults={
                "input_per_million": input_price,
                "output_per_million": output_price,
                "image_prices": images,
                "note": note,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ai", "0003_provider_cost_prices_account_providers")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
