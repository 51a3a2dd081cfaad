from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "ansinh.funds"
    verbose_name = "Quỹ an sinh xã hội: nhà tài trợ, cam kết, tiền nhận, chiến dịch"
