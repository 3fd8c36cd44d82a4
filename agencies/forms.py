from django import forms

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.hashers import make_password
from django.template import loader
from django.utils.translation import gettext_lazy as _

from .lockouts import client_address
from .models import User
from .services import password_reset_request_record


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the e-mail kept in the outbox and sent by a worker instead of
    the request (the broker is asked from a thread, so a broker outage neither slows nor breaks it).

    The page answers alike whether or not the address belongs to someone, and does the same work
    for both (a token and the e-mail are made for a stand-in account when none matches, only not
    queued), so its timing does not tell. At most ``PASSWORD_RESET_LIMIT`` e-mails an hour go out
    per client address and per e-mail address; past that the page still answers the same."""

    def save(self, *args, request=None, **kwargs):
        self.may_send = password_reset_request_record(
            ip_address=client_address(request) if request is not None else None, email=self.cleaned_data["email"]
        )
        return super().save(*args, request=request, **kwargs)

    def get_users(self, email):
        users = list(super().get_users(email)) if getattr(self, "may_send", True) else []
        # The stand-in: unsaved, no e-mail; send_mail renders for it and queues nothing.
        return users or [User(pk=0, username="", email="", password=make_password(None))]

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        # Links in e-mails start with the portal's address as users reach it (settings.PORTAL_BASE_URL).
        context = {**context, "portal_base_url": settings.PORTAL_BASE_URL}
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        if not to_email:
            return
        from .services import emails_queue

        emails_queue(recipients=[to_email], subject=subject, body=body, in_background=True)


# The portal's own labels, so that every account page says "kata sandi" alike in Indonesian.
class LoginForm(AuthenticationForm):
    # Django's Indonesian catalogue turns "a correct %(username)s" into "nama pengguna nama pengguna":
    # the portal says it in its own words.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Please enter a correct user name and password. Note that both fields may be case-sensitive."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("User name")
        self.fields["password"].label = _("Password")


class NewPasswordMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")


class PortalSetPasswordForm(NewPasswordMixin, SetPasswordForm):
    pass


class PortalPasswordChangeForm(NewPasswordMixin, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")


def add_service_errors(form, error):
    """Show a service's ValidationError on the form: on its fields where the error names one the
    form has, otherwise above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class PreferencesForm(forms.Form):
    """The user's own settings (agencies.services.user_preferences_update applies them)."""

    review_digest = forms.BooleanField(
        label=_("Send me one daily digest of new submissions instead of one notification per submission"),
        help_text=_("Sent every morning at 07.00 WIB by e-mail and in the portal, listing the items submitted since the previous digest."),
        required=False,
    )


class AccessLogFilterForm(forms.Form):
    """Filters of the access log page (agencies.selectors.access_log)."""

    action = forms.ChoiceField(label=_("Action"), required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    person = forms.CharField(
        label=_("Person"), required=False, max_length=150, widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("User name or part of the name.")})
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))

    def __init__(self, *args, **kwargs):
        from .models import AccessLogEntry

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions")), *AccessLogEntry.Action.choices]


class SecondFactorCodeForm(forms.Form):
    """The code step of two-step sign-in: six digits from the app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"), max_length=20, strip=True,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}),
    )


class SecondFactorSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"), max_length=10, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}),
    )
    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, replacing=False, by_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not replacing:
            del self.fields["password"]
        elif by_code:
            _ask_current_code(self.fields["password"])
            self.fields["password"].help_text = _("Moving to a new phone replaces the current authenticator: confirm with a code from the current one.")
        else:
            self.fields["password"].help_text = _("Moving to a new phone replaces the current authenticator: confirm with your password.")


def _ask_current_code(field):
    """Where passwords are off (agencies.second_factor.confirms_by_password), the confirmation field
    asks for a code of the authenticator app in use instead."""
    field.label = _("Code from your current authenticator app")
    field.widget = forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"})


class PasswordConfirmForm(forms.Form):
    """A sensitive change confirmed by the password again (or by the app's code, ``by_code``)."""

    password = forms.CharField(label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, by_code=False, **kwargs):
        super().__init__(*args, **kwargs)
        if by_code:
            _ask_current_code(self.fields["password"])


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(label=_("Why (e.g. phone lost, new phone without a backup)"), max_length=300)
