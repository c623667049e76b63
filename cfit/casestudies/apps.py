from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseStudiesConfig(AppConfig):
    name = "cfit.casestudies"
    label = "casestudies"
    verbose_name = _("Case studies from finished tenders")
