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
