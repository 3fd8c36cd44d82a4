from django.urls import path

from . import views

urlpatterns = [
    path("", views.period_list, name="period_list"),
    path("hasil-nasional/", views.published_result_list, name="published_result_list"),
    path("reviu/", views.review_queue, name="review_queue"),
    path("tugas/", views.officer_todo, name="officer_todo"),
    path("bukti/<id:pk>/", views.evidence_download, name="evidence_download"),
    path("bukti/<id:pk>/lihat/", views.evidence_view, name="evidence_view"),
    path("baru/", views.period_new, name="period_new"),
    path("<id:period_id>/", views.period_detail, name="period_detail"),
    path("<id:period_id>/tahapan/", views.period_stages_edit, name="period_stages_edit"),
    path("<id:period_id>/peserta/", views.period_enrolment, name="period_enrolment"),
    path("<id:period_id>/status/", views.period_transition, name="period_transition"),
    path("<id:period_id>/nilai-eksternal/", views.external_scores, name="external_scores"),
    path("<id:period_id>/hasil-tahap/", views.stage_results, name="stage_results"),
    path("<id:period_id>/ekspor/<str:kind>.<str:file_format>", views.period_export, name="period_export"),
    path("<id:period_id>/<str:code>/", views.assessment_detail, name="assessment_detail"),
    path("<id:period_id>/<str:code>/bukti.zip", views.assessment_evidence_zip, name="assessment_evidence_zip"),
    path("<id:period_id>/<str:code>/riwayat.<str:file_format>", views.assessment_history, name="assessment_history"),
    path("<id:period_id>/<str:code>/bahan-interviu.pdf", views.interview_kit, {"file_format": "pdf"}, name="interview_kit_pdf"),
    path("<id:period_id>/<str:code>/bahan-interviu.docx", views.interview_kit, {"file_format": "docx"}, name="interview_kit_docx"),
    path("<id:period_id>/<str:code>/<str:indicator_code>/", views.item_detail, name="item_detail"),
]
