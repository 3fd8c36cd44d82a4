from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from agencies.access import is_administrator
from spbe_portal.admin_site import ReadOnlyAdmin

from .framework_files import FrameworkFileError
from .models import (
    Assessment,
    AssessmentPeriod,
    Evidence,
    IndicatorRevision,
    ItemEvent,
    Framework,
    FrameworkNode,
    FrameworkVersion,
    IndicatorAssessment,
    PeriodEvent,
    PublishedResult,
    PublishedResultEvent,
    StageReminder,
)
from .published_results import PublishedResultsError, read_table, validate_rows
from .services import framework_load, period_create, published_results_correct, published_results_save

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, extensions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.extensions = extensions
        self.fields["file"].widget.attrs["accept"] = ",".join(extensions)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(self.extensions):
            raise ValidationError(_("Choose a file ending in %(extensions)s.") % {"extensions": ", ".join(self.extensions)})
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload


class PublishedResultUploadForm(UploadForm):
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=2000, max_value=2100,
        help_text=_("The year of every row, when the table has no year column (as in the ministry's published tables)."),
    )
    correct = forms.BooleanField(
        label=_("Correct results already imported"), required=False,
        help_text=_("Every row must name a result already imported; its index is changed and the change recorded with the reason."),
    )
    reason = forms.CharField(label=_("Reason for the correction"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("correct") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("A correction needs a reason."))
        return cleaned


class UploadAdminMixin:
    """An admin page with one file field, reached from a button on the change list. Subclasses
    say what the upload does in ``process_upload`` (return a success message, or raise
    ValueError whose lines are shown as errors)."""

    upload_title = ""
    upload_help = ""
    upload_extensions = ()
    upload_form_class = UploadForm
    change_list_template = "admin/upload_change_list.html"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [path("upload/", self.admin_site.admin_view(self.upload_view), name="%s_%s_upload" % info)] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = {"upload_url": reverse("admin:%s_%s_upload" % info), "upload_title": self.upload_title}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def upload_view(self, request):
        opts = self.model._meta
        if not request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
            return redirect("admin:index")
        form = self.upload_form_class(request.POST or None, request.FILES or None, extensions=self.upload_extensions)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            options = {key: value for key, value in form.cleaned_data.items() if key != "file"}
            try:
                message = self.process_upload(request, upload.name, upload.read(), **options)
            except ValueError as error:
                problems = [line for line in str(error).splitlines() if line.strip()]
            else:
                messages.success(request, message)
                info = self.model._meta.app_label, self.model._meta.model_name
                return redirect("admin:%s_%s_changelist" % info)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": self.upload_title,
            "help": self.upload_help,
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/upload_form.html", context)


class FrameworkNodeInline(admin.TabularInline):
    model = FrameworkNode
    fields = ["code", "name", "tier_label", "weight", "level_scale", "externally_scored", "external_source"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False  # frameworks come from files: Framework versions → Load a framework file


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(UploadAdminMixin, admin.ModelAdmin):
    list_display = ["name", "framework", "number", "index_name", "first_year", "last_year", "loaded_at", "loaded_by"]
    list_filter = ["framework"]
    search_fields = ["name", "framework__code", "regulation"]
    readonly_fields = [
        "framework", "number", "name", "index_name", "regulation", "source_note", "first_year", "last_year",
        "content_sha256", "source_file", "loaded_at", "loaded_by",
    ]
    exclude = ["definition"]
    inlines = [FrameworkNodeInline]
    upload_title = _("Load a framework file")
    upload_help = _(
        "A YAML or JSON framework file (see docs/frameworks.md). It is checked before anything is written. "
        "The same content twice changes nothing; a version already used by a period takes corrected texts "
        "(names, explanations, criteria, notes) in place, and any other change becomes a new version."
    )
    upload_extensions = (".yaml", ".yml", ".json")

    def process_upload(self, request, name, content):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(_("The file is not UTF-8 text.")) from None
        try:
            return framework_load(text=text, name=name, actor=request.user).message
        except FrameworkFileError as error:
            raise ValueError("\n".join(error.errors)) from None

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PeriodEventInline(admin.TabularInline):
    model = PeriodEvent
    fields = ["at", "actor", "from_state", "to_state", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AssessmentPeriodForm(forms.ModelForm):
    class Meta:
        model = AssessmentPeriod
        fields = ["name", "year", "framework_version", "self_assessment_opens", "self_assessment_closes", "review_deadline"]

    def clean(self):
        cleaned = super().clean()
        opens, closes, deadline = (cleaned.get(k) for k in ("self_assessment_opens", "self_assessment_closes", "review_deadline"))
        if opens and closes and deadline and not (opens <= closes <= deadline):
            raise ValidationError(_("The self-assessment must open before it closes, and close before the review deadline."))
        return cleaned


@admin.register(AssessmentPeriod)
class AssessmentPeriodAdmin(admin.ModelAdmin):
    form = AssessmentPeriodForm
    list_display = ["name", "year", "framework_version", "self_assessment_opens", "self_assessment_closes", "review_deadline", "state"]
    list_filter = ["state", "year", "framework_version__framework"]
    search_fields = ["name"]
    readonly_fields = ["state"]
    inlines = [PeriodEventInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_read_only:
            return ["name", "year", "framework_version", "self_assessment_opens", "self_assessment_closes", "review_deadline", "state"]
        if obj is not None:
            # The framework of a period with assessments never changes; states change on the period page.
            return ["state", "framework_version", "year"] if obj.assessments.exists() else ["state"]
        return ["state"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = period_create(
            name=obj.name,
            year=obj.year,
            framework_version=obj.framework_version,
            opens=obj.self_assessment_opens,
            closes=obj.self_assessment_closes,
            review_deadline=obj.review_deadline,
            actor=request.user,
        )
        obj.pk = created.pk
        obj.state = created.state

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.assessments.exists()


class IndicatorAssessmentInline(admin.TabularInline):
    model = IndicatorAssessment
    fields = ["indicator", "state", "level", "verified_level", "target_level", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["agency", "period", "created_at"]
    list_filter = ["period", "agency__kind"]
    search_fields = ["agency__name", "agency__code", "period__name"]
    list_select_related = ["agency", "period"]
    readonly_fields = ["period", "agency", "created_at"]
    inlines = [IndicatorAssessmentInline]

    def has_add_permission(self, request):
        # Agencies are enrolled in a period on the portal's enrolment page (every item in one
        # transaction): no "add" button here, and the add address leads to the portal.
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not is_administrator(request.user):
            raise PermissionDenied
        messages.info(request, _("Agencies are enrolled in a period on the period's page: Enrolled agencies."))
        return redirect("period_list")

    def has_delete_permission(self, request, obj=None):
        return False


class PublishedResultEventInline(admin.TabularInline):
    model = PublishedResultEvent
    fields = ["at", "actor", "from_index", "to_index", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PublishedResult)
class PublishedResultAdmin(UploadAdminMixin, admin.ModelAdmin):
    list_display = ["agency", "year", "index", "source", "imported_at", "imported_by"]
    list_filter = ["year", "agency__kind"]
    search_fields = ["agency__name", "agency__code", "source"]
    list_select_related = ["agency", "imported_by"]
    readonly_fields = ["agency", "year", "framework_version", "index", "levels", "source", "imported_at", "imported_by"]
    inlines = [PublishedResultEventInline]
    upload_title = _("Import published results")
    upload_help = _(
        "CSV (UTF-8, comma or semicolon) or Excel with the columns agency_code (or Nama Instansi: the official name), "
        "year (or the year below), index (Indeks), optional Predikat (checked against the index), source, and "
        "optionally one column per indicator code with its level. Title rows above the header are skipped. Every "
        "row is checked first: a file with any bad row imports nothing."
    )
    upload_extensions = (".csv", ".xlsx")
    upload_form_class = PublishedResultUploadForm

    def process_upload(self, request, name, content, year=None, correct=False, reason=""):
        try:
            rows = validate_rows(read_table(content, name), year=year, correct=correct)
        except PublishedResultsError as error:
            raise ValueError("\n".join(error.lines())) from None
        if correct:
            events = published_results_correct(rows=rows, reason=reason, actor=request.user)
            return _("%(count)s published results corrected.") % {"count": len(events)}
        published_results_save(rows=rows, actor=request.user)
        return _("%(count)s published results imported.") % {"count": len(rows)}

    def has_add_permission(self, request):
        return False  # results arrive by import, checked as a whole file

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IndicatorAssessment)
class IndicatorAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "indicator", "state", "level", "verified_level", "target_level", "external_value", "person_in_charge", "updated_at"]
    list_filter = ["state", "assessment__period", "assessment__agency"]
    search_fields = ["indicator__code", "indicator__name", "assessment__agency__name", "justification"]
    list_select_related = ["assessment__agency", "assessment__period", "indicator", "person_in_charge"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["label", "item", "level", "kind", "size", "sha256", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", "item__assessment__period", "item__assessment__agency"]
    search_fields = ["original_name", "description", "url", "sha256", "item__indicator__code"]
    list_select_related = ["item__assessment__agency", "item__assessment__period", "item__indicator", "uploaded_by"]
    exclude = ["file"]  # downloads go through the permission-checked view, never a storage URL


@admin.register(ItemEvent)
class ItemEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "item", "action", "from_state", "to_state", "actor", "revision"]
    list_filter = ["action", "item__assessment__period", "item__assessment__agency"]
    search_fields = ["note", "item__indicator__code", "actor__username", "actor__full_name"]
    list_select_related = ["item__assessment__agency", "item__assessment__period", "item__indicator", "actor"]
    date_hierarchy = "at"


@admin.register(IndicatorRevision)
class IndicatorRevisionAdmin(ReadOnlyAdmin):
    list_display = ["item", "number", "state", "level", "closed_at", "closed_by"]
    list_filter = ["state", "item__assessment__period"]
    search_fields = ["item__indicator__code", "justification", "review_note"]
    list_select_related = ["item__assessment__agency", "item__assessment__period", "item__indicator", "closed_by"]


@admin.register(PublishedResultEvent)
class PublishedResultEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "result", "from_index", "to_index", "actor", "reason"]
    list_filter = ["result__year"]
    search_fields = ["result__agency__name", "result__agency__code", "reason"]
    list_select_related = ["result__agency", "actor"]
    date_hierarchy = "at"


@admin.register(StageReminder)
class StageReminderAdmin(ReadOnlyAdmin):
    """Who got the daily stage reminder, which day, listing what (assessments.services.stage_reminders)."""

    list_display = ["day", "user", "kind", "summary", "sent_at"]
    list_filter = ["kind", "day"]
    search_fields = ["user__username", "user__full_name", "summary"]
    list_select_related = ["user"]
