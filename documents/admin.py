from django.contrib import admin

from .models import IssuedDocument


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are issued by the rendering services, never typed in."""

    list_display = ("document_number", "title", "kind", "state", "issued_at", "issuer")
    list_filter = ("kind", "state")
    search_fields = ("document_number", "title", "code", "sha256")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
