from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agencies and people")

    def ready(self):
        from django.urls import register_converter

        from .params import IdConverter

        register_converter(IdConverter, "id")

        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_second_factor_on_sign_in, dispatch_uid="spbe_second_factor_on_sign_in")


def _second_factor_on_sign_in(sender, request, user, **kwargs):
    """Every sign-in, however made (password, single sign-on, a test's force_login): the session
    starts owing the second factor again (agencies.second_factor)."""
    from .second_factor import on_sign_in

    on_sign_in(request=request, user=user)
