from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.template import loader
from django.utils.translation import gettext_lazy as _



class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the e-mail kept in the outbox and sent by a worker instead of
    the request. The broker is asked from a thread, so the answer comes as fast, and is the same
    page, for a known address as for an unknown one, also while the broker is down."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        from .services import emails_queue

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        emails_queue(recipients=[to_email], subject=subject, body=body, in_background=True)


# The portal's own labels, so that every account page says "kata sandi" alike in Indonesian.
class LoginForm(AuthenticationForm):
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


def posted_int(request, name):
    """A whole number the page posted (a version, an id); a missing or malformed one is a bad
    request (400), never a skipped check."""
    from django.core.exceptions import BadRequest

    value = request.POST.get(name, "")
    if not value.isdigit():
        raise BadRequest(f"{name} is missing or malformed.")
    return int(value)


class PreferencesForm(forms.Form):
    """The user's own settings (agencies.services.user_preferences_update applies them)."""

    review_digest = forms.BooleanField(
        label=_("Send me one daily digest of new submissions instead of one notification per submission"),
        help_text=_("Sent every morning at 07.00 WIB by e-mail and in the portal, listing the items submitted since the previous digest."),
        required=False,
    )
