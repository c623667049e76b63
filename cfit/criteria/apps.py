from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "cfit.criteria"
    label = "criteria"
    verbose_name = _("Criteria framework")

    def ready(self) -> None:
        # Connected here, where every model is loaded, as the monitoring's edition signals are.
        from cfit.criteria.signals import connect

        connect()
