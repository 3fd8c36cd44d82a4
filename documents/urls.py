from django.urls import path

from . import views

urlpatterns = [
    path("<str:verification_code>/", views.document_verify, name="document_verify"),
]
