from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "ansinh.enrolment"
    verbose_name = "Hồ sơ, quyết định và đối tượng hưởng"
