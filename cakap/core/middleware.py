"""Which language a request is answered in.

Pages speak Indonesian, the product's language, unless the person chose English with the
language switch (Django's `set_language` keeps the choice in a cookie). A browser or
phone set to English does not choose for them: many officials' phones are, and a page
they cannot read well costs more than a tap on "EN" costs those who prefer English. The
API keeps Django's way, the language of Accept-Language (an integration chooses),
Indonesian without it.
"""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

API_PREFIX = "/api/"


def chosen_language(request: HttpRequest) -> str:
    """The language of the switch's cookie if it is one of ours, else the default."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or ""
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return settings.LANGUAGE_CODE


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith(API_PREFIX):
            super().process_request(request)
            return
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
