from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from agencies.views import notification_list, notification_open

from .home import health, home

class FaviconRedirect(RedirectView):
    """For browsers and tools that ask for /favicon.ico without reading the page's <link rel="icon">."""

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.ico")  # at request time: the hashed name comes from the collected manifest


urlpatterns = [
    path("", home, name="home"),
    path("akun/", include("agencies.accounts")),
    path("instansi/", include("agencies.urls")),
    path("penilaian/", include("assessments.urls")),
    path("rapat/", include("meetings.urls")),
    path("laporan/", include("reports.urls")),
    path("verifikasi/", include("documents.urls")),
    path("", include("dashboards.urls")),
    path("notifikasi/", notification_list, name="notification_list"),
    path("notifikasi/<id:pk>/", notification_open, name="notification_open"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz/", health, name="health"),
    path("favicon.ico", FaviconRedirect.as_view()),
]
