"""Writer REST resources: tasks, content (detail with HTML + images, approve), images, AI triggers."""

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from igny8_core.ai.api import ai_action_schema, run_ai_function
from igny8_core.api.errors import Conflict
from igny8_core.api.schema import error_responses, ids_request
from igny8_core.api.viewsets import SITE_ID_FILTER, IdsSerializer, TenantViewSet

from .models import Content, Images, Tasks
from .services import (
    EDITABLE_FIELDS,
    NotInReview,
    ReviewConflict,
    SlugTaken,
    approve_content,
    edit_content,
    reject_content,
)

# --- serializers ----------------------------------------------------------------------

_NULLABLE_URI = {"type": "string", "format": "uri", "nullable": True}


class ImageSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Absolute URL of the image file; null until generated.")
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Images
        fields = [
            "id",
            "site",
            "content",
            "image_type",
            "position",
            "prompt",
            "alt_text",
            "url",
            "thumbnail_url",
            "width",
            "height",
            "status",
            "error_message",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _absolute(self, file) -> str | None:
        if not file:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(file.url) if request else file.url

    @extend_schema_field(_NULLABLE_URI)
    def get_url(self, obj) -> str | None:
        return self._absolute(obj.file)

    @extend_schema_field(_NULLABLE_URI)
    def get_thumbnail_url(self, obj) -> str | None:
        return self._absolute(obj.thumbnail)


class TaskSerializer(serializers.ModelSerializer):
    # No default: with one, DRF leaves the field out of PATCH answers (partial) when there is no cluster.
    cluster_name = serializers.CharField(source="cluster.name", read_only=True, allow_null=True)
    content = serializers.SerializerMethodField(help_text="The content written for this task, if any.")
    keywords = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Tasks
        fields = [
            "id",
            "site",
            "title",
            "description",
            "content_type",
            "content_structure",
            "keywords",
            "cluster",
            "cluster_name",
            "idea",
            "status",
            "error_message",
            "content",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_content(self, obj) -> int | None:
        try:
            return obj.content.pk
        except ObjectDoesNotExist:
            return None


class QualityCheckSerializer(serializers.Serializer):
    name = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField()


class QualitySerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100)
    checks = QualityCheckSerializer(many=True)

    def to_representation(self, instance):
        return super().to_representation(instance) if instance else None


class InternalLinkSerializer(serializers.Serializer):
    content_id = serializers.IntegerField()
    anchor = serializers.CharField()
    url = serializers.CharField(help_text="The target's WordPress URL once published, else its path (/slug/).")


class ContentListSerializer(serializers.ModelSerializer):
    # A CharField, not a URLField: it is "" until the content is published.
    external_url = serializers.CharField(read_only=True, help_text="URL on the site once published, else empty.")
    # A CharField too: "" (no slug yet) is not a valid SlugField value.
    slug = serializers.CharField(read_only=True, help_text="The post's URL slug; empty until set.")
    featured_image = serializers.SerializerMethodField(help_text="The featured image, if any (for thumbnails).")
    quality = QualitySerializer(
        read_only=True,
        allow_null=True,
        help_text="Local quality checks of the draft (null until checked at the review gate).",
    )
    internal_links = InternalLinkSerializer(
        many=True, read_only=True, help_text="Links to other content of the site placed in the article."
    )

    class Meta:
        model = Content
        fields = [
            "id",
            "site",
            "task",
            "cluster",
            "title",
            "slug",
            "meta_title",
            "meta_description",
            "quality",
            "internal_links",
            "word_count",
            "status",
            "approved_at",
            "rejected_at",
            "rejection_reason",
            "site_status",
            "scheduled_publish_at",
            "published_at",
            "external_url",
            "featured_image",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_featured_image(self, obj):
        featured = [i for i in obj.images.all() if i.image_type == Images.ImageType.FEATURED]
        return ImageSerializer(featured[0], context=self.context).data if featured else None


class ContentDetailSerializer(ContentListSerializer):
    images = ImageSerializer(many=True, read_only=True)

    class Meta(ContentListSerializer.Meta):
        fields = ContentListSerializer.Meta.fields + ["html_content", "schema_json", "publish_error", "images"]
        read_only_fields = fields


class ContentRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the draft is rejected (kept with it).")
    regenerate = serializers.BooleanField(
        default=False, help_text="Send its task back to the writer queue: the next run writes a new draft."
    )


class ContentEditSerializer(serializers.ModelSerializer):
    """A reviewer's edits (partial). `html_content` is sanitised like the AI's output; unknown or
    read-only fields are a 400, so a typo is never silently ignored."""

    class Meta:
        model = Content
        fields = list(EDITABLE_FIELDS)
        extra_kwargs = {"title": {"allow_blank": False}}

    def to_internal_value(self, data):
        if not isinstance(data, dict) or not data:
            raise serializers.ValidationError(
                {"non_field_errors": [f"Send a JSON object with some of: {', '.join(EDITABLE_FIELDS)}."]}
            )
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["This field cannot be edited."] for name in unknown})
        return super().to_internal_value(data)


# --- filters ----------------------------------------------------------------------------


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Tasks.Status.choices)
    cluster = django_filters.NumberFilter(field_name="cluster_id", help_text="Cluster id.")

    class Meta:
        model = Tasks
        fields = ["status", "cluster"]


class ContentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Content.Status.choices)
    site_status = django_filters.ChoiceFilter(choices=Content.SiteStatus.choices)

    class Meta:
        model = Content
        fields = ["status", "site_status"]


class ImageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Images.Status.choices)
    image_type = django_filters.ChoiceFilter(choices=Images.ImageType.choices)
    content = django_filters.NumberFilter(field_name="content_id", help_text="Content id.")

    class Meta:
        model = Images
        fields = ["status", "image_type", "content"]


# --- views ------------------------------------------------------------------------------

_LIST_DOC = extend_schema(parameters=[SITE_ID_FILTER])


def with_featured_image(content_qs):
    """Content rows for lists: no HTML body, and the featured images in one extra query per page."""
    featured = Images.objects.filter(image_type=Images.ImageType.FEATURED).order_by("position")
    return content_qs.defer("html_content").prefetch_related(Prefetch("images", queryset=featured))


@extend_schema_view(list=_LIST_DOC)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    queryset = Tasks.objects.select_related("cluster", "content")
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    search_fields = ["title"]
    ordering_fields = ["id", "title", "created_at"]

    @ai_action_schema("generate_content", "tasks")
    @action(detail=False, methods=["post"])
    def generate_content(self, request):
        return run_ai_function(self, request, "generate_content")


@extend_schema_view(
    list=_LIST_DOC,
    retrieve=extend_schema(description="The content with its HTML body and all its images (the review preview)."),
)
class ContentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Content.objects.all()
    serializer_class = ContentListSerializer
    filterset_class = ContentFilter
    search_fields = ["title"]
    ordering_fields = ["id", "title", "word_count", "created_at", "approved_at"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action in ("retrieve", "partial_update", "reject"):
            return qs.prefetch_related(Prefetch("images", queryset=Images.objects.order_by("image_type", "position")))
        return with_featured_image(qs)

    def get_serializer_class(self):
        return ContentDetailSerializer if self.action == "retrieve" else ContentListSerializer

    @extend_schema(
        summary="Approve content that is ready for review",
        request=None,
        responses={200: ContentListSerializer, **error_responses(409)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return Response(self._approve([self.get_object()], many=False))

    @extend_schema(
        summary="Approve several content items (all or none)",
        description="Every id must be content of your account in `review`; otherwise nothing is approved "
        "(404 for unknown ids, 409 naming the items not in review).",
        request=ids_request("ContentBulkApprove", 1000),
        responses={200: ContentListSerializer(many=True), **error_responses(404, 409)},
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def bulk_approve(self, request):
        return Response(self._approve(self.get_owned_or_404(IdsSerializer.parse(request)), many=True))

    def _detail(self, content) -> Response:
        fresh = self.get_queryset().get(pk=content.pk)
        return Response(ContentDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Edit a draft before it is published",
        description="Any of `title`, `html_content` (sanitised like AI output; `word_count` follows), "
        "`meta_title`, `meta_description`, `slug` (unique per site). 409 `already_published` once the "
        "content is (being) published.",
        request=ContentEditSerializer,
        responses={200: ContentDetailSerializer, **error_responses(404, 409)},
    )
    def partial_update(self, request, pk=None):
        content = self.get_object()
        serializer = ContentEditSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            content = edit_content(content, serializer.validated_data)
        except ReviewConflict as exc:
            raise Conflict(str(exc), code=exc.code) from exc
        except SlugTaken:
            raise serializers.ValidationError(
                {"slug": ["Another content of this site already uses this slug."]}
            ) from None
        return self._detail(content)

    @extend_schema(
        summary="Reject a draft, optionally sending its task back for a new draft",
        description="The content becomes `rejected` with its reason (and leaves the publishing queue). "
        "With `regenerate` its task is queued again and the next run writes a new draft from the same "
        "idea; the rejected draft stays listed under `status=rejected`. 409: `already_published`, "
        "`already_rejected`, `no_task` (regenerate without a task).",
        request=ContentRejectSerializer,
        responses={200: ContentDetailSerializer, **error_responses(404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        content = self.get_object()
        serializer = ContentRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            content = reject_content(content, **serializer.validated_data)
        except ReviewConflict as exc:
            raise Conflict(str(exc), code=exc.code) from exc
        return self._detail(content)

    def _approve(self, contents, many: bool):
        try:
            approve_content(contents)
        except NotInReview as exc:
            raise Conflict(str(exc), code="not_in_review") from exc
        approved = with_featured_image(Content.objects.filter(pk__in=[c.pk for c in contents]).order_by("pk"))
        data = ContentListSerializer(approved, many=True, context=self.get_serializer_context()).data
        return data if many else data[0]

    @ai_action_schema("generate_image_prompts", "content items")
    @action(detail=False, methods=["post"])
    def generate_image_prompts(self, request):
        return run_ai_function(self, request, "generate_image_prompts")


@extend_schema_view(list=_LIST_DOC)
class ImageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Images and image prompts (`status=pending` rows are prompts waiting for generation)."""

    queryset = Images.objects.all()
    serializer_class = ImageSerializer
    filterset_class = ImageFilter
    search_fields = ["prompt", "alt_text"]
    ordering_fields = ["id", "content", "position", "created_at"]
    ordering = ["content_id", "position", "id"]

    @ai_action_schema("generate_images", "images")
    @action(detail=False, methods=["post"])
    def generate_images(self, request):
        return run_ai_function(self, request, "generate_images")
