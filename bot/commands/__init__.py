"""Command-line commands, one module each (see bot/cli.py)."""
