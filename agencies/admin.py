from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, ApiToken, Membership, Notification, User
from django import forms
from django.core.exceptions import ValidationError

from .services import agency_save, agency_validate_placement, api_token_create, membership_validate


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
        (_("Access"), {"fields": ("is_active", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]


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
        token, key = api_token_create(user=obj.user, name=obj.name)
        obj.pk, obj.prefix, obj.key_hash = token.pk, token.prefix, token.key_hash
        messages.warning(request, _("Copy this key now; it is not shown again: %(key)s") % {"key": key})
