from django.apps import AppConfig


class IadConfig(AppConfig):
    name = "portal.iad"
    label = "iad"
    verbose_name = "IAD-IRF reporting"
