from django.apps import AppConfig


class QualityOfCareConfig(AppConfig):
    name = "portal.qoc"
    label = "qoc"
    verbose_name = "Quality of Care"
