"""The ``synthlearn`` command line: thin typer commands over the library."""
