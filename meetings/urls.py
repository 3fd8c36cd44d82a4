from django.urls import path

from . import views

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("baru/", views.meeting_create, name="meeting_create"),
    path("tindak-lanjut/", views.follow_up_tracker, name="follow_up_tracker"),
    path("tindak-lanjut/<id:pk>/", views.follow_up_detail, name="follow_up_detail"),
    path("tindak-lanjut/<id:pk>/bukti/<id:evidence_pk>/", views.follow_up_evidence_download, name="follow_up_evidence_download"),
    path("tindak-lanjut/<id:pk>/bukti/<id:evidence_pk>/lihat/", views.follow_up_evidence_download, {"inline": True}, name="follow_up_evidence_view"),
    path("<id:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<id:pk>/ubah/", views.meeting_edit, name="meeting_edit"),
    path("<id:pk>/status/", views.meeting_transition, name="meeting_transition"),
    path("<id:pk>/lampiran/", views.meeting_attachment_add, name="meeting_attachment_add"),
    path("<id:pk>/lampiran/<id:attachment_pk>/", views.meeting_attachment_download, name="meeting_attachment_download"),
    path("<id:pk>/lampiran/<id:attachment_pk>/lihat/", views.meeting_attachment_download, {"inline": True}, name="meeting_attachment_view"),
    path("<id:pk>/tindak-lanjut/", views.follow_up_create, name="follow_up_create"),
    path("<id:pk>/notulen/status/", views.minutes_box, name="minutes_box"),
    path("<id:pk>/notulen/draf/", views.minutes_draft_request, name="minutes_draft_request"),
    path("<id:pk>/notulen/coba-lagi/", views.minutes_render_retry, name="minutes_render_retry"),
    path("<id:pk>/notulen.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<id:pk>/notulen/<id:minutes_pk>/", views.minutes_edition_download, name="minutes_edition_download"),
    path("<id:pk>/notulen/<id:minutes_pk>/lihat/", views.minutes_edition_download, {"inline": True}, name="minutes_edition_view"),
]
