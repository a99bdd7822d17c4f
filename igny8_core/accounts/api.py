"""Auth (token for scripts, session + CSRF for the dashboard) and the account's sites."""

from django.contrib.auth import login, logout
from django.core.validators import DomainNameValidator
from django.db import IntegrityError, transaction
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from igny8_core.api.errors import Conflict
from igny8_core.api.schema import ErrorSerializer, error_responses
from igny8_core.api.throttles import AuthTokenThrottle

from .models import Account, Site, User
from .services import SiteInUse, delete_site
from .signals import site_timezone_changed

# --- auth ----------------------------------------------------------------------------------


class AccountSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "credits_balance"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    account = AccountSummarySerializer(read_only=True)
    # A plain string: users may have no e-mail address ("" is not format: email).
    email = serializers.CharField(read_only=True, help_text="The user's e-mail address; empty when none is set.")

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "account"]
        read_only_fields = fields


class CredentialsSerializer(AuthTokenSerializer):
    """username + password; 400 `non_field_errors` when they do not match an active user."""

    token = None  # AuthTokenSerializer declares a read-only `token` field we never return


TokenSerializer = inline_serializer("AuthToken", {"token": serializers.CharField()})
_CSRF_403 = OpenApiResponse(ErrorSerializer, description="Missing or wrong CSRF token (send X-CSRFToken).")


def _authenticated_user(request) -> User:
    serializer = CredentialsSerializer(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["user"]


class TokenView(APIView):
    """Exchange username + password for the user's API token (the same token on every call)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthTokenThrottle]

    @extend_schema(summary="Get an API token", request=CredentialsSerializer, responses={200: TokenSerializer})
    def post(self, request):
        token, _ = Token.objects.get_or_create(user=_authenticated_user(request))
        return Response({"token": token.key})


class LoginView(APIView):
    """Start a dashboard session. Needs the CSRF cookie from `GET auth/csrf/` echoed as X-CSRFToken."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthTokenThrottle]

    @extend_schema(
        summary="Log in (session)", request=CredentialsSerializer, responses={200: MeSerializer, 403: _CSRF_403}
    )
    def post(self, request):
        # DRF views are CSRF-exempt and the user is anonymous here, so enforce it explicitly:
        # a forged login would put the victim's browser into the attacker's account.
        SessionAuthentication().enforce_csrf(request)
        user = _authenticated_user(request)
        login(request._request, user)
        return Response(MeSerializer(user).data)


class LogoutView(APIView):
    """End the session; called with a token, revokes that token (the next `auth/token/` makes a new one)."""

    permission_classes = [AllowAny]

    @extend_schema(summary="Log out", request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, Token):
            request.auth.delete()
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(summary="The current user, their account and its credit balance", responses=MeSerializer)
    def get(self, request):
        user = User.objects.select_related("account").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)


class SessionSerializer(serializers.Serializer):
    authenticated = serializers.BooleanField()
    user = MeSerializer(allow_null=True)


class SessionView(APIView):
    """Who is signed in, answered 200 either way: the dashboard asks before it knows, and a
    401 for the ordinary signed-out case would be logged as an error by every browser."""

    permission_classes = [AllowAny]

    @extend_schema(summary="The signed-in user, or null when signed out", responses=SessionSerializer)
    def get(self, request):
        if not request.user.is_authenticated:
            return Response({"authenticated": False, "user": None})
        user = User.objects.select_related("account").get(pk=request.user.pk)
        return Response({"authenticated": True, "user": MeSerializer(user).data})


class CsrfView(APIView):
    """Sets the `csrftoken` cookie for the dashboard (send its value as X-CSRFToken on unsafe requests)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Get a CSRF cookie", responses=inline_serializer("CsrfToken", {"csrf_token": serializers.CharField()})
    )
    def get(self, request):
        # get_token() also makes CsrfViewMiddleware set the cookie on this response.
        return Response({"csrf_token": get_token(request._request)})


# --- sites --------------------------------------------------------------------------------


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "domain",
            "timezone",
            "language",
            "topic",
            "tone",
            "in_article_images",
            "audience",
            "brand_voice",
            "avoid_terms",
            "duplicate_threshold",
            "generate_images",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "domain": {"help_text": "Bare domain, e.g. example.com (unique in your account)."},
            "in_article_images": {"min_value": 0, "max_value": 10},
            "audience": {"max_length": 2000},
            "brand_voice": {"max_length": 5000},
            "avoid_terms": {"max_length": 5000},
            "duplicate_threshold": {"min_value": 0, "max_value": 100},
        }

    def validate_domain(self, value):
        domain = value.strip().lower().rstrip(".")
        if "://" in domain or "/" in domain:
            raise serializers.ValidationError("Give the bare domain, e.g. example.com (no scheme or path).")
        DomainNameValidator(message="Enter a valid domain name, e.g. example.com.")(domain)
        account_id = self.context["request"].user.account_id
        taken = Site.objects.filter(account_id=account_id, domain__iexact=domain)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError("Your account already has a site with this domain.")
        return domain


@extend_schema_view(
    create=extend_schema(summary="Create a site", description="`{name, domain}` at least; 201 with the site."),
    partial_update=extend_schema(summary="Update a site"),
    destroy=extend_schema(
        summary="Delete a site and everything it owns",
        description="Cascades to the site's keywords, clusters, ideas, tasks, content, images (and their "
        "files), runs (and their logs), configuration, WordPress connection and notification targets. "
        "The account's credit ledger keeps its rows, without the site. 409 `site_has_active_run` while an "
        "automation run of the site is running or paused (cancel it first).",
        responses={204: None, **error_responses(409)},
    ),
)
class SiteViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SiteSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Site.objects.none()
        return Site.objects.filter(account_id=self.request.user.account_id).order_by("id")

    def perform_create(self, serializer):
        self._save(serializer, account_id=self.request.user.account_id)

    def perform_update(self, serializer):
        old_timezone = serializer.instance.timezone
        self._save(serializer)
        if serializer.instance.timezone != old_timezone:
            site_timezone_changed.send(sender=Site, site=serializer.instance)

    def perform_destroy(self, instance):
        try:
            delete_site(instance)
        except SiteInUse as exc:
            raise Conflict(detail={"detail": str(exc), "code": exc.code, **exc.extra}) from None

    @staticmethod
    def _save(serializer, **extra):
        try:
            with transaction.atomic():
                serializer.save(**extra)
        except IntegrityError:  # a concurrent request took the domain between validation and save
            raise serializers.ValidationError(
                {"domain": ["Your account already has a site with this domain."]}
            ) from None
