from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("buat/", views.report_request, name="report_request"),
    path("kotak/", views.report_box, name="report_box"),
    path("<id:pk>/", views.report_detail, name="report_detail"),
    path("<id:pk>/unduh.<str:file_format>", views.report_download, name="report_download"),
]
