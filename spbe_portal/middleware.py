from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import check_for_language


class PortalLocaleMiddleware(LocaleMiddleware):
    """Indonesian unless the user chose otherwise (the language switch sets a cookie).

    Django's own middleware would follow the browser's Accept-Language header, and many office
    computers run an English browser: the portal is Indonesian first, so the header is ignored."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class UploadSizeLimitMiddleware:
    """Refuse a request whose body is larger than an upload may be (``UPLOAD_MAX_BYTES``: the
    evidence cap plus room for the form's other fields), before a byte of it is read: the declared
    Content-Length is enough. The answer is a page that says so (HTTP 413). Every upload path —
    evidence, meeting attachments, follow-up evidence — goes through here. (A body sent without a
    Content-Length is not read at all by Django's WSGI request.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.UPLOAD_MAX_BYTES:
            from django.shortcuts import render

            response = render(request, "413.html", {"limit_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}, status=413)
            return response
        return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Headers for every answer: a Permissions-Policy, and ``Cache-Control: no-store`` on whatever a
    signed-in person receives (pages, exports, evidence, draft minutes), so that no shared computer
    or proxy keeps a copy. Answers that chose their own caching keep it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        signed_in = (user is not None and user.is_authenticated) or "Authorization" in request.headers
        if signed_in and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response


class MalformedRequestMiddleware:
    """A NUL byte in a path or a query string is no honest request (and PostgreSQL refuses it in a
    text comparison): answer 400 before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import BadRequest

        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                # The API documents 404 for a resource it cannot name; it answers JSON, as everywhere.
                return JsonResponse({"detail": "Not found: NUL byte in the request."}, status=404)
            raise BadRequest("NUL byte in the request.")
        return self.get_response(request)

class DevelopmentNotFoundMiddleware:
    """With DEBUG on, Django answers a missing page with its technical 404 page (URL patterns, settings
    hints); the portal's own 404 page is what users see in production, so development shows it too.
    An unknown URL (nothing resolved) and an ``Http404`` raised by a view both get templates/404.html;
    404 responses a view returns itself (e.g. the API's JSON) are left alone. ``DEBUG_TECHNICAL_404=1``
    brings Django's technical page back. Without DEBUG this does nothing (Django serves 404.html)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.active = settings.DEBUG and not getattr(settings, "DEBUG_TECHNICAL_404", False)

    def __call__(self, request):
        response = self.get_response(request)
        if self.active and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return self._portal_page(request)
        return response

    def process_exception(self, request, exception):
        from django.http import Http404

        if self.active and isinstance(exception, Http404):
            return self._portal_page(request)
        return None

    @staticmethod
    def _portal_page(request):
        from django.views.defaults import page_not_found

        return page_not_found(request, exception=None)
