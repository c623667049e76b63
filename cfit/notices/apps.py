from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "cfit.notices"
    label = "notices"
    verbose_name = _("Published notices and the market")
