from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "ansinh.transparency"
    verbose_name = "Công khai minh bạch"
