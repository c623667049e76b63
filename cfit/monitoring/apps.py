from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "cfit.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and collective results")

    def ready(self) -> None:
        from cfit.monitoring import jobs  # noqa: F401  (registers monitoring's job kinds)
        from cfit.monitoring.signals import connect

        connect()
