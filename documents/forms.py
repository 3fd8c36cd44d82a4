from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class VerifyForm(forms.Form):
    """A copy of the document to check: one PDF, at most VERIFICATION_MAX_BYTES (the request as a
    whole is capped earlier by spbe_portal.middleware.UploadSizeLimitMiddleware)."""

    file = forms.FileField(label=_("The PDF to check"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        limit_mb = settings.VERIFICATION_MAX_BYTES // (1024 * 1024)
        field.help_text = gettext("A PDF of at most %(limit)s MB. The file is checked and not kept.") % {"limit": limit_mb}
        field.widget.attrs.update({
            "data-max-bytes": str(settings.VERIFICATION_MAX_BYTES),
            "data-too-large": gettext("%(name)s is %(size)s MB; the limit is %(limit)s MB.") % {"name": "{name}", "size": "{size}", "limit": limit_mb},
        })

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.VERIFICATION_MAX_BYTES:
            raise forms.ValidationError(gettext("The file is larger than %(limit)s MB.")
                                        % {"limit": settings.VERIFICATION_MAX_BYTES // (1024 * 1024)})
        if upload.size == 0:
            raise forms.ValidationError(gettext("The file is empty."))
        return upload
