"""``synthlearn simulators``: list the registered simulators and their parameters."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from synthlearn.cli.common import stdout
from synthlearn.sim import available, get_simulator


def simulators(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List simulators with their parameters (kind, range, default)."""
    described = [get_simulator(name).describe() for name in available()]
    if as_json:
        typer.echo(json.dumps(described, indent=2))
        return
    for sim in described:
        table = Table(title=f"{sim['name']}: {sim['description']}", title_justify="left")
        for column in ("parameter", "kind", "allowed", "default", "meaning"):
            table.add_column(column)
        space = get_simulator(sim["name"]).param_space()
        for p in space:
            table.add_row(p.name, p.kind, p.describe_range(), json.dumps(p.default), p.doc)
        stdout.print(table)
        stdout.print("layers: " + "; ".join(f"{k} {v}" for k, v in sim["layers"].items()) + "\n")
