"""The `ansinh` command: Django's management commands and ours behind one entry point."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ansinh", *sys.argv[1:]])


if __name__ == "__main__":
    main()
