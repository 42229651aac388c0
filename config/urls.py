from django.contrib import admin
from django.urls import include, path

from archive.health import healthz

admin.site.site_header = "Sourced Figures Archive: editors"
admin.site.site_title = "Sourced Figures Archive"
admin.site.index_title = "Curate the archive"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("archive.urls")),
]

# The archive's own error pages, with its header, and errors in their own format for its data.
handler400 = "archive.views.pages.bad_request"
handler404 = "archive.views.pages.page_not_found"
handler500 = "archive.views.pages.server_error"
