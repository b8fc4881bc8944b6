"""``synthlearn simulators``: list the registered simulators and their parameters."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from synthlearn.cli.common import stdout
from synthlearn.sim import available, get_simulator


def simulators(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """List simulators with their parameters (kind, range, default) and layers (dtype, shape).

    ``--json`` prints a list of :meth:`Simulator.describe` dicts, each layer as
    ``{"dtype": ..., "shape": [...], "description": ...}`` with the per-sample shape; the
    table shows a layer's array shape as ``(n, ...)``.
    """
    described = [get_simulator(name).describe() for name in available()]
    if as_json:
        typer.echo(json.dumps(described, indent=2))
        return
    for sim in described:
        table = Table(title=f"{sim['name']}: {sim['description']}", title_justify="left")
        for column in ("parameter", "kind", "allowed", "default", "meaning"):
            table.add_column(column)
        simulator = get_simulator(sim["name"])
        for p in simulator.param_space():
            table.add_row(p.name, p.kind, p.describe_range(), json.dumps(p.default), p.doc)
        stdout.print(table)
        layers = Table(title="layers (n samples each)", title_justify="left")
        for column in ("layer", "dtype", "shape", "description"):
            layers.add_column(column)
        for key, layer in simulator.declared_layers().items():
            layers.add_row(key, layer.dtype, layer.describe_shape(), layer.description)
        stdout.print(layers)
        stdout.print()

