from django.contrib import admin

from spbe_portal.admin_site import ReadOnlyAdmin

from .models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    """Read-only: documents are issued by the rendering services, never typed in."""

    list_display = ("document_number", "title", "kind", "state", "issued_at", "issuer")
    list_filter = ("kind", "state")
    search_fields = ("document_number", "title", "code", "sha256")
