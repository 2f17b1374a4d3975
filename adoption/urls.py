from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

from adoption import views, views_api_clients, views_api_docs
from children import api_records_urls
from children.views.timeline_print import child_timeline_print
from reporting import api_urls as reporting_api_urls
from reporting.views import home
from reporting.views_search import search_page

handler400 = "adoption.views.error_400"
handler403 = "adoption.views.error_403"
handler404 = "adoption.views.error_404"
handler500 = "adoption.views.error_500"

api_v1: list[URLPattern | URLResolver] = [
    path("", include("children.api_urls")),
    path("ssda903/", include("children.ssda903.api")),
    path("households/", include("adopters.api")),
    path("panel-items/", include("panels.api")),
    path("asf-applications/", include("support.api")),
    path("sibling-groups/", include(api_records_urls.sibling_groups)),
    path("matches/", include(api_records_urls.matches)),
    path("placements/", include(api_records_urls.placements)),
    path("returns/", include(reporting_api_urls.returns)),
    path("scorecards/", include(reporting_api_urls.scorecards)),
    path("codes/", include("adoption.api_codes")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
]

urlpatterns = [
    path("", home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("sign-in/two-factor/setup/", views.mfa_setup, name="mfa-setup"),
    path("sign-in/two-factor/", views.mfa_verify, name="mfa-verify"),
    path("session/extend/", views.session_extend, name="session-extend"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job-detail"),
    path("jobs/<uuid:job_id>/download/", views.job_download, name="job-download"),
    path("search/", search_page, name="search"),
    path("children/<int:child_id>/timeline/print/", child_timeline_print, name="child-timeline-print"),
    path("children/", include("children.urls")),
    path("households/", include("adopters.urls")),
    path("panels/", include("panels.urls")),
    path("support/", include("support.urls")),
    path("ssda903/", include("children.ssda903.urls")),
    path("reports/", include("reporting.urls")),
    path("api-clients/", views_api_clients.api_client_list_page, name="api-clients"),
    path("api-clients/new/", views_api_clients.api_client_create_page, name="api-client-create"),
    path("api-clients/<int:client_id>/", views_api_clients.api_client_detail_page, name="api-client-detail"),
    path("api-clients/<int:client_id>/rotate/", views_api_clients.api_client_rotate_page, name="api-client-rotate"),
    path("api-clients/<int:client_id>/revoke/", views_api_clients.api_client_revoke_page, name="api-client-revoke"),
    path("retention/", include("adoption.retention.urls")),
    path("api/docs/", views_api_docs.api_docs_page, name="api-docs"),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]
