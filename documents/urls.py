from django.urls import path

from . import views

urlpatterns = [
    path("<str:code>/", views.document_verify, name="document_verify"),
]
