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
