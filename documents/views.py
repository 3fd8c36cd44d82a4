"""The public verification page of an issued document: no sign-in (whoever holds the paper or
the file checks it); it shows what the portal issued under the code and checks an uploaded copy.
Only issued documents answer; any other code is 404."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.lockouts import client_address

from . import services
from .forms import VerifyForm


@require_http_methods(["GET", "HEAD", "POST"])
def document_verify(request, verification_code):
    document = services.issued_document_get(code=verification_code)
    if document is None:
        raise Http404
    result, status = None, 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            if services.verification_check_allowed(ip_address=client_address(request)):
                result = services.document_verify(document=document, upload=form.cleaned_data["file"])
                form = VerifyForm()
            else:
                form.add_error(None, _("Too many files were checked from your address in the last hour (at most "
                                       "%(limit)s). Try again later.") % {"limit": settings.VERIFICATION_CHECKS_PER_HOUR})
                status = 429
    else:
        form = VerifyForm()
    response = render(request, "documents/verify.html", {"document": document, "form": form, "result": result,
                                                         "outcomes": services.Outcome}, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
