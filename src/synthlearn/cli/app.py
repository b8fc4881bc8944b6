"""The ``synthlearn`` console command.

User errors (:class:`~synthlearn.errors.UserError` and bad command-line usage) print one
line ``error: ...`` on stderr and exit with status 2, without a traceback.
"""

from __future__ import annotations

import sys

import typer

from synthlearn import __version__
from synthlearn.cli import demo, generate, lts, refine, reproduce, simulators
from synthlearn.errors import UserError

app = typer.Typer(
    help="synthlearn: learn from simulated data (simulators, Learning to Simulate, refinement).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"synthlearn {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """synthlearn: learn from simulated data."""


app.command("demo")(demo.demo)
app.command("simulators")(simulators.simulators)
app.command("generate")(generate.generate)
app.add_typer(lts.app, name="lts")
app.add_typer(refine.app, name="refine")
app.add_typer(reproduce.app, name="reproduce")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn user errors into ``error: ...`` with exit status 2."""
    try:
        code = app(args=argv, standalone_mode=False, prog_name="synthlearn")
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except typer.TyperException as exc:  # bad command-line usage (typer >= 0.29 vendors click)
        print(f"error: {exc.format_message()}", file=sys.stderr)
        sys.exit(2)
    except (KeyboardInterrupt, typer.Abort):
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
