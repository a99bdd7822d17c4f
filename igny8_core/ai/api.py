"""Manual AI triggers (`POST .../auto_cluster/` etc.): the same engine the pipeline uses, on chosen ids.

The view only resolves the ids inside the caller's account (404 for any unknown or foreign id),
finds their one site, and hands them to AIEngine.run; the engine validates, checks credits
(402 before any provider call), saves and charges.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from igny8_core.api.schema import error_responses, ids_request
from igny8_core.api.viewsets import IdsSerializer
from igny8_core.writer.drafts import release_drafts

from .engine import AIEngine
from .exceptions import InvalidInput
from .functions import get_function
from .providers import site_images_off

AIResultSerializer = inline_serializer(
    "AIResult",
    {
        "function": serializers.CharField(),
        "items_requested": serializers.IntegerField(),
        "items_processed": serializers.IntegerField(help_text="Items that succeeded."),
        "items_failed": serializers.IntegerField(),
        "created_ids": serializers.ListField(child=serializers.IntegerField()),
        "failed": serializers.ListField(
            child=inline_serializer(
                "AIFailedItem",
                {
                    "id": serializers.IntegerField(),
                    "error": serializers.CharField(),
                    "code": serializers.CharField(help_text="e.g. not_pending, provider_error."),
                },
            )
        ),
        "credits_used": serializers.DecimalField(max_digits=14, decimal_places=2),
        "stats": serializers.DictField(
            child=serializers.IntegerField(), help_text="Function-specific counts, e.g. clusters_created."
        ),
        "not_attempted": serializers.ListField(
            child=serializers.IntegerField(),
            help_text="Ids left pending because the caller stopped between items (the pipeline's pause); "
            "always empty for manual calls.",
        ),
        "prompt_tokens": serializers.IntegerField(help_text="Tokens sent to the text provider (failed calls too)."),
        "completion_tokens": serializers.IntegerField(help_text="Tokens the text provider answered."),
        "provider_cost": serializers.DecimalField(
            max_digits=14, decimal_places=6, help_text="What the AI provider bills for this call, USD."
        ),
        "notes": serializers.ListField(
            child=serializers.CharField(),
            help_text="What the run log records, e.g. an idea skipped as a duplicate of an existing one.",
        ),
    },
)


def ai_action_schema(function_name: str, what: str):
    max_items = get_function(function_name).max_batch
    return extend_schema(
        summary=f"Run {function_name} on chosen {what}",
        description=(
            f"Runs the `{function_name}` AI function synchronously on up to {max_items} {what} of one site. "
            "Items that fail are listed in `failed` (the call itself succeeds); items no longer pending are "
            "skipped and never charged twice. 402 when the account cannot pay, checked before the AI is called; 503 when the AI "
            "provider is not configured."
        ),
        request=ids_request(function_name.title().replace("_", ""), max_items),
        responses={200: OpenApiResponse(AIResultSerializer), **error_responses(402, 404, 503)},
    )


def run_ai_function(view, request, function_name: str) -> Response:
    ids = IdsSerializer.parse(request, max_items=get_function(function_name).max_batch)
    objects = view.get_owned_or_404(ids)
    site_ids = {obj.site_id for obj in objects}
    if len(site_ids) != 1:
        raise serializers.ValidationError({"ids": ["All ids must belong to the same site."]})
    site = objects[0].site
    try:
        result = AIEngine(request.user.account, site).run(function_name, ids)
    except InvalidInput as exc:
        raise serializers.ValidationError({"ids": [str(exc)]}) from exc
    if function_name == "generate_content" and result.created_ids and site_images_off(site):
        release_drafts(site)  # a site without images: the draft is finished, as in the pipeline
    return Response(result.to_dict())
