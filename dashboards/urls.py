from django.urls import path, re_path

from . import api, views

urlpatterns = [
    path("dasbor/", views.dashboard, name="dashboard"),
    path("dasbor/tren/", views.trends, name="trends"),
    path("dasbor/<id:period_id>/", views.province_dashboard, name="province_dashboard"),
    path("dasbor/<id:period_id>/<str:code>/", views.regency_dashboard, name="regency_dashboard"),
    path("dasbor/<id:period_id>/<str:code>/simulasi/", views.whatif, name="whatif"),
    path("api/v1/openapi.json", api.openapi, name="api_openapi"),
    path("api/v1/periods/", api.periods, name="api_periods"),
    path("api/v1/agencies/", api.agencies, name="api_agencies"),
    path("api/v1/periods/<id:period_id>/indices/", api.period_indices, name="api_period_indices"),
    path("api/v1/periods/<id:period_id>/indices/<str:code>/", api.agency_indices, name="api_agency_indices"),
    # Last: any other path under /api/ answers JSON too (404, or 301 to the path with a slash).
    re_path(r"^api/", api.not_found, name="api_not_found"),
]
