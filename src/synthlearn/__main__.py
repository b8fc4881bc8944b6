"""``python -m synthlearn`` runs the command line."""

from synthlearn.cli.app import main

main()
