from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "cfit.fleet"
    label = "fleet"
    verbose_name = _("Fleet register")

    def ready(self) -> None:
        from cfit.fleet import jobs  # noqa: F401  (registers the register import's job kind)
