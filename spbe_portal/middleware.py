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
