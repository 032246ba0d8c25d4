from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "portal.reports"
    label = "reports"
    verbose_name = "Report kit"

    def ready(self) -> None:
        from .types import autodiscover

        autodiscover()
