from django.apps import AppConfig


class StockConfig(AppConfig):
    name = "ansinh.stock"
    verbose_name = "Hàng hóa hiện vật: kho, nhập, xuất, phát"
