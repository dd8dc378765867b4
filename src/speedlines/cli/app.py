"""The Typer application, its error console and the progress bar every long command uses."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Find the speedlines in compressor-map images and turn them into curves.",
)
# Messages carry paths and library errors that may hold square brackets
# ("[/__w/.../pair.cc:561]"), so the console never reads markup in them.
err = Console(stderr=True, markup=False, highlight=False)


def error_line(message: object) -> Text:
    """``error: MESSAGE`` with only the label styled; the message is printed as it is."""
    return Text.assemble(("error:", "red"), " ", str(message))


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def run_batch(label: str, files: list, run, describe=None) -> tuple[list, list]:
    """Run ``run(on_file)`` over ``files`` with a progress bar; every outcome with an error
    is printed as it happens. Returns (outcomes, failed)."""
    failed = []
    bar = progress()
    task = bar.add_task(label, total=len(files))

    def done(outcome) -> None:
        bar.start()
        bar.advance(task)
        if outcome.error:
            failed.append(outcome)
            bar.console.print(error_line(outcome.error), soft_wrap=True)
        elif describe:
            bar.console.print(describe(outcome))

    try:
        outcomes = run(done)
    finally:
        bar.stop()
    return outcomes, failed
