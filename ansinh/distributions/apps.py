from django.apps import AppConfig


class DistributionsConfig(AppConfig):
    name = "ansinh.distributions"
    verbose_name = "Phân phối hỗ trợ"
