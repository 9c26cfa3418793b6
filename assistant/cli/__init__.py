"""The command line: `app` parses and turns errors into exit codes; one module per group of commands."""

from assistant.cli.app import main

__all__ = ["main"]
