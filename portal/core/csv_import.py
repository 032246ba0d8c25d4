"""Running an all-or-nothing CSV import from a management command."""

from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

from django.core.management.base import CommandError

Counts = TypeVar("Counts")


class ImportRefused(Exception):
    """The file was refused; `problems` says where and why. Nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def run_csv_import(path: Path, load: Callable[[TextIO], Counts]) -> Counts:
    """Open `path` as UTF-8 CSV and pass it to `load`; every failure becomes a CommandError."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            return load(stream)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"{path} is not UTF-8 text.") from error
    except ImportRefused as error:
        raise CommandError(
            "Nothing was imported:\n" + "\n".join(f"  {p}" for p in error.problems)
        ) from error
