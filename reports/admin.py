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


# django-celery-beat's admin (the report schedules), in the page's language: its own strings are
# translated in locale/third_party (docs/architecture.md); columns it names after Python attributes
# get labels here; its English-only cron descriptions (cron-descriptor has no Indonesian) and the
# inline script of its change form are left out — the cron fields themselves are labelled.
from django.utils.translation import gettext_lazy as _  # noqa: E402
from django_celery_beat import admin as beat_admin  # noqa: E402
from django_celery_beat.models import CrontabSchedule, PeriodicTask  # noqa: E402


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    list_display = ("name", "enabled", "schedule_label", "interval", "crontab", "last_run_at", "one_off")
    change_form_template = None
    readonly_fields = ("last_run_at",)
    fieldsets = tuple(
        (title, {**options, "fields": tuple(name for name in options["fields"] if name != "crontab_translation")})
        for title, options in beat_admin.PeriodicTaskAdmin.fieldsets
    )

    @admin.display(description=_("Schedule"))
    def schedule_label(self, obj):
        return obj.scheduler

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return admin.ModelAdmin.changeform_view(self, request, object_id, form_url, extra_context)


class CrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin):
    list_display = ("__str__",)
    fields = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
    readonly_fields = ()


# Its model leaves this label untranslated.
PeriodicTask._meta.get_field("task").verbose_name = _("Task name")

for model, model_admin in ((PeriodicTask, PeriodicTaskAdmin), (CrontabSchedule, CrontabScheduleAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
