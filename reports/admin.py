from django.contrib import admin

from .models import IndexSnapshot, ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "agency", "period", "state", "attempts", "duration_ms", "requested_by", "schedule_slot"]
    list_filter = ["state", "kind", "period"]
    search_fields = ["agency__name", "agency__code", "schedule_slot", "error"]
    list_select_related = ["agency", "period", "requested_by"]
    exclude = ["pdf", "xlsx", "csv_zip"]  # downloads go through the permission-checked view

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndexSnapshot)
class IndexSnapshotAdmin(admin.ModelAdmin):
    list_display = ["taken_on", "agency", "period", "self_index", "verified_index"]
    list_filter = ["period", "taken_on"]
    search_fields = ["agency__name", "agency__code"]
    list_select_related = ["agency", "period"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
