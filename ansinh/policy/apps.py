from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "ansinh.policy"
    verbose_name = "Chính sách (tham số theo thời gian)"
