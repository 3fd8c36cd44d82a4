from django.contrib import admin

from spbe_portal.admin_site import ReadOnlyAdmin

from .models import Attendee, FollowUp, FollowUpEvent, Meeting, MeetingAttachment, MeetingEvent, Reminder


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0
    fields = ["name", "position", "agency", "user"]
    autocomplete_fields = ["agency", "user"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Meetings are recorded on the portal's pages (with their rules and history); the admin
    lists and searches them."""

    list_display = ["title", "starts_at", "place", "organiser", "state"]
    list_filter = ["state", "organiser", ("participants", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "place", "chair", "discussion", "decisions"]
    date_hierarchy = "starts_at"
    readonly_fields = [f.name for f in Meeting._meta.fields] + ["participants"]
    inlines = [AttendeeInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["agency", "description", "owner", "due_date", "state", "meeting", "stage_result"]
    list_filter = ["state", "agency", "due_date"]
    search_fields = ["description", "owner__full_name", "agency__name"]
    list_select_related = ["agency", "owner", "meeting", "stage_result__item__assessment__agency", "stage_result__item__assessment__period",
                           "stage_result__item__indicator"]
    readonly_fields = [f.name for f in FollowUp._meta.fields] + ["indicators"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeetingEvent, FollowUpEvent, MeetingAttachment, Reminder)
class RecordAdmin(ReadOnlyAdmin):
    def get_list_display(self, request):
        return [f.name for f in self.model._meta.fields if f.name not in ("id", "file")][:7]


    def get_exclude(self, request, obj=None):
        return ["file"] if any(f.name == "file" for f in self.model._meta.fields) else []
