from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "ansinh.payments"
    verbose_name = "Chi trả: sổ theo tháng, bảng lương, danh sách chi trả"
