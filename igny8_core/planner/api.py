"""Planner REST resources: keywords (CRUD, bulk delete, CSV import), clusters, ideas, AI triggers."""

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from igny8_core.ai.api import ai_action_schema, run_ai_function
from igny8_core.api.schema import error_responses, ids_request
from igny8_core.api.tenancy import get_site_or_404
from igny8_core.api.viewsets import (
    SITE_ID_FILTER,
    SITE_ID_REQUIRED,
    IdsSerializer,
    SiteScopedCreateMixin,
    TenantViewSet,
)

from . import csv_import
from .models import Clusters, ContentIdeas, Keywords
from .services import DuplicateKeyword, create_keyword, delete_keywords


def _task_id(obj):
    try:
        return obj.task.pk
    except ObjectDoesNotExist:
        return None


# --- serializers ----------------------------------------------------------------------


class KeywordSerializer(serializers.ModelSerializer):
    # No default: with one, DRF leaves the field out of PATCH answers (partial) when there is no cluster.
    cluster_name = serializers.CharField(source="cluster.name", read_only=True, allow_null=True)

    class Meta:
        model = Keywords
        fields = [
            "id",
            "site",
            "keyword",
            "volume",
            "difficulty",
            "intent",
            "cluster",
            "cluster_name",
            "status",
            "disabled",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["site", "keyword", "cluster", "status", "created_at", "updated_at"]
        extra_kwargs = {"difficulty": {"max_value": 100}, "volume": {"max_value": 2_147_483_647}}


class KeywordCreateSerializer(SiteScopedCreateMixin, KeywordSerializer):
    class Meta(KeywordSerializer.Meta):
        fields = KeywordSerializer.Meta.fields + ["site_id"]
        read_only_fields = ["site", "cluster", "status", "created_at", "updated_at"]

    def validate_keyword(self, value):
        value = csv_import.normalise_keyword(value)
        if not value:
            raise serializers.ValidationError("This field may not be blank.")
        return value


class KeywordImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with a `keyword` column; optional volume, difficulty, intent.")


KeywordImportResultSerializer = inline_serializer(
    "KeywordImportResult",
    {
        "created": serializers.IntegerField(),
        "duplicates": serializers.IntegerField(help_text="Rows repeating a keyword of the file or of the site."),
        "errors": serializers.ListField(
            child=inline_serializer(
                "KeywordImportRowError",
                {
                    "row": serializers.IntegerField(help_text="Line of the file (header = 1)."),
                    "message": serializers.CharField(),
                },
            )
        ),
        "near_duplicates": serializers.ListField(
            help_text="Imported keywords that differ from another keyword of the site only by plural, "
            "word order, stop words or a year (imported; shown so the user can disable one).",
            child=inline_serializer(
                "KeywordNearDuplicate",
                {"keyword": serializers.CharField(), "existing": serializers.CharField()},
            ),
        ),
    },
)


class ClusterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clusters
        fields = ["id", "site", "name", "description", "keywords_count", "status", "created_at", "updated_at"]
        read_only_fields = fields


class OutlineSectionSerializer(serializers.Serializer):
    heading = serializers.CharField()
    level = serializers.ChoiceField(choices=[2, 3])
    points = serializers.ListField(child=serializers.CharField())


class OutlineSerializer(serializers.Serializer):
    """An idea's outline (ai.outline.clean_outline); {} for an idea made before outlines."""

    sections = OutlineSectionSerializer(many=True, required=False)
    faq = serializers.ListField(child=serializers.CharField(), required=False, help_text="FAQ questions.")


@extend_schema_field(OutlineSerializer)
class OutlineField(serializers.JSONField):
    """The stored outline, served as stored; the schema gives its shape."""


class IdeaSerializer(serializers.ModelSerializer):
    # No default: with one, DRF leaves the field out of PATCH answers (partial) when there is no cluster.
    cluster_name = serializers.CharField(source="cluster.name", read_only=True, allow_null=True)
    task = serializers.SerializerMethodField(help_text="The writer task made from this idea, if any.")
    target_keywords = serializers.ListField(child=serializers.CharField(), read_only=True)
    outline = OutlineField(read_only=True)

    class Meta:
        model = ContentIdeas
        fields = [
            "id",
            "site",
            "idea_title",
            "description",
            "content_type",
            "content_structure",
            "target_keywords",
            "outline",
            "cluster",
            "cluster_name",
            "status",
            "task",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_task(self, obj) -> int | None:
        return _task_id(obj)


# --- filters ----------------------------------------------------------------------------


class KeywordFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Keywords.Status.choices)
    intent = django_filters.ChoiceFilter(choices=Keywords.Intent.choices)
    cluster = django_filters.NumberFilter(field_name="cluster_id", help_text="Cluster id.")
    disabled = django_filters.BooleanFilter()

    class Meta:
        model = Keywords
        fields = ["status", "intent", "cluster", "disabled"]


class ClusterFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Clusters.Status.choices)

    class Meta:
        model = Clusters
        fields = ["status"]


class IdeaFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ContentIdeas.Status.choices)
    cluster = django_filters.NumberFilter(field_name="cluster_id", help_text="Cluster id.")

    class Meta:
        model = ContentIdeas
        fields = ["status", "cluster"]


# --- views ------------------------------------------------------------------------------

_LIST_DOC = extend_schema(parameters=[SITE_ID_FILTER])


@extend_schema_view(list=_LIST_DOC)
class KeywordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    """Keywords of the account's sites. `PATCH` edits volume, difficulty, intent and `disabled`."""

    queryset = Keywords.objects.select_related("cluster")
    serializer_class = KeywordSerializer
    filterset_class = KeywordFilter
    search_fields = ["keyword"]
    ordering_fields = ["id", "keyword", "volume", "difficulty", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return KeywordCreateSerializer
        return super().get_serializer_class()

    @extend_schema(responses={201: KeywordSerializer, **error_responses(404)})
    def create(self, request, *args, **kwargs):
        site = get_site_or_404(request)  # tenancy before validation: another account's site is a bare 404
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("site_id")
        try:
            keyword = create_keyword(site, **data)
        except DuplicateKeyword as exc:
            raise serializers.ValidationError({"keyword": [str(exc)]}) from exc
        return Response(KeywordSerializer(keyword).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        delete_keywords([instance])

    @extend_schema(
        summary="Delete several keywords",
        request=ids_request("KeywordBulkDelete", 1000),
        responses={
            200: inline_serializer("BulkDeleteResult", {"deleted": serializers.IntegerField()}),
            **error_responses(404),
        },
    )
    @action(detail=False, methods=["post"])
    def bulk_delete(self, request):
        keywords = self.get_owned_or_404(IdsSerializer.parse(request))
        return Response({"deleted": delete_keywords(keywords)})

    @extend_schema(
        summary="Import keywords from a CSV file",
        description=(
            "Multipart upload (`file`) of a CSV with a header row and a `keyword` column; optional `volume`, "
            "`difficulty` (0-100) and `intent` (informational, commercial, transactional, navigational). "
            f"At most {csv_import.MAX_FILE_BYTES // (1024 * 1024)} MB and {csv_import.MAX_ROWS} rows. "
            "Bad rows are reported in `errors` and skipped; duplicates (case-insensitive, within the file or "
            "already on the site) are counted. 400 for a file that is not CSV, too large or has no keyword column."
        ),
        parameters=[SITE_ID_REQUIRED],
        request={"multipart/form-data": KeywordImportSerializer},
        responses={200: KeywordImportResultSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_csv(self, request):
        site = get_site_or_404(request)
        upload = KeywordImportSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            result = csv_import.import_keywords(site, upload.validated_data["file"])
        except csv_import.CSVFileError as exc:
            raise serializers.ValidationError({"file": [str(exc)]}) from exc
        return Response(result.as_dict())

    @ai_action_schema("auto_cluster", "keywords")
    @action(detail=False, methods=["post"])
    def auto_cluster(self, request):
        return run_ai_function(self, request, "auto_cluster")


@extend_schema_view(list=_LIST_DOC)
class ClusterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    queryset = Clusters.objects.all()
    serializer_class = ClusterSerializer
    filterset_class = ClusterFilter
    search_fields = ["name"]
    ordering_fields = ["id", "name", "keywords_count", "created_at"]

    @ai_action_schema("generate_ideas", "clusters")
    @action(detail=False, methods=["post"])
    def generate_ideas(self, request):
        return run_ai_function(self, request, "generate_ideas")


@extend_schema_view(list=_LIST_DOC)
class IdeaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    queryset = ContentIdeas.objects.select_related("cluster", "task")
    serializer_class = IdeaSerializer
    filterset_class = IdeaFilter
    search_fields = ["idea_title"]
    ordering_fields = ["id", "idea_title", "created_at"]

    @ai_action_schema("queue_to_writer", "ideas")
    @action(detail=False, methods=["post"])
    def queue_to_writer(self, request):
        return run_ai_function(self, request, "queue_to_writer")
