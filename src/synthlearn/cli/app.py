"""The ``synthlearn`` console command and its one error boundary.

:func:`main` is the only place that turns exceptions into exit statuses:

* a user error (:class:`~synthlearn.errors.UserError`, bad command-line usage, or an OS error
  about a path the user named: not found, not a folder, exists, permission denied) prints
  one line ``error: ...`` on stderr and exits with status 2, without a traceback;
* Ctrl-C prints one line (``interrupted; resume with ...`` where the command can resume)
  and exits with status 130;
* anything else is a bug: its traceback is printed, then a line saying so, exit status 1.
"""

from __future__ import annotations

import sys
import traceback

import typer

from synthlearn import __version__
from synthlearn.cli import adapt, common, demo, generate, lts, refine, reproduce, rl, simulators, ssl
from synthlearn.errors import UserError

app = typer.Typer(
    help="synthlearn: learn from simulated data (simulators, Learning to Simulate, refinement).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
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
app.add_typer(ssl.app, name="ssl")
app.add_typer(adapt.app, name="adapt")
app.add_typer(rl.app, name="rl")


def _os_error_line(exc: OSError) -> str:
    """``path: reason`` for an OS error, in words a user can act on."""
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or exc.__class__.__name__
    return f"{where}{reason[0].lower()}{reason[1:]}"


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app inside the error boundary (see the module docstring)."""
    args = sys.argv[1:] if argv is None else list(argv)
    common.record_invocation(args)
    try:
        code = app(args=args, standalone_mode=False, prog_name="synthlearn")
    except UserError as exc:
        _fail(str(exc))
    except typer.TyperException as exc:  # bad command-line usage, or a group called without a command
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.ctx.get_help())
            sys.exit(0)
        _fail(exc.format_message())
    except (KeyboardInterrupt, typer.Abort) as exc:
        if isinstance(exc.__cause__ or exc.__context__, EOFError):  # typer reports an EOFError as an abort
            _fail("unexpected end of input (a file or the terminal ended too early)")
        _interrupted()
    except OSError as exc:
        _fail(_os_error_line(exc))
    except Exception:  # noqa: BLE001 - the boundary: anything else is a bug
        traceback.print_exc()
        print("error: this is a bug in synthlearn; please report it with the traceback above", file=sys.stderr)
        sys.exit(1)
    if code == _INTERRUPTED:  # typer turns Ctrl-C inside a command into this exit code
        _interrupted()
    sys.exit(code if isinstance(code, int) else 0)


_INTERRUPTED = 130


def _interrupted() -> None:
    hint = f"; resume with: {common.resume_hint()}" if common.resume_hint() else ""
    print(f"interrupted{hint}", file=sys.stderr)
    sys.exit(_INTERRUPTED)


def _fail(message: str) -> None:
    lines = [line for line in message.strip().splitlines() if line.strip()] or ["failed"]
    print(f"error: {' '.join(line.strip() for line in lines)}", file=sys.stderr)
    sys.exit(2)
