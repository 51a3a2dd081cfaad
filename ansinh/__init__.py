"""ansinh — hệ thống quản lý trợ giúp xã hội."""

__version__ = "0.1.0"
