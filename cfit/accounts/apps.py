from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cfit.accounts"
    label = "accounts"
    verbose_name = _("Organisations and accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cfit.accounts.languages import remember_on_sign_in

        # A new session starts in the user's own language (cfit/accounts/languages.py).
        user_logged_in.connect(remember_on_sign_in, dispatch_uid="cfit.accounts.remember_language")
