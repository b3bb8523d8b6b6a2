"""Every route: the items API, health, the OpenAPI document and its interactive docs."""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularSwaggerView

from items import health
from items.views import OpenApiView

urlpatterns: list[URLPattern | URLResolver] = [
    path("health", health.HealthView.as_view(), name="health"),
    path("health/live", health.LiveView.as_view(), name="health-live"),
    path("openapi.json", OpenApiView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerView.as_view(url_name="openapi"), name="docs"),
    path("", include("items.urls")),
]

# Django's own error pages are HTML; these answer JSON (they apply with DEBUG off, which is
# the default here: DEBUG=1 shows Django's debug pages instead).
handler400 = "items.errors.bad_request"
handler403 = "items.errors.forbidden"
handler404 = "items.errors.not_found"
handler500 = "items.errors.server_error"
