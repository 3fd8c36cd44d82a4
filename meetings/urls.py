from django.urls import path

from . import views

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("baru/", views.meeting_create, name="meeting_create"),
    path("tindak-lanjut/", views.follow_up_tracker, name="follow_up_tracker"),
    path("tindak-lanjut/<int:pk>/", views.follow_up_detail, name="follow_up_detail"),
    path("tindak-lanjut/<int:pk>/bukti/<int:evidence_pk>/", views.follow_up_evidence_download, name="follow_up_evidence_download"),
    path("tindak-lanjut/<int:pk>/bukti/<int:evidence_pk>/lihat/", views.follow_up_evidence_download, {"inline": True}, name="follow_up_evidence_view"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/ubah/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/status/", views.meeting_transition, name="meeting_transition"),
    path("<int:pk>/lampiran/", views.meeting_attachment_add, name="meeting_attachment_add"),
    path("<int:pk>/lampiran/<int:attachment_pk>/", views.meeting_attachment_download, name="meeting_attachment_download"),
    path("<int:pk>/lampiran/<int:attachment_pk>/lihat/", views.meeting_attachment_download, {"inline": True}, name="meeting_attachment_view"),
    path("<int:pk>/tindak-lanjut/", views.follow_up_create, name="follow_up_create"),
    path("<int:pk>/notulen.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<int:pk>/notulen/<int:minutes_pk>/", views.minutes_edition_download, name="minutes_edition_download"),
    path("<int:pk>/notulen/<int:minutes_pk>/lihat/", views.minutes_edition_download, {"inline": True}, name="minutes_edition_view"),
]
