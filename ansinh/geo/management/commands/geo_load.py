from django.core.management.base import BaseCommand

from ansinh.geo.loader import load_units


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính (34 tỉnh, 3.321 xã theo QĐ 19/2025 và các đơn vị cũ) / "
        "Load administrative units (34 provinces, 3,321 communes, and the retired pre-2025 units)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-retired", action="store_true",
            help="Không nạp đơn vị cũ trước 01/07/2025 / skip the retired pre-2025 units",
        )

    def handle(self, *args, **opts):
        counts = load_units(with_retired=not opts["no_retired"])
        for key, value in counts.items():
            self.stdout.write(f"{key}: {value}")
