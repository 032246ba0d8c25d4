from django.apps import AppConfig


class IocConfig(AppConfig):
    name = "portal.ioc"
    label = "ioc"
    verbose_name = "Independent Oversight Committees"
