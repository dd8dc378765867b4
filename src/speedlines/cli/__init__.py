"""The ``speedlines`` command line: a thin layer over the core package."""

from __future__ import annotations

import sys

import speedlines.cli.calibrating  # noqa: F401  (registers speedlines calibrate)
from speedlines import __version__
from speedlines.cli import data, digitizing, inference, serving, training  # noqa: F401  (registers commands)
from speedlines.cli.app import app, err, error_line
from speedlines.errors import InputError

__all__ = ["app", "main"]


@app.command()
def version() -> None:
    """Print the version."""
    print(f"speedlines {__version__}")


def main() -> None:
    """Entry point: bad input is one line on stderr and exit code 2, never a traceback."""
    try:
        app()  # usage errors: Typer prints them and exits with 2
    except InputError as exc:
        err.print(error_line(exc), soft_wrap=True)
        sys.exit(2)
    except MemoryError:
        err.print(error_line("out of memory: the input is too large for this machine"))
        sys.exit(1)
    except Exception as exc:
        # Bad input is an InputError; anything else is a bug in speedlines, said as such.
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        err.print(error_line(f"internal error ({detail}); please report it"), soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
