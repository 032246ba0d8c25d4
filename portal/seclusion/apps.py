from django.apps import AppConfig


class SeclusionConfig(AppConfig):
    name = "portal.seclusion"
    label = "sr"
    verbose_name = "Seclusion and restraint"
