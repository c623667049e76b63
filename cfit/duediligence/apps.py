from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DueDiligenceConfig(AppConfig):
    name = "cfit.duediligence"
    label = "duediligence"
    verbose_name = _("Due diligence")
