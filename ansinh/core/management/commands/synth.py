import sys

from django.core.management.base import BaseCommand, CommandError

from ansinh.synth.load import DEFAULT_PROVINCE, SynthError, synth_to_database, synth_to_file


class Command(BaseCommand):
    help = (
        "Sinh dữ liệu giả lập một tỉnh (hộ, nhân khẩu) vào cơ sở dữ liệu hoặc ra tệp nhập / "
        "generate a synthetic province into the database or into an import file"
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default=DEFAULT_PROVINCE,
                            help="Mã tỉnh hiện hành (2 số) / current province code "
                                 f"(default {DEFAULT_PROVINCE}, Quảng Ninh)")
        parser.add_argument("--persons", type=int, default=10_000,
                            help="Số nhân khẩu / number of persons (default 10000)")
        parser.add_argument("--communes", type=int, default=None,
                            help="Chỉ dùng K xã đầu tiên (theo mã) / use the first K communes")
        parser.add_argument("--seed", type=int, default=0, help="Hạt giống ngẫu nhiên / seed")
        parser.add_argument("--out", default=None,
                            help="Ghi ra tệp .xlsx hoặc .csv thay vì vào CSDL / write a file")

    def handle(self, *args, **opts):
        if opts["communes"] is not None and opts["communes"] <= 0:
            raise CommandError("--communes phải lớn hơn 0.")
        kwargs = {k: opts[k] for k in ("province", "persons", "communes", "seed")}
        with _progress(self.stdout, opts["verbosity"], opts["persons"]) as progress:
            try:
                if opts["out"]:
                    result = synth_to_file(opts["out"], progress=progress, **kwargs)
                else:
                    result = synth_to_database(progress=progress, **kwargs)
            except SynthError as exc:
                raise CommandError(str(exc)) from exc
        rate = result.persons / result.seconds if result.seconds else 0
        self.stdout.write(
            f"{result.persons:,} người, {result.households:,} hộ, {result.communes} xã "
            f"(tỉnh {result.province}) → {result.target} trong {result.seconds:.1f} s "
            f"({rate:,.0f} người/s)"
        )
        if opts["verbosity"] >= 2 and result.timings:
            self.stdout.write("  " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()))


class _progress:
    """A rich progress bar on a terminal; nothing otherwise."""

    def __init__(self, stdout, verbosity: int, total: int):
        self.enabled = verbosity > 0 and sys.stdout.isatty()
        self.total = total

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(TextColumn("Sinh dữ liệu"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn())
        self.bar.start()
        self.task = self.bar.add_task("synth", total=self.total)
        return lambda done, total: self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.stop()
        return False
