from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JoiningConfig(AppConfig):
    name = "cfit.joining"
    label = "joining"
    verbose_name = _("Joining the pact: applications and the signed pact")
