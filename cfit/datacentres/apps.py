from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataCentresConfig(AppConfig):
    name = "cfit.datacentres"
    label = "datacentres"
    verbose_name = _("Data-centre reports")
