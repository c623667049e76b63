from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PactConfig(AppConfig):
    name = "cfit.pact"
    label = "pact"
    verbose_name = _("The pact: participation, buyer groups, working groups, statements of demand")
