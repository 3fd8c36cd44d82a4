from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from spbe_portal.admin_site import ReadOnlyAdmin

from .letterheads import LOGO_MAX_BYTES, heading_from, logo_type
from .models import AccessLogEntry, Agency, ApiToken, DocumentNumber, Letterhead, Membership, Notification, OutgoingEmail, User
from django import forms
from django.core.exceptions import ValidationError

from .lockouts import client_address
from .services import agency_save, agency_validate_placement, api_token_create, membership_change_log, membership_validate


class MembershipForm(forms.ModelForm):
    """Refuses a role where it may not be held (agencies.services.membership_validate)."""

    class Meta:
        model = Membership
        fields = ["user", "agency", "role"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("agency") and cleaned.get("role"):
            try:
                membership_validate(agency=cleaned["agency"], role=cleaned["role"])
            except ValidationError as error:
                self.add_error("role", error.error_dict["role"])
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["agency"]
    fields = ["agency", "role", "created_at"]
    readonly_fields = ["created_at"]


class HasRoleFilter(admin.SimpleListFilter):
    title = _("role in an agency")
    parameter_name = "has_role"

    def lookups(self, request, model_admin):
        return [("yes", _("Has a role")), ("no", _("Has no role"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(memberships__isnull=False).distinct()
        if self.value() == "no":
            return queryset.filter(memberships__isnull=True)
        return queryset


class RoleFilter(admin.SimpleListFilter):
    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Membership.Role.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(memberships__role=self.value()).distinct()
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "email", "position", "is_active", "last_login"]
    list_filter = ["is_active", HasRoleFilter, RoleFilter, "memberships__agency__kind", "is_superuser"]
    search_fields = ["username", "full_name", "email", "position", "employee_number", "memberships__agency__name"]
    ordering = ["full_name", "username"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "position", "employee_number", "email", "phone")}),
        (_("Access"), {"fields": ("is_active", "is_superuser", "oidc_subject", "last_login", "date_joined", "second_factor_status")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")}),
    )
    readonly_fields = ["oidc_subject", "last_login", "date_joined", "second_factor_status"]

    @admin.display(description=_("two-step sign-in"))
    def second_factor_status(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        from .second_factor import status

        if obj is None or obj.pk is None:
            return "—"
        state = status(obj)
        if not state["enabled"]:
            text = _("Off (must set it up at the next sign-in)") if state["required"] else _("Off")
            return text
        return format_html(
            '{} <a class="button" href="{}">{}</a>', _("On"),
            reverse("admin:agencies_user_second_factor_reset", args=[obj.pk]), _("Reset (lost phone)…"),
        )

    def get_urls(self):
        from django.urls import path

        return [
            path("<id:object_id>/dua-langkah/reset/", self.admin_site.admin_view(self.second_factor_reset_view),
                 name="agencies_user_second_factor_reset"),
            *super().get_urls(),
        ]

    def second_factor_reset_view(self, request, object_id):
        """Reset a person's second factor, with a reason (agencies.second_factor.reset)."""
        from django.contrib import messages
        from django.http import Http404
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse
        from django.urls import reverse

        from .forms import SecondFactorResetForm
        from .second_factor import reset

        person = self.get_object(request, object_id)
        if person is None or not self.has_change_permission(request, person):
            raise Http404
        form = SecondFactorResetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reset(user=person, by=request.user, reason=form.cleaned_data["reason"], ip_address=client_address(request))
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                self.message_user(request, _("Two-step sign-in of %(person)s is reset.") % {"person": person}, messages.SUCCESS)
                return redirect(reverse("admin:agencies_user_change", args=[person.pk]))
        return TemplateResponse(request, "admin/agencies/user/second_factor_reset.html", {
            **self.admin_site.each_context(request),
            "title": _("Reset two-step sign-in"), "person": person, "form": form, "opts": self.model._meta,
        })

    def save_formset(self, request, form, formset, change):
        """Memberships edited on the person's page go to the access log like those of the membership list."""
        instances = formset.save(commit=False)
        address = client_address(request)
        for membership in formset.deleted_objects:
            if isinstance(membership, Membership):
                membership_change_log(by=request.user, membership=membership, change="removed", ip_address=address)
            membership.delete()
        for membership in instances:
            created = membership.pk is None
            membership.save()
            if isinstance(membership, Membership):
                membership_change_log(by=request.user, membership=membership, change="granted" if created else "changed", ip_address=address)
        formset.save_m2m()


class AgencyAdminForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["code", "name", "short_name", "kind", "parent", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for field in ("code", "kind", "parent"):
                setattr(self.instance, field, cleaned.get(field))
            agency_validate_placement(self.instance)
        return cleaned


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyAdminForm
    list_display = ["code", "name", "short_name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "short_name"]
    ordering = ["path"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        agency_save(agency=obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "agency", "role", "created_at"]
    list_filter = ["role", "agency__kind", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__full_name", "agency__name", "agency__code"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        membership_change_log(by=request.user, membership=obj, change="changed" if change else "granted", ip_address=client_address(request))

    def delete_model(self, request, obj):
        membership_change_log(by=request.user, membership=obj, change="removed", ip_address=client_address(request))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "agency"):
            membership_change_log(by=request.user, membership=membership, change="removed", ip_address=client_address(request))
        super().delete_queryset(request, queryset)


# Roles are memberships per agency (agencies.access), not Django groups: hide groups to avoid a
# second, unused place to grant rights.
admin.site.unregister(Group)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["title", "body", "user__username", "user__full_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "title", "body", "url", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox: read only; the flush sends what is unsent (docs/operations.md)."""

    list_display = ["created_at", "recipient", "subject", "sent_at", "attempts"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient", "subject"]
    readonly_fields = ["recipient", "subject", "body", "html_body", "created_at", "sent_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens for other government systems. The key is shown once, right after it is created."""

    list_display = ["name", "user", "prefix", "is_active", "created_at", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "user__username", "prefix"]
    autocomplete_fields = ["user"]
    fields = ["name", "user", "is_active", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        from django.contrib import messages

        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = api_token_create(user=obj.user, name=obj.name, by=request.user, ip_address=client_address(request))
        obj.pk, obj.prefix, obj.key_hash = token.pk, token.prefix, token.key_hash
        messages.warning(request, _("Copy this key now; it is not shown again: %(key)s") % {"key": key})


class LetterheadAdminForm(forms.ModelForm):
    class Meta:
        model = Letterhead
        fields = ["agency", "government", "office", "address", "city", "phone", "email", "website", "logo", "number_format",
                  "head_name", "head_position", "head_nip"]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload
            if logo.size > LOGO_MAX_BYTES:
                raise forms.ValidationError(_("The logo is larger than 1 MB."))
            head = logo.read(16)
            logo.seek(0)
            if not logo_type(head):
                raise forms.ValidationError(_("The logo must be a PNG or JPEG image."))
        return logo

    def clean_number_format(self):
        value = self.cleaned_data["number_format"]
        if "{seq}" not in value or "{year}" not in value:
            raise forms.ValidationError(_("The format needs {seq} (the running number) and {year}."))
        return value


@admin.register(Letterhead)
class LetterheadAdmin(admin.ModelAdmin):
    """The kop surat of reports and minutes: changes apply to documents issued from now on; an
    issued document keeps the letterhead and number it was printed with."""

    form = LetterheadAdminForm
    list_display = ["office", "agency", "address", "updated_at"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["logo_preview"]

    @admin.display(description=_("logo as printed"))
    def logo_preview(self, obj):
        from django.utils.html import format_html

        heading = heading_from(obj, obj.agency) if obj and obj.pk else None
        if not heading or not heading.logo_uri:
            return "—"
        return format_html('<img src="{}" alt="" style="max-height:80px">', heading.logo_uri)


@admin.register(DocumentNumber)
class DocumentNumberAdmin(ReadOnlyAdmin):
    """The register of issued numbers: read-only, a number is never changed or reused."""

    list_display = ["number", "kind", "issuer", "issued_at"]
    list_filter = ["year", "issuer"]
    search_fields = ["number", "kind"]


# django-axes' pages, with an action that lifts a lock and records who lifted it.
from axes.admin import AccessAttemptAdmin  # noqa: E402
from axes.models import AccessAttempt  # noqa: E402

from .services import login_lock_lift  # noqa: E402

admin.site.unregister(AccessAttempt)

# A person's authenticator and recovery codes are managed on their own page (set up, turn off,
# new codes) and reset by an administrator from the person's page, with a reason in the access
# log: not edited as raw devices (which would show or let one plant a key).
from django_otp.plugins.otp_static.models import StaticDevice  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(AccessAttempt)
class PortalAccessAttemptAdmin(AccessAttemptAdmin):
    actions = ["lift_lock", "cleanup_expired_attempts"]

    @admin.action(description=_("Lift the lock of the selected attempts"))
    def lift_lock(self, request, queryset):
        self.log_deletions(request, queryset)
        count = login_lock_lift(attempts=queryset)
        self.message_user(request, _("Lock lifted for %(count)d attempt(s).") % {"count": count})


def anonymise_people(modeladmin, request, queryset):
    """Admin action: anonymise departed people, after asking why (agencies.services.person_anonymise)."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.template.response import TemplateResponse

    from .lockouts import client_address
    from .services import person_anonymise

    if request.POST.get("confirm") == "yes":
        reason = request.POST.get("reason", "")
        try:
            for person in queryset:
                person_anonymise(user=person, by=request.user, reason=reason, ip_address=client_address(request))
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        modeladmin.message_user(request, _("%(count)d people anonymised.") % {"count": len(queryset)}, messages.SUCCESS)
        return None
    return TemplateResponse(request, "admin/agencies/user/anonymise.html", {
        **modeladmin.admin_site.each_context(request),
        "title": _("Anonymise departed people"),
        "people": queryset,
        "opts": modeladmin.model._meta,
        "action_name": "anonymise_people",
    })


anonymise_people.short_description = _("Anonymise departed people")


@admin.action(description=_("Unlink the single sign-on identity"))
def sso_unlink(modeladmin, request, queryset):
    """Admin action: forget the provider's subject remembered on the selected people (the next single
    sign-on matches by NIP or e-mail again), access-logged (agencies.sso.sso_subject_unlink)."""
    from .lockouts import client_address
    from .sso import sso_subject_unlink

    count = sum(sso_subject_unlink(user=person, by=request.user, ip_address=client_address(request)) for person in queryset)
    modeladmin.message_user(request, _("Single sign-on identity unlinked for %(count)d people.") % {"count": count})


UserAdmin.actions = [anonymise_people, sso_unlink]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "object_description", "reason", "ip_address"]
    list_filter = ["action", "at"]
    search_fields = ["object_description", "reason", "actor__username", "actor__full_name"]
    list_select_related = ["actor"]
    date_hierarchy = "at"
