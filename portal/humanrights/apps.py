from django.apps import AppConfig


class HumanRightsConfig(AppConfig):
    name = "portal.humanrights"
    label = "ohr"
    verbose_name = "Office of Human Rights"
